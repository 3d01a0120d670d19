"""Business rules of forecasting: submitting a forecast, the SE's technical confidence, the
manager's adjustment, and the weekly snapshot of the open pipeline. The only place that writes
forecast data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from presales.core import access
from presales.deals.access import opportunities_for
from presales.deals.models import CLOSED_STAGES, OPEN_STAGES, Opportunity
from presales.forecasts.access import (
    can_adjust_forecast,
    can_rate_confidence,
    can_submit_forecast,
    can_take_snapshot,
)
from presales.forecasts.models import (
    Adjustment,
    Category,
    Line,
    Snapshot,
    SnapshotLine,
    Submission,
    quarter_of,
    week_of,
)
from presales.people.models import Team, User

Progress = Callable[[str, int, int], None]


def _noop(step: str, done: int, total: int) -> None:
    return None


def _latest_lines(deal_ids: list[int], *, up_to_week: date | None = None) -> dict[int, Line]:
    """The most recent forecast line of each deal (optionally as of a week)."""
    rows = Line.objects.filter(opportunity_id__in=deal_ids)
    if up_to_week is not None:
        rows = rows.filter(submission__week__lte=up_to_week)
    latest: dict[int, Line] = {}
    for line in rows.order_by("opportunity_id", "-submission__week", "-submission__submitted_at"):
        latest.setdefault(line.opportunity_id, line)
    return latest


@transaction.atomic
def submit_forecast(
    *,
    actor: User,
    period_start: date,
    categories: Mapping[int, str],
    owner: User | None = None,
    now: datetime | None = None,
) -> Submission:
    """Record ``owner``'s forecast (the actor's own by default) for the quarter holding
    ``period_start``, as of this week.

    Every open deal of the owner expected to close in the quarter gets a line; ``categories``
    names the category of some of them (deal id → commit, best_case, pipeline or omitted), the
    others keep the category of their last forecast, or ``pipeline``. A second submission in
    the same week replaces the first; the SE's confidence carries over from the last forecast.
    """
    owner = owner or actor
    access.require(can_submit_forecast(actor, owner), "You may submit only your own forecast.")
    now = now or timezone.now()
    start, end = quarter_of(period_start)
    errors = [
        f"{deal_id}: {value!r} is not one of {', '.join(Category.values)}"
        for deal_id, value in categories.items()
        if value not in Category.values
    ]
    if errors:
        raise ValidationError({"categories": "; ".join(errors)})
    in_period = Opportunity.objects.filter(
        owner=owner, stage__in=OPEN_STAGES, close_date__gte=start, close_date__lte=end
    )
    deals = {d.pk: d for d in in_period}
    named = set(categories) - set(deals)
    if named:
        extra = {
            d.pk: d
            for d in opportunities_for(actor).filter(
                pk__in=named, owner=owner, stage__in=OPEN_STAGES
            )
        }
        unknown = sorted(named - set(extra))
        if unknown:
            raise ValidationError(
                {"categories": f"No open deals of {owner} with ids {unknown} that you can see."}
            )
        deals.update(extra)
    previous = _latest_lines(list(deals))
    submission, _ = Submission.objects.update_or_create(
        owner=owner,
        period_start=start,
        week=week_of(timezone.localdate(now)),
        defaults={"team": owner.team, "period_end": end, "submitted_at": now},
    )
    submission.lines.all().delete()
    lines = []
    for deal_id, deal in sorted(deals.items()):
        before = previous.get(deal_id)
        category = categories.get(deal_id) or (before.category if before else Category.PIPELINE)
        lines.append(
            Line(
                submission=submission,
                opportunity=deal,
                category=category,
                amount=deal.amount or Decimal(0),
                close_date=deal.close_date,
                stage=deal.stage,
                se_confidence=before.se_confidence if before else None,
                se=before.se if before else None,
                se_note=before.se_note if before else "",
            )
        )
    Line.objects.bulk_create(lines)
    submission.set_totals(lines)
    submission.save(update_fields=["commit_total", "best_case_total", "pipeline_total"])
    return submission


@transaction.atomic
def rate_confidence(*, actor: User, line: Line, confidence: int, note: str = "") -> Line:
    """The SE's technical confidence (0-100) that the deal of ``line`` closes as forecast."""
    access.require(
        can_rate_confidence(actor, line),
        "Only an SE on the deal gives its technical confidence.",
    )
    if not 0 <= confidence <= 100:
        raise ValidationError({"confidence": "Give a confidence between 0 and 100."})
    if len(note) > 300:
        raise ValidationError({"note": "Keep the note to 300 characters."})
    line.se_confidence = confidence
    line.se = actor
    line.se_note = note.strip()
    line.save(update_fields=["se_confidence", "se", "se_note"])
    return line


