from datetime import datetime
from typing import Annotated

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from presales.core.api import Paginated, actor, get_visible
from presales.notes import services
from presales.notes.access import notes_for, notes_on_deal
from presales.notes.models import Note

router = Router(tags=["notes"])


class NoteOut(Schema):
    id: int
    body: str
    author_id: int | None
    account_id: int | None
    opportunity_id: int | None
    activity_id: int | None
    created_at: datetime
    updated_at: datetime
    source: str
    external_id: str


class NoteIn(Schema):
    body: str = Field(min_length=1, max_length=20000)
    account_id: int | None = None
    opportunity_id: int | None = None
    activity_id: int | None = None


class NotePatch(Schema):
    body: str = Field(min_length=1, max_length=20000)


class NoteFilter(FilterSchema):
    q: str | None = Field(None, description="Words in the note")
    account_id: int | None = None
    opportunity_id: int | None = None
    activity_id: int | None = None
    author_id: int | None = None
    created_after: Annotated[datetime | None, FilterLookup("created_at__gte")] = None
    created_before: Annotated[datetime | None, FilterLookup("created_at__lt")] = None

    def filter_q(self, value: str | None) -> Q:
        return Q(body__icontains=value) if value else Q()


@router.get("/notes", response=list[NoteOut])
@paginate(Paginated)
def list_notes(request: HttpRequest, filters: Query[NoteFilter]) -> QuerySet[Note]:
    user = actor(request)
    deal = filters.opportunity_id
    # A deal's notes (its page's list) are checked through the deal alone.
    rows = notes_for(user) if deal is None else notes_on_deal(user, deal)
    return filters.filter(rows.order_by("-created_at", "-id"))


@router.get("/notes/{note_id}", response=NoteOut)
def get_note(request: HttpRequest, note_id: int) -> Note:
    return get_visible(request, Note, note_id)


@router.post("/notes", response={201: NoteOut})
def create_note(request: HttpRequest, payload: NoteIn) -> tuple[int, Note]:
    return 201, services.create_note(actor=actor(request), fields=payload.dict())


@router.patch("/notes/{note_id}", response=NoteOut)
def update_note(request: HttpRequest, note_id: int, payload: NotePatch) -> Note:
    note = get_visible(request, Note, note_id)
    return services.update_note(actor=actor(request), note=note, changes=payload.dict())
