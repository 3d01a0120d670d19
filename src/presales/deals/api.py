import functools
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.db import connection
from django.db.models import Model, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from presales.core.api import Paginated, actor, get_visible
from presales.deals import services, stages
from presales.deals.access import opportunities_for
from presales.deals.models import Flavor, Opportunity, Stage, StageChange, StageProposal

router = Router(tags=["opportunities"])


RELATIONS = ("sales_engineers", "products", "competitors")


def _relation_part(relation: str) -> str:
    """One relation's ids of one deal, numbered in the related model's own order."""
    quote = connection.ops.quote_name
    field: Any = Opportunity._meta.get_field(relation)
    through: Any = field.remote_field.through._meta
    related: Any = _related_model(relation)._meta

    def column(meta: Any, name: str) -> str:
        return str(quote(meta.pk.column if name == "pk" else meta.get_field(name).column))

    order = ", ".join(
        f"r.{column(related, name.lstrip('-'))}{' DESC' if name.startswith('-') else ''}"
        for name in [*related.ordering, "pk"]
    )
    target = column(through, field.m2m_reverse_field_name())
    return (
        f"SELECT {RELATIONS.index(relation)} AS rel, r.{column(related, 'pk')} AS id, "  # noqa: S608
        f"ROW_NUMBER() OVER (ORDER BY {order}) AS n "
        f"FROM {quote(through.db_table)} t JOIN {quote(related.db_table)} r "
        f"ON r.{column(related, 'pk')} = t.{target} "
        f"WHERE t.{column(through, field.m2m_field_name())} = %s"
    )


@functools.cache
def _relations_sql() -> str:
    """The three relations' ids of one deal, relation by relation, each in its own order."""
    parts = " UNION ALL ".join(
        f"SELECT * FROM ({_relation_part(relation)}) p{i}"  # noqa: S608
        for i, relation in enumerate(RELATIONS)
    )
    return f"SELECT rel, id FROM ({parts}) x ORDER BY rel, n"  # noqa: S608


def _one_deals_relations(obj: Opportunity) -> dict[str, list[int]]:
    """The served deal's engineers, products and competitors in one query (three related
    managers cost a query and an ORM build each), in the order their managers give."""
    held: dict[str, list[int]] | None = getattr(obj, "_relation_ids", None)
    if held is None:
        held = {relation: [] for relation in RELATIONS}
        with connection.cursor() as cursor:
            cursor.execute(_relations_sql(), [obj.pk] * len(RELATIONS))
            for rel, pk in cursor.fetchall():
                held[RELATIONS[rel]].append(pk)
        obj._relation_ids = held  # type: ignore[attr-defined]
    return held


def _related_ids(obj: Opportunity, relation: str) -> list[int]:
    """The ids a list page fetched in one query per relation (``_with_relations``), else those
    of the one deal served."""
    fetched = getattr(obj, f"_{relation}_fetched", None)
    if fetched is None:
        return list(_one_deals_relations(obj)[relation])
    return [related.pk for related in fetched]


class StageChangeOut(Schema):
    from_stage: str
    to_stage: str
    changed_at: Any


class OpportunityOut(Schema):
    id: int
    name: str
    account_id: int | None
    team_id: int | None
    owner_id: int | None
    flavor: str
    stage: str
    amount: Decimal | None
    engage_date: date | None
    close_date: date | None
    sales_engineer_ids: list[int]
    product_ids: list[int]
    competitor_ids: list[int]
    source: str
    external_id: str

    @staticmethod
    def resolve_sales_engineer_ids(obj: Opportunity) -> list[int]:
        return _related_ids(obj, "sales_engineers")

    @staticmethod
    def resolve_product_ids(obj: Opportunity) -> list[int]:
        return _related_ids(obj, "products")

    @staticmethod
    def resolve_competitor_ids(obj: Opportunity) -> list[int]:
        return _related_ids(obj, "competitors")


class OpportunityDetailOut(OpportunityOut):
    stage_history: list[StageChangeOut]

    @staticmethod
    def resolve_stage_history(obj: Opportunity) -> list[StageChange]:
        return list(obj.stage_changes.all())


class OpportunityIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    account_id: int | None = None
    team_id: int | None = None
    owner_id: int | None = None
    flavor: Flavor = Flavor.UNKNOWN
    stage: Stage = Stage.PROSPECTING
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    engage_date: date | None = None
    close_date: date | None = None
    sales_engineer_ids: list[int] = []
    product_ids: list[int] = []
    competitor_ids: list[int] = []


class OpportunityPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    account_id: int | None = None
    team_id: int | None = None
    owner_id: int | None = None
    flavor: Flavor | None = None
    stage: Stage | None = None
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    engage_date: date | None = None
    close_date: date | None = None
    sales_engineer_ids: list[int] | None = None
    product_ids: list[int] | None = None
    competitor_ids: list[int] | None = None
    confirm_gate: bool = Field(
        False,
        description="Move past a stage gate although required criteria have no evidence; "
        "the override is recorded",
    )