@transaction.atomic
def adjust_forecast(
    *,
    actor: User,
    submission: Submission,
    commit: Decimal,
    reason: str,
    best_case: Decimal | None = None,
    now: datetime | None = None,
) -> Adjustment:
    """A manager's adjusted commit (and best case) for a rep's forecast; the reason is required
    because an adjustment nobody can explain cannot be learned from."""
    access.require(
        can_adjust_forecast(actor, submission),
        "Only a manager of the forecast's team adjusts it.",
    )
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Say why the forecast is adjusted."
    if commit < 0:
        errors["commit"] = "The commit cannot be negative."
    if best_case is not None and best_case < commit:
        errors["best_case"] = "The best case includes the commit, so it cannot be smaller."
    if errors:
        raise ValidationError(errors)
    adjustment = Adjustment(
        submission=submission,
        manager=actor,
        commit=commit,
        best_case=best_case,
        reason=reason.strip(),
        created_at=now or timezone.now(),
    )
    adjustment.full_clean()
    adjustment.save()
    return adjustment


@dataclass(frozen=True)
class SnapshotResult:
    week: date
    created: int
    unchanged: int
    lines: int


@transaction.atomic
def take_snapshot(
    *,
    actor: User | None = None,
    week: date | None = None,
    teams: list[Team] | None = None,
    now: datetime | None = None,
    progress: Progress = _noop,
) -> SnapshotResult:
    """Keep each team's open pipeline as it stands, once per week: a team that already has a
    snapshot for the week keeps it unchanged, so re-running is harmless. ``actor`` is None
    for the CLI and scheduled jobs."""
    if actor is not None:
        access.require(can_take_snapshot(actor), "Managers and administrators take snapshots.")
    now = now or timezone.now()
    monday = week_of(week or timezone.localdate(now))
    chosen = teams if teams is not None else list(Team.objects.all())
    taken = set(
        Snapshot.objects.filter(week=monday, team__in=chosen).values_list("team_id", flat=True)
    )
    created = lines = 0
    for done, team in enumerate(chosen, start=1):
        progress("snapshot", done - 1, len(chosen))
        if team.pk in taken:
            continue
        snapshot = Snapshot.objects.create(team=team, week=monday, taken_at=now)
        deals = list(
            Opportunity.objects.filter(team=team)
            .filter(~Q(stage__in=CLOSED_STAGES))
            .values_list("pk", "owner_id", "stage", "amount", "close_date")
        )
        called = _latest_lines([d[0] for d in deals], up_to_week=monday)
        rows = [
            SnapshotLine(
                snapshot=snapshot,
                opportunity_id=pk,
                owner_id=owner_id,
                stage=stage,
                amount=amount,
                close_date=close_date,
                category=called[pk].category if pk in called else "",
                se_confidence=called[pk].se_confidence if pk in called else None,
            )
            for pk, owner_id, stage, amount, close_date in deals
        ]
        SnapshotLine.objects.bulk_create(rows, batch_size=1000)
        created += 1
        lines += len(rows)
    progress("snapshot", len(chosen), len(chosen))
    return SnapshotResult(
        week=monday, created=created, unchanged=len(chosen) - created, lines=lines
    )
