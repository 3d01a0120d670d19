from datetime import date, datetime
from typing import Literal

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from presales.activities.models import Activity
from presales.core.api import Paginated, actor, get_visible
from presales.meetings import export, services
from presales.meetings.access import commitments_for, debriefs_for, reports_for, topics_for
from presales.meetings.models import Commitment, Debrief, RaisedGap, Report, Topic
from presales.meetings.planner import build_plan

router = Router(tags=["meetings"])


# -- plan --------------------------------------------------------------------------------------


class PlanIn(Schema):
    outcomes: str = Field("", description="One outcome per line")
    agenda: str = ""


class AttendeeOut(Schema):
    name: str
    title: str
    role: str
    needs: str
    sentiment: str
    last_touch: datetime | None


class DigestNoteOut(Schema):
    when: datetime
    author: str
    text: str
    new: bool = Field(description="Written since the last meeting")


class TopicHintOut(Schema):
    name: str
    answer: str
    why: str


class CommitmentOut(Schema):
    id: int
    account_id: int
    opportunity_id: int | None
    activity_id: int | None
    direction: str
    what: str
    promised_by: str
    promised_to: str
    owner_id: int | None
    due_on: date
    status: str
    is_overdue: bool
    resolved_at: datetime | None
    resolution: str


class CommitmentListsOut(Schema):
    overdue: list[CommitmentOut]
    open: list[CommitmentOut]
    kept_since_last: list[CommitmentOut]
    broken_since_last: list[CommitmentOut]


class SimilarOut(Schema):
    activity_id: int
    subject: str
    score: float
    went_right: str
    went_wrong: str


class PlanOut(Schema):
    activity_id: int
    subject: str
    starts_at: datetime
    outcomes: list[str]
    attendees: list[AttendeeOut]
    last_meeting_id: int | None
    notes: list[DigestNoteOut]
    commitments: CommitmentListsOut
    gaps: list[str]
    missing_criteria: list[str]
    warnings: list[str]
    topics: list[TopicHintOut]
    similar: list[SimilarOut]


def _plan_out(request: HttpRequest, activity: Activity) -> PlanOut:
    plan = build_plan(activity=activity, viewer=actor(request))
    return PlanOut(
        activity_id=activity.pk,
        subject=activity.subject,
        starts_at=activity.starts_at,
        outcomes=plan.outcomes,
        attendees=[AttendeeOut(**vars(a)) for a in plan.attendees],
        last_meeting_id=plan.last_meeting.pk if plan.last_meeting else None,
        notes=[DigestNoteOut(**vars(n)) for n in plan.notes],
        commitments=CommitmentListsOut(
            **{
                name: [CommitmentOut.from_orm(c) for c in getattr(plan.commitments, name)]
                for name in ("overdue", "open", "kept_since_last", "broken_since_last")
            }
        ),
        gaps=[g.text for g in plan.gaps],
        missing_criteria=plan.missing_criteria,
        warnings=plan.warnings,
        topics=[TopicHintOut(**vars(t)) for t in plan.topics],
        similar=[
            SimilarOut(
                activity_id=s.activity.pk,
                subject=s.activity.subject,
                score=round(s.score, 3),
                went_right=s.went_right,
                went_wrong=s.went_wrong,
            )
            for s in plan.similar
        ],
    )


@router.get("/activities/{activity_id}/plan", response=PlanOut)
def get_plan(request: HttpRequest, activity_id: int) -> PlanOut:
    return _plan_out(request, get_visible(request, Activity, activity_id))


@router.put("/activities/{activity_id}/plan", response=PlanOut)
def save_plan(request: HttpRequest, activity_id: int, payload: PlanIn) -> PlanOut:
    activity = get_visible(request, Activity, activity_id)
    services.save_plan(
        actor=actor(request), activity=activity, outcomes=payload.outcomes, agenda=payload.agenda
    )
    return _plan_out(request, activity)


@router.get("/activities/{activity_id}/plan/export")
def export_plan(
    request: HttpRequest, activity_id: int, format: Literal["md", "pdf"] = "md"
) -> HttpResponse:
    activity = get_visible(request, Activity, activity_id)
    plan = build_plan(activity=activity, viewer=actor(request))
    if format == "pdf":
        response = HttpResponse(export.to_pdf(plan), content_type="application/pdf")
    else:
        response = HttpResponse(export.to_markdown(plan), content_type="text/markdown")
    response["Content-Disposition"] = f'attachment; filename="plan-{activity.pk}.{format}"'
    return response


@router.post("/activities/{activity_id}/held", response={200: dict})
def mark_held(request: HttpRequest, activity_id: int) -> dict[str, object]:
    activity = services.mark_held(
        actor=actor(request), activity=get_visible(request, Activity, activity_id)
    )
    return {"id": activity.pk, "status": activity.status}


# -- debrief -----------------------------------------------------------------------------------


