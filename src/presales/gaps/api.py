"""The product-gap API, for people and for product tools: propose, link deals, answer, merge,
rank, and read the maybes."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from presales.core.api import Paginated, actor, get_visible
from presales.core.services import MAX_ID
from presales.gaps import analytics, services, similarity
from presales.gaps.access import gap_links_for, gaps_for
from presales.gaps.models import GapMerge, Impact, Origin, ProductGap, Status
from presales.meetings.access import debriefs_for
from presales.meetings.models import RaisedGap
from presales.notes.models import Note
from presales.people.models import Team

router = Router(tags=["product gaps"])


class LinkOut(Schema):
    opportunity_id: int
    impact: str
    cited_as_loss_reason: bool


class GapOut(Schema):
    id: int
    title: str
    description: str
    product_area: str
    account_id: int | None
    team_id: int | None
    contact_ids: list[int]
    competitor_ids: list[int]
    workaround: str
    proposed_by_id: int | None
    origin: str
    status: str
    review_due_on: date | None
    days_overdue: int = Field(description="Days a gap under review is past its due date (a maybe)")
    committed_release: str
    committed_on: date | None
    declined_reason: str
    customer_rank: int | None
    ranked_against: str
    answer_text: str
    answered_at: datetime | None
    answered_by_id: int | None
    merged_into_id: int | None
    revenue_at_stake: Decimal
    revenue_lost: Decimal
    revenue_won: Decimal
    account_count: int
    open_deal_count: int
    created_at: datetime
    links: list[LinkOut]

    @staticmethod
    def resolve_contact_ids(obj: ProductGap) -> list[int]:
        return [c.pk for c in obj.contacts.all()]

    @staticmethod
    def resolve_competitor_ids(obj: ProductGap) -> list[int]:
        return [c.pk for c in obj.competitors.all()]

    @staticmethod
    def resolve_days_overdue(obj: ProductGap) -> int:
        return obj.days_overdue()

    @staticmethod
    def resolve_links(obj: ProductGap, context: Any) -> list[Any]:
        user = actor(context["request"])
        seen = set(gap_links_for(user).filter(gap=obj).values_list("pk", flat=True))
        return [link for link in obj.links.all() if link.pk in seen]


class RevenueLineOut(Schema):
    opportunity_id: int
    opportunity: str
    stage: str
    amount: Decimal | None
    impact: str
    probability: Decimal
    weight: Decimal
    at_stake: Decimal
    lost: Decimal
    won: Decimal


class AnswerOut(Schema):
    status: str
    detail: str
    answer_text: str
    answered_by_id: int | None
    answered_at: datetime


class MergeOut(Schema):
    id: int
    source_id: int
    target_id: int
    merged_by_id: int | None
    merged_at: datetime
    moved: dict[str, Any]
    undone_by_id: int | None
    undone_at: datetime | None


class GapDetailOut(GapOut):
    revenue_lines: list[RevenueLineOut]
    answers: list[AnswerOut]
    merges: list[MergeOut]

    @staticmethod
    def resolve_revenue_lines(obj: ProductGap, context: Any) -> list[Any]:
        return analytics.revenue_of_gap(obj, actor(context["request"])).lines

    @staticmethod
    def resolve_answers(obj: ProductGap) -> list[Any]:
        return list(obj.answers.all())

    @staticmethod
    def resolve_merges(obj: ProductGap) -> list[Any]:
        return list(GapMerge.objects.filter(Q(target=obj) | Q(source=obj)))


class LinkIn(Schema):
    opportunity_id: int = Field(ge=1, le=MAX_ID)
    impact: Impact = Impact.IMPORTANT
    cited: bool = Field(False, description="The deal was lost and cited this gap as a reason")


class GapIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    product_area: str = Field("", max_length=80)
    account_id: int | None = None
    contact_ids: list[int] = []
    competitor_ids: list[int] = Field([], description="Competitors that already have it")
    workaround: str = ""
    review_due_on: date | None = Field(None, description="Default: 14 days from today")
    links: list[LinkIn] = []


class GapPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    product_area: str | None = Field(None, max_length=80)
    account_id: int | None = None
    contact_ids: list[int] | None = None
    competitor_ids: list[int] | None = None
    workaround: str | None = None
    review_due_on: date | None = None


class AnswerIn(Schema):
    status: Status
    answer_text: str = Field("", description="The exact answer given to the customer")
    answered_at: datetime | None = Field(None, description="When it was given (default: now)")
    committed_release: str = Field("", max_length=40)
    committed_on: date | None = None
    declined_reason: str = ""
    customer_rank: int | None = Field(None, ge=1, le=1000)
    ranked_against: str = ""
    review_due_on: date | None = None


class LinkPut(Schema):
    impact: Impact = Impact.IMPORTANT
    cited: bool = False


class MergeIn(Schema):
    into_id: int = Field(ge=1, le=MAX_ID, description="The gap this one is merged into")


class FromNoteIn(Schema):
    note_id: int = Field(ge=1, le=MAX_ID)
    sentence: str = Field(min_length=1, description="The feature-request sentence of the note")
    product_area: str = Field("", max_length=80)


class FromRaisedIn(Schema):
    title: str = Field("", max_length=200)
    product_area: str = Field("", max_length=80)
    impact: Impact = Impact.IMPORTANT


class SuggestionOut(Schema):
    id: int
    title: str
    status: str
    score: float
    reason: str


class TeamMaybesOut(Schema):
    team_id: int | None
    team: str
    maybes: int
    open_gaps: int
    oldest_days_overdue: int


class MaybeFiguresOut(Schema):
    maybes: int
    open_gaps: int
    as_of: date
    teams: list[TeamMaybesOut]


class WeightsOut(Schema):
    team_id: int
    deal_breaker: Decimal
    important: Decimal
    nice_to_have: Decimal


class WeightsIn(Schema):
    deal_breaker: Decimal | None = Field(None, ge=0, le=1, decimal_places=2)
    important: Decimal | None = Field(None, ge=0, le=1, decimal_places=2)
    nice_to_have: Decimal | None = Field(None, ge=0, le=1, decimal_places=2)


class GapFilter(Schema):
    product_area: str = ""
    since: date | None = Field(None, description="Written on or after this day")
    until: date | None = Field(None, description="Written on or before this day")
    status: Status | None = None
    maybes: bool = Field(False, description="Only gaps under review past their due date")
    order: str = Field("revenue", pattern="^(revenue|accounts|lost|newest)$")
    q: str = ""


def _day_start(day: date | None, *, after: bool = False) -> datetime | None:
    if day is None:
        return None
    moment = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return moment + timedelta(days=1) if after else moment


def ranking_filters(f: GapFilter) -> analytics.RankingFilters:
    return analytics.RankingFilters(
        product_area=f.product_area,
        since=_day_start(f.since),
        until=_day_start(f.until, after=True),
        status=f.status or "",
        maybes_only=f.maybes,
        order=f.order,
        q=f.q,
    )


def _prefetched(rows: QuerySet[ProductGap]) -> QuerySet[ProductGap]:
    return rows.prefetch_related("contacts", "competitors", "links")


@router.get("/gaps", response=list[GapOut])
@paginate(Paginated)
def list_gaps(request: HttpRequest, filters: Query[GapFilter]) -> QuerySet[ProductGap]:
    """Gaps ranked by revenue at stake (or accounts, lost revenue, newest); merged gaps omitted."""
    today = timezone.localdate()
    return _prefetched(analytics.ranked_gaps(actor(request), ranking_filters(filters), today=today))


@router.get("/gaps/maybes", response=MaybeFiguresOut)
def maybe_figures(request: HttpRequest) -> analytics.MaybeFigures:
    """Open maybes per team you see: "N of M open gaps" (open = not merged, not declined)."""
    return analytics.maybe_figures(actor(request), today=timezone.localdate())


@router.get("/gaps/similar", response=list[SuggestionOut])
def similar_gaps(
    request: HttpRequest,
    text: str = Query(..., min_length=1, max_length=5000),
    exclude_id: int | None = None,
) -> list[dict[str, Any]]:
    """Existing gaps that may be duplicates of ``text``, best first."""
    found = similarity.suggest_similar(
        actor=actor(request), text=text, exclude_ids=[exclude_id] if exclude_id else []
    )
    return [
        {
            "id": s.gap.pk,
            "title": s.gap.title,
            "status": s.gap.status,
            "score": s.score,
            "reason": s.reason,
        }
        for s in found
    ]


@router.post("/gaps/from-note", response={201: GapDetailOut})
def gap_from_note(request: HttpRequest, payload: FromNoteIn) -> tuple[int, ProductGap]:
    note = get_visible(request, Note, payload.note_id)
    gap = services.gap_from_note(
        actor=actor(request),
        note=note,
        sentence=payload.sentence,
        fields={"product_area": payload.product_area},
    )
    return 201, gap


@router.get("/gaps/{gap_id}", response=GapDetailOut)
def get_gap(request: HttpRequest, gap_id: int) -> ProductGap:
    return get_visible(request, ProductGap, gap_id)


@router.post("/gaps", response={201: GapDetailOut})
def create_gap(request: HttpRequest, payload: GapIn) -> tuple[int, ProductGap]:
    data = payload.dict()
    links = data.pop("links")
    gap = services.propose_gap(actor=actor(request), fields=data, links=links, origin=Origin.API)
    return 201, gap


@router.patch("/gaps/{gap_id}", response=GapDetailOut)
def update_gap(request: HttpRequest, gap_id: int, payload: GapPatch) -> ProductGap:
    gap = get_visible(request, ProductGap, gap_id)
    return services.update_gap(
        actor=actor(request), gap=gap, changes=payload.dict(exclude_unset=True)
    )


@router.post("/gaps/{gap_id}/answer", response=GapDetailOut)
def answer_gap(request: HttpRequest, gap_id: int, payload: AnswerIn) -> ProductGap:
    """Product management only: committed, declined, customer-ranked or under review."""
    gap = get_visible(request, ProductGap, gap_id)
    return services.answer_gap(actor=actor(request), gap=gap, **payload.dict())


@router.put("/gaps/{gap_id}/opportunities/{opportunity_id}", response=GapDetailOut)
def link_opportunity(
    request: HttpRequest, gap_id: int, opportunity_id: int, payload: LinkPut
) -> ProductGap:
    gap = get_visible(request, ProductGap, gap_id)
    services.link_opportunity(
        actor=actor(request),
        gap=gap,
        opportunity_id=opportunity_id,
        impact=payload.impact,
        cited_as_loss_reason=payload.cited,
    )
    gap.refresh_from_db()
    return gap


@router.delete("/gaps/{gap_id}/opportunities/{opportunity_id}", response={204: None})
def unlink_opportunity(request: HttpRequest, gap_id: int, opportunity_id: int) -> tuple[int, None]:
    gap = get_visible(request, ProductGap, gap_id)
    services.unlink_opportunity(actor=actor(request), gap=gap, opportunity_id=opportunity_id)
    return 204, None


@router.post("/gaps/{gap_id}/merge", response=MergeOut)
def merge_gap(request: HttpRequest, gap_id: int, payload: MergeIn) -> GapMerge:
    """Merge this gap into ``into_id`` (product management); undo with the merge's id."""
    source = get_visible(request, ProductGap, gap_id)
    target = get_visible(request, ProductGap, payload.into_id)
    return services.merge_gaps(actor=actor(request), source=source, target=target)


