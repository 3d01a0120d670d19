from datetime import datetime
from typing import Annotated

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from presales.activities import services
from presales.activities.access import activities_for
from presales.activities.models import Activity, Kind
from presales.core.api import Paginated, actor, get_visible

router = Router(tags=["activities"])


class ActivityOut(Schema):
    id: int
    kind: str
    subject: str
    description: str
    location: str
    starts_at: datetime
    ends_at: datetime
    status: str
    account_id: int | None
    opportunity_id: int | None
    participant_ids: list[int]
    contact_ids: list[int]
    customer_facing: bool
    source: str
    external_id: str

    @staticmethod
    def resolve_participant_ids(obj: Activity) -> list[int]:
        return [u.pk for u in obj.participants.all()]

    @staticmethod
    def resolve_contact_ids(obj: Activity) -> list[int]:
        return [c.pk for c in obj.contacts.all()]


class ActivityIn(Schema):
    kind: Kind = Kind.MEETING
    subject: str = Field(min_length=1, max_length=255)
    description: str = ""
    location: str = Field("", max_length=500)
    starts_at: datetime
    ends_at: datetime
    status: Activity.Status = Activity.Status.PLANNED
    account_id: int | None = None
    opportunity_id: int | None = None
    participant_ids: list[int] | None = None
    contact_ids: list[int] = []
    customer_facing: bool | None = None


class ActivityPatch(Schema):
    kind: Kind | None = None
    subject: str | None = Field(None, min_length=1, max_length=255)
    description: str | None = None
    location: str | None = Field(None, max_length=500)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    status: Activity.Status | None = None
    account_id: int | None = None
    opportunity_id: int | None = None
    participant_ids: list[int] | None = None
    contact_ids: list[int] | None = None
    customer_facing: bool | None = None


class ActivityFilter(FilterSchema):
    q: str | None = Field(None, description="Words in the subject")
    kind: Kind | None = None
    status: Activity.Status | None = None
    account_id: int | None = None
    opportunity_id: int | None = None
    customer_facing: bool | None = None
    starts_after: Annotated[datetime | None, FilterLookup("starts_at__gte")] = None
    starts_before: Annotated[datetime | None, FilterLookup("starts_at__lt")] = None

    def filter_q(self, value: str | None) -> Q:
        return Q(subject__icontains=value) if value else Q()


@router.get("/activities", response=list[ActivityOut])
@paginate(Paginated)
def list_activities(request: HttpRequest, filters: Query[ActivityFilter]) -> QuerySet[Activity]:
    rows = activities_for(actor(request)).order_by("-starts_at", "id")
    return filters.filter(rows).prefetch_related("participants", "contacts")


@router.get("/activities/{activity_id}", response=ActivityOut)
def get_activity(request: HttpRequest, activity_id: int) -> Activity:
    return get_visible(request, Activity, activity_id)


@router.post("/activities", response={201: ActivityOut})
def create_activity(request: HttpRequest, payload: ActivityIn) -> tuple[int, Activity]:
    fields = payload.dict(exclude_none=True)
    return 201, services.create_activity(actor=actor(request), fields=fields)


@router.patch("/activities/{activity_id}", response=ActivityOut)
def update_activity(request: HttpRequest, activity_id: int, payload: ActivityPatch) -> Activity:
    activity = get_visible(request, Activity, activity_id)
    changes = payload.dict(exclude_unset=True)
    return services.update_activity(actor=actor(request), activity=activity, changes=changes)


@router.post("/activities/{activity_id}/cancel", response=ActivityOut)
def cancel_activity(request: HttpRequest, activity_id: int) -> Activity:
    activity = get_visible(request, Activity, activity_id)
    return services.cancel_activity(actor=actor(request), activity=activity)