class CommitmentIn(Schema):
    what: str = Field(min_length=1)
    promised_by: str = Field("", max_length=120)
    promised_to: str = Field("", max_length=120)
    direction: Commitment.Direction = Commitment.Direction.OURS
    due_on: date
    owner_id: int | None = None


class NewCommitmentIn(CommitmentIn):
    account_id: int | None = None
    opportunity_id: int | None = None
    activity_id: int | None = None


class CommitmentPatch(Schema):
    what: str | None = Field(None, min_length=1)
    promised_by: str | None = Field(None, max_length=120)
    promised_to: str | None = Field(None, max_length=120)
    due_on: date | None = None
    owner_id: int | None = None
    status: Commitment.Status | None = None
    resolution: str | None = None


class DebriefIn(Schema):
    went_right: str = ""
    went_wrong: str = ""
    next_steps: str = ""
    same_page: Debrief.SamePage | None = None
    same_page_detail: str = ""
    feedback_rep_to_se: str = ""
    feedback_se_to_rep: str = ""
    commitments: list[CommitmentIn] = []
    gaps: list[str] = Field([], description="Product gaps the customer raised, one per item")
    notes: str = Field("", description="Notes from the meeting, saved as a note on it")


class RaisedGapOut(Schema):
    id: int
    text: str
    account_id: int | None
    opportunity_id: int | None
    raised_by_id: int | None
    created_at: datetime
    converted_to: str


class DebriefOut(Schema):
    id: int
    activity_id: int
    author_id: int | None
    went_right: str
    went_wrong: str
    next_steps: str
    same_page: str
    same_page_detail: str
    feedback_rep_to_se: str
    feedback_se_to_rep: str
    created_at: datetime
    updated_at: datetime
    gaps: list[RaisedGapOut]
    commitments: list[CommitmentOut]

    @staticmethod
    def resolve_gaps(obj: Debrief) -> list[RaisedGap]:
        return list(obj.gaps.all())

    @staticmethod
    def resolve_commitments(obj: Debrief) -> list[Commitment]:
        return list(obj.activity.commitments.all())


@router.get("/activities/{activity_id}/debrief", response=DebriefOut)
def get_debrief(request: HttpRequest, activity_id: int) -> Debrief:
    activity = get_visible(request, Activity, activity_id)
    debrief = Debrief.objects.filter(activity=activity).first()
    if debrief is None:
        raise Http404(f"Activity {activity_id} has no debrief yet.")
    return debrief


@router.put("/activities/{activity_id}/debrief", response=DebriefOut)
def record_debrief(request: HttpRequest, activity_id: int, payload: DebriefIn) -> Debrief:
    activity = get_visible(request, Activity, activity_id)
    data = payload.dict()
    commitments = [dict(c) for c in data.pop("commitments")]
    gaps = data.pop("gaps")
    notes_text = data.pop("notes")
    if data.get("same_page") is None:
        data.pop("same_page")
    return services.record_debrief(
        actor=actor(request),
        activity=activity,
        fields=data,
        commitments=commitments,
        gaps=gaps,
        notes_text=notes_text,
    )


class DebriefPatch(Schema):
    went_right: str | None = None
    went_wrong: str | None = None
    next_steps: str | None = None
    same_page: Debrief.SamePage | None = Field(
        None, description='"" takes the answer back to unanswered'
    )
    same_page_detail: str | None = None
    feedback_rep_to_se: str | None = None
    feedback_se_to_rep: str | None = None


@router.patch("/activities/{activity_id}/debrief", response=DebriefOut)
def edit_debrief(request: HttpRequest, activity_id: int, payload: DebriefPatch) -> Debrief:
    """The author edits their debrief: the fields sent replace what is stored, empty included."""
    activity = get_visible(request, Activity, activity_id)
    if not Debrief.objects.filter(activity=activity).exists():
        raise Http404(f"Activity {activity_id} has no debrief yet.")
    fields = {k: v if v is not None else "" for k, v in payload.dict(exclude_unset=True).items()}
    return services.record_debrief(
        actor=actor(request), activity=activity, fields=fields, replace=True
    )


class PendingOut(Schema):
    id: int
    subject: str
    ends_at: datetime
    account_id: int | None


@router.get("/me/debriefs-due", response=list[PendingOut])
def debriefs_due(request: HttpRequest) -> QuerySet[Activity]:
    """Customer meetings you attended that ended over 24 hours ago without a debrief."""
    return services.undebriefed_for(actor(request))[:100]


@router.get("/raised-gaps", response=list[RaisedGapOut])
@paginate(Paginated)
def list_raised_gaps(request: HttpRequest, account_id: int | None = None) -> QuerySet[RaisedGap]:
    rows = RaisedGap.objects.filter(debrief__in=debriefs_for(actor(request)).values("pk")).order_by(
        "-created_at", "-id"
    )
    return rows.filter(account_id=account_id) if account_id else rows


