from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from presales.accounts.models import Contact
from presales.core.api import actor, get_visible
from presales.core.services import resolve_plain
from presales.deals.access import opportunities_for
from presales.deals.models import Opportunity, Stage
from presales.people.models import Team, User
from presales.qualification import analytics, services
from presales.qualification.access import frameworks_for
from presales.qualification.models import (
    BusinessIssue,
    CirclesRating,
    Criterion,
    Framework,
    GateOverride,
    Sentiment,
)

router = Router(tags=["qualification"])


# -- frameworks --------------------------------------------------------------------------------


class CriterionOut(Schema):
    id: int
    key: str
    name: str
    guidance: str
    weight: Decimal
    required_from_stage: str
    position: int


class FrameworkOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    team_id: int | None
    based_on_id: int | None
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_criteria(obj: Framework) -> list[Criterion]:
        return list(obj.criteria.all())


class CriterionIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    key: str = Field("", max_length=40, pattern=r"^[-a-z0-9_]*$")
    guidance: str = ""
    weight: Decimal = Field(Decimal(1), gt=0, le=10, max_digits=4, decimal_places=2)
    required_from_stage: Stage | None = None
    position: int | None = Field(None, ge=0)


class CriterionPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    guidance: str | None = None
    weight: Decimal | None = Field(None, gt=0, le=10, max_digits=4, decimal_places=2)
    required_from_stage: Stage | None = Field(None, description="Empty string: no gate")
    position: int | None = Field(None, ge=0)


class CopyIn(Schema):
    team_id: int
    name: str = Field("", max_length=80)


class ChoiceIn(Schema):
    framework_id: int


class ChoiceOut(Schema):
    team_id: int
    framework_id: int


def _frameworks(user: User) -> QuerySet[Framework]:
    return frameworks_for(user).prefetch_related("criteria")


def _framework(request: HttpRequest, framework_id: int) -> Framework:
    framework = _frameworks(actor(request)).filter(pk=framework_id).first()
    if framework is None:
        raise Http404(f"No framework with id {framework_id}.")
    return framework


def _criterion(request: HttpRequest, criterion_id: int) -> Criterion:
    criterion = (
        Criterion.objects.filter(framework__in=_frameworks(actor(request)), pk=criterion_id)
        .select_related("framework", "framework__team")
        .first()
    )
    if criterion is None:
        raise Http404(f"No criterion with id {criterion_id}.")
    return criterion


def _criterion_fields(payload: Schema, *, exclude_unset: bool) -> dict[str, object]:
    fields = payload.dict(exclude_unset=exclude_unset)
    if "required_from_stage" in fields:
        fields["required_from_stage"] = fields["required_from_stage"] or ""
    if fields.get("position") is None:
        fields.pop("position", None)
    return fields


@router.get("/qualification/frameworks", response=list[FrameworkOut])
def list_frameworks(request: HttpRequest) -> QuerySet[Framework]:
    return _frameworks(actor(request))


@router.get("/qualification/frameworks/{framework_id}", response=FrameworkOut)
def get_framework(request: HttpRequest, framework_id: int) -> Framework:
    return _framework(request, framework_id)


@router.post("/qualification/frameworks/{framework_id}/copy", response={201: FrameworkOut})
def copy_framework(
    request: HttpRequest, framework_id: int, payload: CopyIn
) -> tuple[int, Framework]:
    team = resolve_plain(Team, payload.team_id, field="team_id")
    assert team is not None
    framework = _framework(request, framework_id)
    return 201, services.copy_framework(
        actor=actor(request), framework=framework, team=team, name=payload.name
    )


@router.post("/qualification/frameworks/{framework_id}/criteria", response={201: CriterionOut})
def add_criterion(
    request: HttpRequest, framework_id: int, payload: CriterionIn
) -> tuple[int, Criterion]:
    framework = _framework(request, framework_id)
    fields = _criterion_fields(payload, exclude_unset=False)
    return 201, services.add_criterion(actor=actor(request), framework=framework, fields=fields)


@router.patch("/qualification/criteria/{criterion_id}", response=CriterionOut)
def update_criterion(request: HttpRequest, criterion_id: int, payload: CriterionPatch) -> Criterion:
    criterion = _criterion(request, criterion_id)
    fields = _criterion_fields(payload, exclude_unset=True)
    return services.update_criterion(actor=actor(request), criterion=criterion, changes=fields)


@router.delete("/qualification/criteria/{criterion_id}", response={204: None})
def delete_criterion(request: HttpRequest, criterion_id: int) -> tuple[int, None]:
    services.delete_criterion(actor=actor(request), criterion=_criterion(request, criterion_id))
    return 204, None


