"""Meeting rules: saving a plan, holding a meeting, the five-minute debrief with its
commitments and raised gaps, keeping or breaking commitments, the topic map and reports."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from presales.accounts.models import Account
from presales.activities import services as activities
from presales.activities.access import activities_for
from presales.activities.models import CUSTOMER_FACING_KINDS, Activity
from presales.core import access
from presales.core.services import apply_changes, resolve, resolve_many, validate_and_save
from presales.deals.models import CLOSED_STAGES, Opportunity
from presales.meetings.access import commitments_for, reports_for
from presales.meetings.models import (
    Commitment,
    Debrief,
    MeetingPlan,
    RaisedGap,
    Report,
    Topic,
)
from presales.notes import services as notes
from presales.people.models import Team, User

DEBRIEF_DUE_HOURS = 24
# Older meetings without a debrief stop nagging: a debrief a month late helps nobody.
DEBRIEF_NAG_DAYS = 14
HOLD_GRACE = timedelta(minutes=15)


# -- plan and hold -----------------------------------------------------------------------------


@transaction.atomic
def save_plan(*, actor: User, activity: Activity, outcomes: str, agenda: str = "") -> MeetingPlan:
    access.require(access.can_change(actor, activity))
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError({"activity": "The meeting was cancelled."})
    plan = MeetingPlan.objects.filter(activity=activity).first() or MeetingPlan(activity=activity)
    plan.outcomes, plan.agenda = outcomes.strip(), agenda.strip()
    plan.prepared_by, plan.updated_at = actor, timezone.now()
    return validate_and_save(plan)


def can_mark_held(activity: Activity, *, now: datetime | None = None) -> bool:
    """A planned meeting may be marked held once it has begun (within the grace period)."""
    now = now or timezone.now()
    return activity.status == Activity.Status.PLANNED and activity.starts_at <= now + HOLD_GRACE


@transaction.atomic
def mark_held(*, actor: User, activity: Activity, now: datetime | None = None) -> Activity:
    access.require(access.can_change(actor, activity))
    now = now or timezone.now()
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError({"status": "A cancelled meeting cannot be held."})
    if activity.starts_at > now + HOLD_GRACE:
        raise ValidationError({"status": "The meeting has not started yet."})
    if activity.status == Activity.Status.HELD:
        return activity
    return activities.update_activity(
        actor=actor, activity=activity, changes={"status": Activity.Status.HELD}
    )


# -- debrief -----------------------------------------------------------------------------------

DEBRIEF_FIELDS = (
    "went_right",
    "went_wrong",
    "next_steps",
    "same_page",
    "same_page_detail",
    "feedback_rep_to_se",
    "feedback_se_to_rep",
)


@transaction.atomic
def record_debrief(
    *,
    actor: User,
    activity: Activity,
    fields: dict[str, Any],
    commitments: list[dict[str, Any]] = (),  # type: ignore[assignment]
    gaps: list[str] = (),  # type: ignore[assignment]
    notes_text: str = "",
    now: datetime | None = None,
    replace: bool = False,
) -> Debrief:
    """Write (or add to) a meeting's debrief, with its new commitments, gaps and notes.

    A second attendee adds to the first one's debrief: empty fields never erase what is there,
    and an answer given later overwrites the earlier one. With ``replace`` the author edits
    their debrief: the given fields become exactly what was given, so an answer can be taken
    back to unanswered.
    """
    now = now or timezone.now()
    access.require(access.can_change(actor, activity))
    unknown = set(fields) - set(DEBRIEF_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "Not a debrief field."})
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError({"activity": "A cancelled meeting has no debrief."})
    if activity.starts_at > now + HOLD_GRACE:
        raise ValidationError({"activity": "Debrief after the meeting, not before it."})
    debrief = Debrief.objects.filter(activity=activity).first()
    if debrief is None:
        debrief = Debrief(activity=activity, author=actor, created_at=now)
    if replace and debrief.pk and debrief.author_id not in (actor.pk, None):
        access.require(actor.is_admin_role, "Only its author edits a debrief; add to it instead.")
    for name, value in fields.items():
        if replace or str(value or "").strip():
            setattr(debrief, name, str(value or "").strip())
    debrief.updated_at = now
    validate_and_save(debrief)
    if commitments and activity.account is None:
        raise ValidationError({"commitments": "Commitments need a meeting with an account."})
    for i, item in enumerate(commitments):
        try:
            create_commitment(
                actor=actor,
                fields={**item, "activity_id": activity.pk, "account_id": activity.account_id},
                now=now,
            )
        except ValidationError as exc:
            raise ValidationError(
                {f"commitments.{i}.{k}": v for k, v in exc.message_dict.items()}
            ) from None
    for text in gaps:
        if text.strip():
            RaisedGap.objects.create(
                debrief=debrief,
                text=text.strip(),
                account=activity.account,
                opportunity=activity.opportunity,
                raised_by=actor,
                created_at=now,
            )
    if notes_text.strip():
        notes.create_note(
            actor=actor, fields={"body": notes_text.strip(), "activity_id": activity.pk}
        )
    if activity.status == Activity.Status.PLANNED:
        mark_held(actor=actor, activity=activity, now=now)
    return debrief


def undebriefed_for(user: User, *, now: datetime | None = None) -> QuerySet[Activity]:
    """Customer meetings the user attended that ended over 24 hours ago with no debrief."""
    now = now or timezone.now()
    return (
        activities_for(user)
        .filter(
            participants=user,
            customer_facing=True,
            kind__in=CUSTOMER_FACING_KINDS,
            ends_at__lte=now - timedelta(hours=DEBRIEF_DUE_HOURS),
            ends_at__gte=now - timedelta(days=DEBRIEF_NAG_DAYS),
            debrief__isnull=True,
        )
        .exclude(status=Activity.Status.CANCELLED)
        .select_related("account", "opportunity")
        .order_by("-ends_at")
    )


# -- commitments -------------------------------------------------------------------------------


@transaction.atomic
def create_commitment(
    *, actor: User, fields: dict[str, Any], now: datetime | None = None
) -> Commitment:
    values = dict(fields)
    account = resolve(actor, Account, values.pop("account_id", None), field="account_id")
    activity = resolve(actor, Activity, values.pop("activity_id", None), field="activity_id")
    opportunity = resolve(
        actor, Opportunity, values.pop("opportunity_id", None), field="opportunity_id"
    )
    owner_id = values.pop("owner_id", None)
    if activity is not None:
        account = account or activity.account
        opportunity = opportunity or activity.opportunity
    if opportunity is not None:
        account = account or opportunity.account
    if account is None:
        raise ValidationError({"account_id": "A commitment belongs to an account."})
    access.require(access.can_change(actor, account))
    owner = actor
    if owner_id is not None:
        found = User.objects.filter(pk=owner_id, is_active=True).first()
        if found is None:
            raise ValidationError({"owner_id": f"No active user with id {owner_id}."})
        owner = found
    if not str(values.get("what", "")).strip():
        raise ValidationError({"what": "Say what was promised."})
    if not str(values.get("promised_by", "")).strip():
        values["promised_by"] = str(actor)
    commitment = Commitment(
        account=account,
        opportunity=opportunity,
        activity=activity,
        owner=owner,
        created_by=actor,
        created_at=now or timezone.now(),
        **values,
    )
    return validate_and_save(commitment)


@transaction.atomic
def resolve_commitment(
    *, actor: User, commitment: Commitment, status: str, resolution: str = ""
) -> Commitment:
    """Mark a commitment kept or broken (or open again, to undo a mistake)."""
    access.require(access.can_change(actor, commitment))
    if status not in Commitment.Status.values:
        raise ValidationError({"status": "Use open, kept or broken."})
    commitment.status = status
    commitment.resolution = resolution.strip()
    commitment.resolved_at = None if status == Commitment.Status.OPEN else timezone.now()
    return validate_and_save(commitment)


@transaction.atomic
def update_commitment(
    *, actor: User, commitment: Commitment, changes: dict[str, Any]
) -> Commitment:
    access.require(access.can_change(actor, commitment))
    values = dict(changes)
    if "owner_id" in values:
        owner = User.objects.filter(pk=values.pop("owner_id"), is_active=True).first()
        if owner is None:
            raise ValidationError({"owner_id": "No such active user."})
        values["owner"] = owner
    if "status" in values:
        status = values.pop("status")
        resolve_commitment(
            actor=actor,
            commitment=commitment,
            status=status,
            resolution=values.pop("resolution", commitment.resolution),
        )
    return validate_and_save(apply_changes(commitment, values))


def commitments_due_for(user: User, *, today: date | None = None) -> QuerySet[Commitment]:
    """The user's open commitments: overdue first, then those due within a week."""
    today = today or timezone.localdate()
    return (
        commitments_for(user)
        .filter(owner=user, status=Commitment.Status.OPEN, due_on__lte=today + timedelta(days=7))
        .select_related("account", "opportunity")
        .order_by("due_on", "id")
    )


