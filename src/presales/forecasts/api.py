from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from presales.core.api import Paginated, actor, get_visible
from presales.forecasts import services
from presales.forecasts.access import forecast_submissions_for
from presales.forecasts.accuracy import LEVELS, accuracy
from presales.forecasts.models import Adjustment, Category, Line, Submission

router = Router(tags=["forecasts"])


class LineOut(Schema):
    id: int
    opportunity_id: int
    category: str
    amount: Decimal
    close_date: date | None
    stage: str
    se_confidence: int | None
    se_id: int | None
    se_note: str


class AdjustmentOut(Schema):
    id: int
    manager_id: int | None
    commit: Decimal
    best_case: Decimal | None
    reason: str
    created_at: datetime


class SubmissionOut(Schema):
    id: int
    owner_id: int
    team_id: int | None
    period: str = Field(..., alias="period_label")
    period_start: date
    period_end: date
    week: date
    submitted_at: datetime
    commit_total: Decimal
    best_case_total: Decimal
    pipeline_total: Decimal
    adjusted_commit: Decimal


class SubmissionDetailOut(SubmissionOut):
    lines: list[LineOut]
    adjustments: list[AdjustmentOut]

    @staticmethod
    def resolve_lines(obj: Submission) -> list[Line]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_adjustments(obj: Submission) -> list[Adjustment]:
        return list(obj.adjustments.all())


class SubmissionIn(Schema):
    period_start: date = Field(..., description="Any day of the quarter the forecast is for")
    categories: dict[int, Category] = Field(
        default_factory=dict,
        description="Deal id → commit, best_case, pipeline or omitted; deals not named keep "
        "their last category (or pipeline)",
    )


class AdjustmentIn(Schema):
    commit: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)
    best_case: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    reason: str = Field(..., min_length=1, max_length=2000)


class ConfidenceIn(Schema):
    confidence: int = Field(..., ge=0, le=100)
    note: str = Field("", max_length=300)


class SnapshotIn(Schema):
    week: date | None = Field(None, description="Any day of the week (default: this week)")


class SnapshotOut(Schema):
    week: date
    created: int
    unchanged: int
    lines: int


class SubmissionFilter(Schema):
    period_start: date | None = Field(None, description="Any day of the quarter")
    owner_id: int | None = None
    team_id: int | None = None


class RateOut(Schema):
    successes: int
    n: int
    low: float | None
    high: float | None


class SummaryOut(Schema):
    periods: int
    attainment: float | None
    bias: float | None
    spread: float | None
    mape: float | None
    hits: RateOut


class PeriodOut(Schema):
    label: str
    forecast: Decimal
    actual: Decimal
    attainment: float | None


class SubjectOut(Schema):
    rank: int
    key: int
    name: str
    summary: SummaryOut
    periods: list[PeriodOut]


class AccuracyOut(Schema):
    level: str
    period_labels: list[str]
    reference_mape: float | None
    reference_label: str
    subjects: list[SubjectOut]
    notes: list[str]


@router.get("/forecasts/submissions", response=list[SubmissionOut])
@paginate(Paginated)
def list_submissions(
    request: HttpRequest, filters: Query[SubmissionFilter]
) -> QuerySet[Submission]:
    from presales.forecasts.models import quarter_of

    rows = forecast_submissions_for(actor(request)).order_by("-period_start", "-week", "id")
    if filters.period_start:
        rows = rows.filter(period_start=quarter_of(filters.period_start)[0])
    if filters.owner_id:
        rows = rows.filter(owner_id=filters.owner_id)
    if filters.team_id:
        rows = rows.filter(team_id=filters.team_id)
    return rows.prefetch_related("adjustments")


@router.get("/forecasts/submissions/{submission_id}", response=SubmissionDetailOut)
def get_submission(request: HttpRequest, submission_id: int) -> Submission:
    return get_visible(request, Submission, submission_id)


@router.post("/forecasts/submissions", response={201: SubmissionDetailOut})
def submit_forecast(request: HttpRequest, payload: SubmissionIn) -> tuple[int, Submission]:
    return 201, services.submit_forecast(
        actor=actor(request),
        period_start=payload.period_start,
        categories={k: str(v) for k, v in payload.categories.items()},
    )


@router.post("/forecasts/submissions/{submission_id}/adjustments", response={201: AdjustmentOut})
def adjust_forecast(
    request: HttpRequest, submission_id: int, payload: AdjustmentIn
) -> tuple[int, Adjustment]:
    submission = get_visible(request, Submission, submission_id)
    return 201, services.adjust_forecast(
        actor=actor(request),
        submission=submission,
        commit=payload.commit,
        best_case=payload.best_case,
        reason=payload.reason,
    )


@router.put("/forecasts/lines/{line_id}/confidence", response=LineOut)
def rate_confidence(request: HttpRequest, line_id: int, payload: ConfidenceIn) -> Line:
    from django.http import Http404

    line = Line.objects.filter(
        pk=line_id, submission__in=forecast_submissions_for(actor(request))
    ).first()
    if line is None:
        raise Http404(f"No forecast line with id {line_id}.")
    return services.rate_confidence(
        actor=actor(request), line=line, confidence=payload.confidence, note=payload.note
    )


@router.post("/forecasts/snapshots", response=SnapshotOut)
def take_snapshot(request: HttpRequest, payload: SnapshotIn) -> services.SnapshotResult:
    return services.take_snapshot(actor=actor(request), week=payload.week)


class AccuracyQuery(Schema):
    level: str = Field("rep", description=f"One of {', '.join(LEVELS)}")
    periods: int = Field(4, ge=1, le=12, description="How many closed quarters, newest last")


@router.get("/forecasts/accuracy", response=AccuracyOut)
def get_accuracy(request: HttpRequest, query: Query[AccuracyQuery]) -> object:
    if query.level not in LEVELS:
        raise ValidationError({"level": f"Use one of {', '.join(LEVELS)}."})
    return accuracy(viewer=actor(request), level=query.level, periods=query.periods)