# -- commitments -------------------------------------------------------------------------------


class CommitmentFilter(FilterSchema):
    account_id: int | None = None
    opportunity_id: int | None = None
    status: Commitment.Status | None = None
    owner_id: int | None = None
    overdue: bool | None = Field(None, description="Only open commitments past their date")

    def filter_overdue(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        late = Q(status=Commitment.Status.OPEN, due_on__lt=timezone.localdate())
        return late if value else ~late


@router.get("/commitments", response=list[CommitmentOut])
@paginate(Paginated)
def list_commitments(
    request: HttpRequest, filters: Query[CommitmentFilter]
) -> QuerySet[Commitment]:
    rows = commitments_for(actor(request)).order_by("due_on", "id")
    return filters.filter(rows)


@router.post("/commitments", response={201: CommitmentOut})
def create_commitment(request: HttpRequest, payload: NewCommitmentIn) -> tuple[int, Commitment]:
    return 201, services.create_commitment(actor=actor(request), fields=payload.dict())


@router.patch("/commitments/{commitment_id}", response=CommitmentOut)
def update_commitment(
    request: HttpRequest, commitment_id: int, payload: CommitmentPatch
) -> Commitment:
    commitment = get_visible(request, Commitment, commitment_id)
    return services.update_commitment(
        actor=actor(request), commitment=commitment, changes=payload.dict(exclude_unset=True)
    )


# -- topic map ---------------------------------------------------------------------------------


class TopicIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    keywords: str = Field("", max_length=300)
    answer: str = ""
    team_id: int | None = None
    leads_to_ids: list[int] = []


class TopicPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=80)
    keywords: str | None = Field(None, max_length=300)
    answer: str | None = None
    leads_to_ids: list[int] | None = None


class TopicOut(Schema):
    id: int
    name: str
    keywords: str
    answer: str
    team_id: int | None
    leads_to_ids: list[int]

    @staticmethod
    def resolve_leads_to_ids(obj: Topic) -> list[int]:
        return [t.pk for t in obj.leads_to.all()]


@router.get("/topics", response=list[TopicOut])
def list_topics(request: HttpRequest) -> QuerySet[Topic]:
    return topics_for(actor(request)).prefetch_related("leads_to")


@router.post("/topics", response={201: TopicOut})
def create_topic(request: HttpRequest, payload: TopicIn) -> tuple[int, Topic]:
    return 201, services.create_topic(actor=actor(request), fields=payload.dict())


@router.patch("/topics/{topic_id}", response=TopicOut)
def update_topic(request: HttpRequest, topic_id: int, payload: TopicPatch) -> Topic:
    topic = get_visible(request, Topic, topic_id)
    return services.update_topic(
        actor=actor(request), topic=topic, changes=payload.dict(exclude_unset=True)
    )


# -- reports -----------------------------------------------------------------------------------


class ReportIn(Schema):
    kind: Report.Kind
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1)
    what_worked: str = ""
    what_did_not: str = ""
    lessons: str = ""
    opportunity_id: int | None = None
    account_id: int | None = None
    activity_ids: list[int] = []


class ReportPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = Field(None, min_length=1)
    what_worked: str | None = None
    what_did_not: str | None = None
    lessons: str | None = None


class ReportOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    what_worked: str
    what_did_not: str
    lessons: str
    opportunity_id: int | None
    account_id: int | None
    activity_ids: list[int]
    author_id: int | None
    created_at: datetime
    published_at: datetime | None

    @staticmethod
    def resolve_activity_ids(obj: Report) -> list[int]:
        return [a.pk for a in obj.activities.all()]


class PublishIn(Schema):
    publish: bool = True


@router.get("/reports", response=list[ReportOut])
@paginate(Paginated)
def list_reports(request: HttpRequest, kind: Report.Kind | None = None) -> QuerySet[Report]:
    rows = reports_for(actor(request)).prefetch_related("activities")
    return rows.filter(kind=kind) if kind else rows


@router.post("/reports", response={201: ReportOut})
def create_report(request: HttpRequest, payload: ReportIn) -> tuple[int, Report]:
    return 201, services.create_report(actor=actor(request), fields=payload.dict())


@router.get("/reports/{report_id}", response=ReportOut)
def get_report(request: HttpRequest, report_id: int) -> Report:
    return get_visible(request, Report, report_id)


@router.patch("/reports/{report_id}", response=ReportOut)
def update_report(request: HttpRequest, report_id: int, payload: ReportPatch) -> Report:
    return services.update_report(
        actor=actor(request),
        report=get_visible(request, Report, report_id),
        changes=payload.dict(exclude_unset=True),
    )


@router.post("/reports/{report_id}/publish", response=ReportOut)
def publish_report(request: HttpRequest, report_id: int, payload: PublishIn) -> Report:
    return services.publish_report(
        actor=actor(request),
        report=get_visible(request, Report, report_id),
        publish=payload.publish,
    )