# -- topic map ---------------------------------------------------------------------------------


def _topic_refs(actor: User, values: dict[str, Any]) -> list[Topic] | None:
    pks = values.pop("leads_to_ids", None)
    if pks is None:
        return None
    return resolve_many(actor, Topic, pks, field="leads_to_ids")


@transaction.atomic
def create_topic(*, actor: User, fields: dict[str, Any]) -> Topic:
    values = dict(fields)
    team_id = values.pop("team_id", None)
    team = Team.objects.filter(pk=team_id).first() if team_id else actor.team
    if team_id and team is None:
        raise ValidationError({"team_id": f"No team with id {team_id}."})
    if team is None:
        access.require(actor.is_admin_role, "Only administrators edit the shared topic map.")
    else:
        access.require(access.can_create_in(actor, team=team))
    follows = _topic_refs(actor, values)
    topic = validate_and_save(Topic(team=team, **values))
    if follows is not None:
        topic.leads_to.set(follows)
    return topic


@transaction.atomic
def update_topic(*, actor: User, topic: Topic, changes: dict[str, Any]) -> Topic:
    access.require(access.can_change(actor, topic), "Only the team (or an admin) edits this topic.")
    values = dict(changes)
    follows = _topic_refs(actor, values)
    values["updated_at"] = timezone.now()
    validate_and_save(apply_changes(topic, values))
    if follows is not None:
        topic.leads_to.set(follows)
    return topic