class OpportunityFilter(FilterSchema):
    q: str | None = Field(None, description="Words in the deal or account name")
    stage: Stage | None = None
    flavor: Flavor | None = None
    account_id: int | None = None
    owner_id: int | None = None
    team_id: int | None = None
    open: bool | None = Field(None, description="Only open (true) or only closed (false) deals")
    close_after: Annotated[date | None, FilterLookup("close_date__gte")] = None
    close_before: Annotated[date | None, FilterLookup("close_date__lte")] = None

    def filter_q(self, value: str | None) -> Q:
        return Q(name__icontains=value) | Q(account__name__icontains=value) if value else Q()

    def filter_open(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        closed = Q(stage__in=[Stage.WON, Stage.LOST])
        return ~closed if value else closed


def _related_model(relation: str) -> type[Model]:
    model = Opportunity._meta.get_field(relation).related_model
    assert isinstance(model, type) and issubclass(model, Model)
    return model


def _with_relations(rows: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    # Into plain lists of instances holding their id alone: a related manager per deal and
    # relation cost more than the page's queries.
    return rows.prefetch_related(
        *(
            Prefetch(
                relation,
                queryset=_related_model(relation)._default_manager.only("pk"),
                to_attr=f"_{relation}_fetched",
            )
            for relation in RELATIONS
        )
    )


@router.get("/opportunities", response=list[OpportunityOut])
@paginate(Paginated)
def list_opportunities(
    request: HttpRequest, filters: Query[OpportunityFilter]
) -> QuerySet[Opportunity]:
    rows = opportunities_for(actor(request)).order_by("-close_date", "id")
    return _with_relations(filters.filter(rows))


@router.get("/opportunities/{opportunity_id}", response=OpportunityDetailOut)
def get_opportunity(request: HttpRequest, opportunity_id: int) -> Opportunity:
    return get_visible(request, Opportunity, opportunity_id)


@router.post("/opportunities", response={201: OpportunityDetailOut})
def create_opportunity(request: HttpRequest, payload: OpportunityIn) -> tuple[int, Opportunity]:
    return 201, services.create_opportunity(actor=actor(request), fields=payload.dict())


@router.patch("/opportunities/{opportunity_id}", response=OpportunityDetailOut)
def update_opportunity(
    request: HttpRequest, opportunity_id: int, payload: OpportunityPatch
) -> Opportunity:
    opportunity = get_visible(request, Opportunity, opportunity_id)
    changes = payload.dict(exclude_unset=True)
    confirm_gate = bool(changes.pop("confirm_gate", False))
    return services.update_opportunity(
        actor=actor(request),
        opportunity=opportunity,
        changes=changes,
        confirm_gate=confirm_gate,
        seen=True,  # get_visible read it
    )


class StageProposalIn(Schema):
    to_stage: Stage
    reason: str = Field("", max_length=stages.REASON_LIMIT)


class StageProposalOut(Schema):
    id: int
    opportunity_id: int
    from_stage: str
    to_stage: str
    reason: str
    proposed_by_id: int | None
    proposed_at: Any
    status: str
    decided_by_id: int | None
    decided_at: Any


class StageDecisionIn(Schema):
    accept: bool
    confirm_close: bool = Field(
        False, description="Required to accept a proposal that closes the deal won or lost"
    )
    confirm_gate: bool = False


def _proposal(request: HttpRequest, proposal_id: int) -> StageProposal:
    found = (
        StageProposal.objects.filter(
            pk=proposal_id, opportunity__in=opportunities_for(actor(request)).values("pk")
        )
        .select_related("opportunity")
        .first()
    )
    if found is None:
        raise Http404(f"No stage proposal with id {proposal_id} that you can see.")
    return found


@router.get("/opportunities/{opportunity_id}/stage-proposals", response=list[StageProposalOut])
def list_stage_proposals(request: HttpRequest, opportunity_id: int) -> QuerySet[StageProposal]:
    opportunity = get_visible(request, Opportunity, opportunity_id)
    return opportunity.stage_proposals.order_by("-proposed_at", "-id")


@router.post("/opportunities/{opportunity_id}/stage-proposals", response={201: StageProposalOut})
def propose_stage(
    request: HttpRequest, opportunity_id: int, payload: StageProposalIn
) -> tuple[int, StageProposal]:
    opportunity = get_visible(request, Opportunity, opportunity_id)
    proposal = stages.propose_stage(
        actor=actor(request),
        opportunity=opportunity,
        to_stage=payload.to_stage,
        reason=payload.reason,
    )
    return 201, proposal


@router.post("/stage-proposals/{proposal_id}/decision", response=StageProposalOut)
def decide_stage_proposal(
    request: HttpRequest, proposal_id: int, payload: StageDecisionIn
) -> StageProposal:
    return stages.decide_proposal(
        actor=actor(request),
        proposal=_proposal(request, proposal_id),
        accept=payload.accept,
        confirm_close=payload.confirm_close,
        confirm_gate=payload.confirm_gate,
    )