@router.put("/teams/{team_id}/framework", response=ChoiceOut)
def choose_framework(request: HttpRequest, team_id: int, payload: ChoiceIn) -> ChoiceOut:
    team = resolve_plain(Team, team_id, field="team_id")
    assert team is not None
    framework = _framework(request, payload.framework_id)
    choice = services.choose_framework(actor=actor(request), team=team, framework=framework)
    return ChoiceOut(team_id=choice.team_id, framework_id=choice.framework_id)


# -- a deal's qualification --------------------------------------------------------------------


class EvidenceOut(Schema):
    id: int
    criterion_id: int
    text: str
    supports: bool
    recorded_by_id: int | None
    recorded_at: datetime


class CriterionStatusOut(Schema):
    criterion: CriterionOut
    state: str = Field(description="met, against (latest evidence says no) or missing")
    evidence: EvidenceOut | None


class AssessmentOut(Schema):
    framework_id: int
    framework: str
    score: Decimal
    total: Decimal
    percent: int
    label: str
    missing: list[str]
    criteria: list[CriterionStatusOut]


class EvidenceIn(Schema):
    criterion_id: int
    text: str = Field(min_length=1, max_length=4000)
    supports: bool = True


class GateOverrideOut(Schema):
    id: int
    from_stage: str
    to_stage: str
    missing: list[str]
    confirmed_by_id: int | None
    confirmed_at: datetime


def _assessment_out(opportunity: Opportunity) -> AssessmentOut:
    a = services.assess(opportunity)
    return AssessmentOut(
        framework_id=a.framework.pk,
        framework=a.framework.name,
        score=a.score,
        total=a.total,
        percent=a.percent,
        label=a.label,
        missing=[c.name for c in a.missing],
        criteria=[
            CriterionStatusOut(
                criterion=CriterionOut.from_orm(s.criterion),
                state=s.state,
                evidence=EvidenceOut.from_orm(s.evidence) if s.evidence else None,
            )
            for s in a.criteria
        ],
    )


@router.get("/opportunities/{opportunity_id}/qualification", response=AssessmentOut)
def get_qualification(request: HttpRequest, opportunity_id: int) -> AssessmentOut:
    return _assessment_out(get_visible(request, Opportunity, opportunity_id))


@router.post("/opportunities/{opportunity_id}/evidence", response={201: AssessmentOut})
def record_evidence(
    request: HttpRequest, opportunity_id: int, payload: EvidenceIn
) -> tuple[int, AssessmentOut]:
    opportunity = get_visible(request, Opportunity, opportunity_id)
    criterion = resolve_plain(Criterion, payload.criterion_id, field="criterion_id")
    assert criterion is not None
    services.record_evidence(
        actor=actor(request),
        opportunity=opportunity,
        criterion=criterion,
        text=payload.text,
        supports=payload.supports,
    )
    return 201, _assessment_out(opportunity)


@router.get("/opportunities/{opportunity_id}/gate-overrides", response=list[GateOverrideOut])
def list_gate_overrides(request: HttpRequest, opportunity_id: int) -> QuerySet[GateOverride]:
    return get_visible(request, Opportunity, opportunity_id).gate_overrides.all()


# -- three circles -----------------------------------------------------------------------------


class CirclesIn(Schema):
    they_do: str = ""
    they_think_we_do: str = ""
    they_think_possible: str = ""
    our_view: str = ""
    overlap: int | None = Field(
        None,
        ge=1,
        le=5,
        description="1 = complete disconnect … 5 = circles coincide; null while unrated",
    )


class CirclesOut(CirclesIn):
    id: int
    recorded_by_id: int | None
    recorded_at: datetime


@router.get("/opportunities/{opportunity_id}/circles", response=list[CirclesOut])
def list_circles(request: HttpRequest, opportunity_id: int) -> QuerySet[CirclesRating]:
    return get_visible(request, Opportunity, opportunity_id).circles.all()


@router.post("/opportunities/{opportunity_id}/circles", response={201: CirclesOut})
def record_circles(
    request: HttpRequest, opportunity_id: int, payload: CirclesIn
) -> tuple[int, CirclesRating]:
    opportunity = get_visible(request, Opportunity, opportunity_id)
    return 201, services.record_circles(
        actor=actor(request), opportunity=opportunity, fields=payload.dict()
    )


class RateOut(Schema):
    successes: int
    n: int
    value: float | None
    low: float | None
    high: float | None


class MedianOut(Schema):
    n: int
    value: float | None
    low: float | None
    high: float | None


class OverlapGroupOut(Schema):
    key: str
    label: str
    closed: int
    win_rate: RateOut
    cycle_days: MedianOut


class CirclesAnalysisOut(Schema):
    groups: list[OverlapGroupOut]
    reference: OverlapGroupOut
    closed_deals: int
    rated_early: int
    verdict_win_rate: str
    verdict_cycle: str
    too_few: bool


