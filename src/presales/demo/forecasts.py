"""The demo's forecasting layer: weekly forecast submissions per rep for the last six quarters
and this one, SE confidence on supported deals, manager adjustments with reasons, close-date
pushes on some open deals, and weekly pipeline snapshots for the last eight weeks.

A step of the demo generator, run after deals. Each rep gets a lasting lean (some commit
more than they land, some less) so the accuracy page has differences to rank; the size of that
lean is a choice of the demo, not a fact about sales.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from presales.core.bulk import insert_new
from presales.deals.models import CLOSED_STAGES, Stage, TermsChange
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

QUARTERS_BACK = 6
WEEKS_OF_SNAPSHOTS = 8
SUBMISSION_WEEKS = (0, 1, 6)  # weeks into the quarter when reps submit
REASONS = (
    "The security review is still open; moved one deal out of commit.",
    "Procurement confirmed the PO date on the call with the CFO.",
    "Champion left the account; discounting the largest deal.",
    "Two renewals confirmed in writing; adding them back.",
    "POC success criteria not yet signed off.",
)


def _stage_at(path: list[tuple[str, datetime]], day: date) -> str | None:
    stage = None
    for name, at in path:
        if at.date() <= day:
            stage = name
    return stage


def _category(rng: random.Random, won: bool, lean: float) -> str:
    roll = rng.random()
    commit = (0.62 if won else 0.18) + lean
    if roll < commit:
        return Category.COMMIT
    if roll < commit + 0.2:
        return Category.BEST_CASE
    return Category.PIPELINE if roll < 0.95 else Category.OMITTED


def _won_by_quarter(deals: list[Any]) -> dict[date, Decimal]:
    won: dict[date, Decimal] = defaultdict(Decimal)
    for deal in deals:
        opp = deal.obj
        if opp.stage == Stage.WON and opp.close_date:
            won[quarter_of(opp.close_date)[0]] += opp.amount or Decimal(0)
    return won


def _amount_then(rng: random.Random, final: Decimal | None, stage: str) -> Decimal:
    """The amount a line carried at the time: an open deal's amount still moved before the
    close (scope and discount), a booked one is final."""
    amount = final or Decimal(0)
    if stage == Stage.WON:
        return amount
    return (amount * Decimal(str(round(rng.uniform(0.85, 1.2), 2)))).quantize(Decimal("1"))


def _confidence(rng: random.Random, won: bool) -> int:
    """The SE's technical confidence: high on the deals that went on to be won (the technical
    win came first), mostly low on the others."""
    if won:
        return max(50, min(100, int(rng.gauss(78, 11))))
    return max(0, min(100, int(rng.gauss(35, 13))))


def _call(
    rng: random.Random, lines: list[tuple[Line, bool]], target: Decimal | None, lean: float
) -> None:
    """Categorise a submission's lines: deals already won this quarter are committed, the rest
    by the rep's judgement (which errs both ways). A closed quarter's call is then nudged into a
    band around ``target`` (what the rep went on to win, divided by an attainment drawn for
    them) by moving a few deals between commit and best case, so attainment reads like a real
    team's. The current quarter's outcome is not known yet: its call is left as judged."""
    committed = Decimal(0)
    for line, won in lines:
        booked = line.stage == Stage.WON
        line.category = Category.COMMIT if booked else _category(rng, won, lean)
        if line.category == Category.COMMIT:
            committed += line.amount or Decimal(0)
    if target is None:
        return
    if target <= 0:
        # Nothing landed that quarter: the pipeline looked thin at the call too, and the rep
        # mostly kept it out of commit.
        for line, _won in lines:
            if line.category == Category.COMMIT and line.stage != Stage.WON and rng.random() < 0.8:
                line.category = Category.BEST_CASE
        return
    movable = [item for item in lines if item[0].stage != Stage.WON]
    rng.shuffle(movable)
    low, high = target * Decimal("0.9"), target * Decimal("1.1")
    # Too high: drop deals that did not land first; too low: add deals that did land first.
    for line, _won in sorted(movable, key=lambda item: item[1]):
        amount = line.amount or Decimal(0)
        closer = abs(committed - amount - target) < abs(committed - target)
        if committed > high and line.category == Category.COMMIT and closer:
            line.category = Category.BEST_CASE
            committed -= amount
    for line, _won in sorted(movable, key=lambda item: not item[1]):
        amount = line.amount or Decimal(0)
        closer = abs(committed + amount - target) < abs(committed - target)
        if committed < low and line.category != Category.COMMIT and closer:
            line.category = Category.COMMIT
            committed += amount


def populate(builder: Any) -> None:
    rng: random.Random = builder.rng
    today: date = builder.today
    now: datetime = builder.now
    leans = {rep.pk: rng.uniform(-0.15, 0.2) for reps in builder.reps.values() for rep in reps}
    managers = {t.pk: t.manager_id for t in builder.teams}
    by_owner: dict[int, list[Any]] = defaultdict(list)
    for deal in builder.deal_list:
        by_owner[deal.obj.owner_id].append(deal)
    start, _ = quarter_of(today)
    quarters = [start]
    for _ in range(QUARTERS_BACK):
        quarters.append(quarter_of(quarters[-1] - timedelta(days=1))[0])
    submissions: list[Submission] = []
    pending_lines: list[tuple[Submission, list[Line]]] = []
    for n, (owner_id, deals) in enumerate(sorted(by_owner.items())):
        builder.progress("forecasts", n, len(by_owner))
        team_id = deals[0].obj.team_id
        won_in = _won_by_quarter(deals)
        lean = leans.get(owner_id, 0.0)
        for q_start in quarters:
            q_end = quarter_of(q_start)[1]
            # Attainment of a closed quarter, around 100% and leaning with the rep's habit.
            attainment = min(2.2, max(0.55, math.exp(rng.gauss(-lean, 0.2))))
            target = None
            if q_end < today:
                target = (won_in[q_start] / Decimal(str(round(attainment, 3)))).quantize(
                    Decimal("1")
                )
            # Open deals the rep expected this quarter that closed later (or were lost later):
            # the slips a call is wrong about.
            hoped = {
                deal.obj.pk
                for deal in deals
                if deal.obj.close_date and deal.obj.close_date > q_end and rng.random() < 0.35
            }
            for offset in SUBMISSION_WEEKS:
                week = week_of(q_start) + timedelta(weeks=offset)
                if week > today:
                    continue
                lines: list[tuple[Line, bool]] = []
                for deal in deals:
                    opp = deal.obj
                    stage = _stage_at(deal.path, week)
                    expected = opp.close_date
                    if opp.pk in hoped:
                        expected = max(week, q_end - timedelta(days=rng.randint(0, 45)))
                    if not (expected and q_start <= expected <= q_end):
                        continue
                    # Open deals expected this quarter, and those already won in it (booked).
                    if stage is None or stage == Stage.LOST:
                        continue
                    won = opp.stage == Stage.WON and expected == opp.close_date
                    rated = bool(deal.ses) and rng.random() < 0.95
                    lines.append(
                        (
                            Line(
                                opportunity=opp,
                                amount=_amount_then(rng, opp.amount, stage),
                                close_date=expected,
                                stage=stage,
                                se=deal.ses[0] if rated else None,
                                se_confidence=(_confidence(rng, won) if rated else None),
                            ),
                            won,
                        )
                    )
                submitted_at = timezone.make_aware(datetime(week.year, week.month, week.day, 16))
                if not lines or submitted_at > now:
                    continue
                _call(rng, lines, target, lean)
                submission = Submission(
                    owner_id=owner_id,
                    team_id=team_id,
                    period_start=q_start,
                    period_end=q_end,
                    week=week,
                    submitted_at=submitted_at,
                )
                submission.set_totals([line for line, _ in lines])
                submissions.append(submission)
                pending_lines.append((submission, [line for line, _ in lines]))
    insert_new(Submission, submissions, batch=1000)
    all_lines: list[Line] = []
    adjustments = []
    for submission, written in pending_lines:
        for line in written:
            line.submission = submission
        all_lines += written
        manager = managers.get(submission.team_id or -1)
        adjusted_at = submission.submitted_at + timedelta(days=1)
        if manager and rng.random() < 0.2 and adjusted_at <= now:
            factor = Decimal(str(round(rng.uniform(0.8, 1.1), 2)))
            adjustments.append(
                Adjustment(
                    submission=submission,
                    manager_id=manager,
                    commit=(submission.commit_total * factor).quantize(Decimal("1")),
                    reason=rng.choice(REASONS),
                    created_at=adjusted_at,
                )
            )
    insert_new(Line, all_lines, batch=2000)
    insert_new(Adjustment, adjustments, batch=1000)
    builder.counts["forecast submissions"] = len(submissions)
    builder.counts["forecast lines"] = len(all_lines)
    _pushes(builder, rng, now)
    _snapshots(builder, today)
    builder.progress("forecasts", len(by_owner), len(by_owner))


def _pushes(builder: Any, rng: random.Random, now: datetime) -> None:
    """Some open deals had their close date pushed out in the last ten weeks."""
    changes = []
    for deal in builder.deal_list:
        opp = deal.obj
        if opp.stage in CLOSED_STAGES or not opp.close_date or rng.random() > 0.25:
            continue
        changes.append(
            TermsChange(
                opportunity=opp,
                from_close_date=opp.close_date - timedelta(days=rng.randint(14, 60)),
                to_close_date=opp.close_date,
                from_amount=opp.amount,
                to_amount=opp.amount,
                changed_at=max(now - timedelta(days=rng.randint(1, 70)), opp.created_at),
                changed_by=opp.owner,
            )
        )
    insert_new(TermsChange, changes, batch=2000)
    builder.counts["close-date pushes"] = len(changes)


def _snapshots(builder: Any, today: date) -> None:
    latest: dict[int, Line] = {}
    for line in Line.objects.order_by("submission__week", "id").select_related("submission"):
        latest[line.opportunity_id] = line
    snapshots, rows = [], []
    for back in range(WEEKS_OF_SNAPSHOTS, 0, -1):
        week = week_of(today) - timedelta(weeks=back)
        for team in builder.teams:
            snapshot = Snapshot(
                team=team,
                week=week,
                taken_at=timezone.make_aware(datetime(week.year, week.month, week.day, 7)),
            )
            snapshots.append(snapshot)
            for deal in builder.deal_list:
                opp = deal.obj
                if opp.team_id != team.pk:
                    continue
                stage = _stage_at(deal.path, week)
                if stage is None or stage in CLOSED_STAGES:
                    continue
                called = latest.get(opp.pk)
                rows.append(
                    SnapshotLine(
                        snapshot=snapshot,
                        opportunity=opp,
                        owner_id=opp.owner_id,
                        stage=stage,
                        amount=opp.amount,
                        close_date=opp.close_date,
                        category=called.category if called else "",
                        se_confidence=called.se_confidence if called else None,
                    )
                )
    insert_new(Snapshot, snapshots, batch=500)
    for row in rows:
        row.snapshot_id = row.snapshot.pk
    insert_new(SnapshotLine, rows, batch=2000)
    builder.counts["forecast snapshots"] = len(snapshots)