@router.post("/gap-merges/{merge_id}/undo", response=MergeOut)
def undo_merge(request: HttpRequest, merge_id: int) -> GapMerge:
    merge = None
    if 0 < merge_id <= MAX_ID:
        merge = GapMerge.objects.filter(
            pk=merge_id, source__in=gaps_for(actor(request)).values("pk")
        ).first()
    if merge is None:
        raise Http404(f"No gap merge with id {merge_id}.")
    return services.undo_merge(actor=actor(request), merge=merge)


@router.post("/raised-gaps/{raised_id}/gap", response={200: GapDetailOut, 201: GapDetailOut})
def gap_from_raised(
    request: HttpRequest, raised_id: int, payload: FromRaisedIn
) -> tuple[int, ProductGap]:
    """Turn a debrief's raised gap into a product gap; again answers the same gap (200)."""
    raised = None
    if 0 < raised_id <= MAX_ID:
        raised = RaisedGap.objects.filter(
            pk=raised_id, debrief__in=debriefs_for(actor(request)).values("pk")
        ).first()
    if raised is None:
        raise Http404(f"No raised gap with id {raised_id}.")
    gap, made = services.gap_from_raised(
        actor=actor(request),
        raised=raised,
        fields={"title": payload.title, "product_area": payload.product_area},
        impact=payload.impact,
    )
    return (201 if made else 200), gap


def _weights(team: Team) -> dict[str, Any]:
    weights = analytics.weights_by_team([team.pk])[team.pk]
    return {"team_id": team.pk, **weights}


@router.get("/teams/{team_id}/gap-weights", response=WeightsOut)
def get_weights(request: HttpRequest, team_id: int) -> dict[str, Any]:
    """How much each impact counts in the team's revenue at stake (defaults unless set)."""
    team = Team.objects.filter(pk=team_id).first() if 0 < team_id <= MAX_ID else None
    if team is None:
        raise Http404(f"No team with id {team_id}.")
    return _weights(team)


@router.put("/teams/{team_id}/gap-weights", response=WeightsOut)
def set_weights(request: HttpRequest, team_id: int, payload: WeightsIn) -> dict[str, Any]:
    team = Team.objects.filter(pk=team_id).first() if 0 < team_id <= MAX_ID else None
    if team is None:
        raise Http404(f"No team with id {team_id}.")
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    services.set_impact_weights(actor=actor(request), team=team, weights=changes)
    return _weights(team)