@router.get("/qualification/circles-analysis", response=CirclesAnalysisOut)
def circles_analysis(request: HttpRequest) -> analytics.CirclesAnalysis:
    return analytics.circles_analysis(opportunities_for(actor(request)))


# -- stakeholders ------------------------------------------------------------------------------


class StakeholderOut(Schema):
    contact_id: int
    name: str
    title: str
    role: str
    needs: str
    status: str
    sentiment: str
    comment: str
    last_touch: datetime | None


class StakeholderMapOut(Schema):
    stakeholders: list[StakeholderOut]
    warnings: list[str]


class StakeholderIn(Schema):
    sentiment: Sentiment = Sentiment.UNKNOWN
    deal_role: Contact.DealRole | None = None
    comment: str = ""


def _map_out(opportunity: Opportunity) -> StakeholderMapOut:
    m = services.stakeholder_map(opportunity)
    return StakeholderMapOut(
        stakeholders=[
            StakeholderOut(
                contact_id=r.contact.pk,
                name=r.contact.full_name,
                title=r.contact.title,
                role=r.role,
                needs=r.contact.needs,
                status=r.contact.status,
                sentiment=r.sentiment,
                comment=r.comment,
                last_touch=r.last_touch,
            )
            for r in m.rows
        ],
        warnings=m.warnings,
    )


@router.get("/opportunities/{opportunity_id}/stakeholders", response=StakeholderMapOut)
def get_stakeholders(request: HttpRequest, opportunity_id: int) -> StakeholderMapOut:
    return _map_out(get_visible(request, Opportunity, opportunity_id))


@router.put("/opportunities/{opportunity_id}/stakeholders/{contact_id}", response=StakeholderMapOut)
def set_stakeholder(
    request: HttpRequest, opportunity_id: int, contact_id: int, payload: StakeholderIn
) -> StakeholderMapOut:
    opportunity = get_visible(request, Opportunity, opportunity_id)
    services.set_stakeholder(
        actor=actor(request),
        opportunity=opportunity,
        contact_id=contact_id,
        sentiment=payload.sentiment,
        deal_role=payload.deal_role or "",
        comment=payload.comment,
    )
    return _map_out(opportunity)


# -- business issues ---------------------------------------------------------------------------


class BusinessIssueIn(Schema):
    customer_words: str = Field(min_length=1)
    paraphrase: str = ""
    confirmed_on: date | None = None
    confirmed_by_id: int | None = None


class BusinessIssuePatch(Schema):
    customer_words: str | None = Field(None, min_length=1)
    paraphrase: str | None = None
    confirmed_on: date | None = None
    confirmed_by_id: int | None = None


class ConfirmIn(Schema):
    confirmed_on: date | None = None
    confirmed_by_id: int | None = None


class BusinessIssueOut(Schema):
    id: int
    opportunity_id: int
    customer_words: str
    paraphrase: str
    confirmed: bool
    confirmed_on: date | None
    confirmed_by_id: int | None
    recorded_by_id: int | None
    created_at: datetime


def _issue(request: HttpRequest, issue_id: int) -> BusinessIssue:
    issue = (
        BusinessIssue.objects.filter(
            opportunity__in=opportunities_for(actor(request)).values("pk"), pk=issue_id
        )
        .select_related("opportunity")
        .first()
    )
    if issue is None:
        raise Http404(f"No business issue with id {issue_id}.")
    return issue


@router.get("/opportunities/{opportunity_id}/business-issues", response=list[BusinessIssueOut])
def list_business_issues(request: HttpRequest, opportunity_id: int) -> QuerySet[BusinessIssue]:
    return get_visible(request, Opportunity, opportunity_id).business_issues.all()


@router.post("/opportunities/{opportunity_id}/business-issues", response={201: BusinessIssueOut})
def record_business_issue(
    request: HttpRequest, opportunity_id: int, payload: BusinessIssueIn
) -> tuple[int, BusinessIssue]:
    opportunity = get_visible(request, Opportunity, opportunity_id)
    return 201, services.record_business_issue(
        actor=actor(request), opportunity=opportunity, fields=payload.dict()
    )


@router.patch("/business-issues/{issue_id}", response=BusinessIssueOut)
def update_business_issue(
    request: HttpRequest, issue_id: int, payload: BusinessIssuePatch
) -> BusinessIssue:
    return services.update_business_issue(
        actor=actor(request),
        issue=_issue(request, issue_id),
        changes=payload.dict(exclude_unset=True),
    )


@router.post("/business-issues/{issue_id}/confirm", response=BusinessIssueOut)
def confirm_business_issue(
    request: HttpRequest, issue_id: int, payload: ConfirmIn
) -> BusinessIssue:
    return services.confirm_business_issue(
        actor=actor(request),
        issue=_issue(request, issue_id),
        on=payload.confirmed_on,
        contact_id=payload.confirmed_by_id,
    )