# -- reports -----------------------------------------------------------------------------------


@transaction.atomic
def create_report(*, actor: User, fields: dict[str, Any]) -> Report:
    values = dict(fields)
    opportunity = resolve(
        actor, Opportunity, values.pop("opportunity_id", None), field="opportunity_id"
    )
    account = resolve(actor, Account, values.pop("account_id", None), field="account_id")
    visits = resolve_many(
        actor, Activity, values.pop("activity_ids", None) or [], field="activity_ids"
    )
    kind = values.get("kind")
    if kind == Report.Kind.WIN_LOSS:
        if opportunity is None or opportunity.stage not in CLOSED_STAGES:
            raise ValidationError({"opportunity_id": "A win/loss report needs a closed deal."})
    elif kind == Report.Kind.TRIP:
        if not visits:
            raise ValidationError({"activity_ids": "A trip report names the visits it covers."})
        if any(v.status != Activity.Status.HELD for v in visits):
            raise ValidationError({"activity_ids": "Only held visits go in a trip report."})
        account = account or visits[0].account
    account = account or (opportunity.account if opportunity else None)
    target = opportunity or account
    if target is not None:
        access.require(access.can_change(actor, target))
    report = validate_and_save(
        Report(opportunity=opportunity, account=account, author=actor, **values)
    )
    report.activities.set(visits)
    return report


@transaction.atomic
def update_report(*, actor: User, report: Report, changes: dict[str, Any]) -> Report:
    access.require(access.can_change(actor, report), "Only the author or a manager edits it.")
    return validate_and_save(apply_changes(report, changes))


@transaction.atomic
def publish_report(*, actor: User, report: Report, publish: bool = True) -> Report:
    access.require(access.can_change(actor, report), "Only the author or a manager publishes it.")
    if publish and not report.summary.strip():
        raise ValidationError({"summary": "Write a summary before publishing."})
    report.published_at = (report.published_at or timezone.now()) if publish else None
    return validate_and_save(report)


def published_reports_for(user: User) -> QuerySet[Report]:
    return (
        reports_for(user)
        .filter(Q(published_at__isnull=False) | Q(author=user))
        .select_related("author", "account", "opportunity")
    )
