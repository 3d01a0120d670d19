"""The MBO bonus for a person and a quarter: per goal, attainment below the plan's threshold
pays nothing and above its cap pays no more; each goal pays its weight's share of the target
bonus times its counted attainment. What-if replaces attainments to show what would be paid."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from presales.people.models import User
from presales.scorecards.analytics import attainment, goal_people
from presales.scorecards.metrics import Measurements, get_metric
from presales.scorecards.models import BonusPlan, Goal
from presales.scorecards.periods import Quarter, Span

CENT = Decimal("0.01")


@dataclass(frozen=True)
class PayoutLine:
    goal_id: int
    title: str
    weight: Decimal
    attainment: Decimal | None
    counted: Decimal  # attainment after threshold and cap, in percent
    amount: Decimal
    assumed: bool  # the attainment is a what-if, not the measured one
    sample: int


@dataclass(frozen=True)
class Payout:
    person_id: int
    period: str
    target_bonus: Decimal
    threshold_pct: Decimal
    cap_pct: Decimal
    lines: list[PayoutLine]
    total: Decimal
    what_if: bool
    has_plan: bool

    @property
    def percent_of_target(self) -> Decimal | None:
        if not self.target_bonus:
            return None
        return (self.total / self.target_bonus * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


def counted(value: Decimal | None, *, threshold: Decimal, cap: Decimal) -> Decimal:
    if value is None or value < threshold:
        return Decimal(0)
    return min(value, cap)


def payout(
    *,
    person: User,
    quarter: Quarter,
    what_if: Mapping[int, Decimal] | None = None,
    measured: Measurements | None = None,
) -> Payout:
    """The bonus the person's goals pay for the quarter; ``what_if`` maps goal ids to an
    assumed attainment in percent. ``measured`` shares figures a page already measured."""
    measured = measured if measured is not None else Measurements()
    overrides = dict(what_if or {})
    plan = BonusPlan.objects.filter(
        owner=person, year=quarter.year, quarter=quarter.quarter
    ).first()
    target = plan.target_bonus if plan else Decimal(0)
    threshold = plan.threshold_pct if plan else Decimal(50)
    cap = plan.cap_pct if plan else Decimal(150)
    lines = []
    for goal in Goal.objects.filter(owner=person, year=quarter.year, quarter=quarter.quarter):
        if goal.pk in overrides:
            reached: Decimal | None = overrides[goal.pk]
            sample = 0
        else:
            metric = get_metric(goal.metric)
            m = measured.get(metric, goal_people(goal), Span.of(quarter))
            pct = attainment(m.value, float(goal.target), higher_is_better=metric.higher_is_better)
            reached = None if pct is None else Decimal(str(pct))
            sample = m.sample
        count = counted(reached, threshold=threshold, cap=cap)
        amount = (target * goal.weight / 100 * count / 100).quantize(CENT, ROUND_HALF_UP)
        lines.append(
            PayoutLine(
                goal.pk,
                goal.title,
                goal.weight,
                reached,
                count,
                amount,
                goal.pk in overrides,
                sample,
            )
        )
    return Payout(
        person_id=person.pk,
        period=quarter.label,
        target_bonus=target,
        threshold_pct=threshold,
        cap_pct=cap,
        lines=lines,
        total=sum((line.amount for line in lines), Decimal(0)),
        what_if=bool(overrides),
        has_plan=plan is not None,
    )
