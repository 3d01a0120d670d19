"""The SE team in the REST API: capacity and out-of-band figures per team, requests for SE help
(list, ask, and the assign/accept/fulfil steps)."""

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from presales.core import access
from presales.core.api import Paginated, actor, get_visible
from presales.deals.access import opportunities_for
from presales.people.models import Team, User
from presales.team import requesting
from presales.team.capacity import capacity_json, team_capacity
from presales.team.coverage import coverage_json
from presales.team.models import SERequest
from presales.team.outofband import out_of_band_json, team_out_of_band
from presales.team.outoffield import plan_json, quarter_plan
from presales.team.skills import demand_and_supply, demand_json, matrix_json, team_matrix

router = Router(tags=["team"])


def _team_of(request: HttpRequest, team_id: int) -> Team:
    team = access.teams_for(request.user).filter(pk=team_id).first()
    if team is None:
        raise Http404(f"No team with id {team_id}.")
    return team


@router.get("/team/capacity/{team_id}")
def get_capacity(request: HttpRequest, team_id: int) -> dict[str, Any]:
    """Each SE's load from recorded work; every figure with the team median as ``reference``."""
    return capacity_json(team_capacity(team=_team_of(request, team_id)))


@router.get("/team/out-of-band/{team_id}")
def get_out_of_band(
    request: HttpRequest, team_id: int, since: date | None = None
) -> dict[str, Any]:
    """Out-of-band hours and share per SE, weekly trend, departments and repeat problems."""
    return out_of_band_json(team_out_of_band(team=_team_of(request, team_id), since=since))


@router.get("/team/skills/{team_id}")
def get_skills(request: HttpRequest, team_id: int) -> dict[str, Any]:
    """The team's skills matrix: per SE the self and manager level of each skill held."""
    return matrix_json(team_matrix(_team_of(request, team_id)))


@router.get("/team/skills/{team_id}/demand")
def get_skill_demand(request: HttpRequest, team_id: int) -> dict[str, Any]:
    """Per skill: open requests and open deals asking for it, and who is proficient."""
    team = _team_of(request, team_id)
    return demand_json(team, demand_and_supply(team))


@router.get("/team/time-out/{team_id}")
def get_time_out(request: HttpRequest, team_id: int) -> dict[str, Any]:
    """Time out of the field this quarter against the plan, per SE, and every entry."""
    return plan_json(quarter_plan(_team_of(request, team_id)))


@router.get("/team/coverage")
def get_coverage(request: HttpRequest) -> dict[str, Any]:
    """SE-to-rep ratio per region and line of business; late-stage deals without an SE."""
    return coverage_json(opportunities_for(request.user))


class RequestOut(Schema):
    id: int
    kind: str
    summary: str
    details: str
    status: str
    urgency: str
    opportunity_id: int | None
    account_id: int | None
    team_id: int | None
    requested_by_id: int | None
    assignee_id: int | None
    starts_on: date
    ends_on: date
    created_at: datetime
    responded_at: datetime | None
    fulfilled_at: datetime | None


class RequestIn(Schema):
    kind: Literal["discovery", "demo", "poc", "rfp", "workshop", "architecture"]
    summary: str
    starts_on: date
    ends_on: date
    opportunity_id: int | None = None
    account_id: int | None = None
    skills: list[str] = []
    urgency: Literal["low", "normal", "high"] = "normal"
    details: str = ""
    customer_time_zone: str = ""


class RequestFilter(Schema):
    status: str = "open"
    mine: bool = False


class AssignIn(Schema):
    se_id: int


@router.get("/requests", response=list[RequestOut])
@paginate(Paginated)
def list_requests(request: HttpRequest, filters: Query[RequestFilter]) -> QuerySet[SERequest]:
    return requesting.requests_list(actor=actor(request), status=filters.status, mine=filters.mine)


@router.post("/requests", response={201: RequestOut})
def create_request(request: HttpRequest, payload: RequestIn) -> tuple[int, SERequest]:
    return 201, requesting.create_request(actor=actor(request), **payload.dict())


@router.get("/requests/{request_id}", response=RequestOut)
def get_request(request: HttpRequest, request_id: int) -> SERequest:
    return get_visible(request, SERequest, request_id)


@router.post("/requests/{request_id}/assign", response=RequestOut)
def assign(request: HttpRequest, request_id: int, payload: AssignIn) -> SERequest:
    item = get_visible(request, SERequest, request_id)
    se = User.objects.filter(pk=payload.se_id).first()
    if se is None:
        raise ValidationError({"se_id": f"No user with id {payload.se_id}."})
    return requesting.assign_request(actor=actor(request), request=item, se=se)


@router.post("/requests/{request_id}/{step}", response=RequestOut)
def step(
    request: HttpRequest,
    request_id: int,
    step: Literal["accept", "decline", "fulfil", "cancel"],
) -> SERequest:
    item = get_visible(request, SERequest, request_id)
    action = {
        "accept": requesting.accept_request,
        "decline": requesting.decline_request,
        "fulfil": requesting.fulfil_request,
        "cancel": requesting.cancel_request,
    }[step]
    return action(actor=actor(request), request=item)
