"""Checks a manager sees on a set of goals: the pitfalls of MBO programmes, made visible.

``smart_check`` is what saving a goal runs; ``lint_goals`` looks at a person's (or team's)
whole set for a quarter. Both only read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from presales.scorecards.metrics import Measurements, MetricDef, get_metric
from presales.scorecards.models import Goal, Pillar
from presales.scorecards.periods import Quarter, Span

MAX_GOALS = 12
MAX_BUSINESS_SHARE = Decimal("70")
# A target this many times the best of the person's recent quarters is called a stretch too far.
STRETCH = 1.5
HISTORY_QUARTERS = 4


@dataclass(frozen=True)
class Lint:
    code: str
    message: str
    goal_id: int | None = None
    severity: str = "warning"


@dataclass(frozen=True)
class History:
    best: float | None
    quarters_with_data: int


def history(
    metric: MetricDef,
    people: Sequence[int],
    quarter: Quarter,
    *,
    measured: Measurements | None = None,
) -> History:
    """The best value of the last quarters (highest, or lowest when lower is better)."""
    measured = measured if measured is not None else Measurements()
    quarters = quarter.back(HISTORY_QUARTERS)
    for q in quarters:
        measured.ask(metric, people, Span.of(q))
    values = []
    for q in quarters:
        m = measured.get(metric, people, Span.of(q))
        if m.value is not None and m.sample > 0:
            values.append(m.value)
    if not values:
        return History(None, 0)
    return History(max(values) if metric.higher_is_better else min(values), len(values))


def achievable(
    metric: MetricDef,
    target: float,
    people: Sequence[int],
    quarter: Quarter,
    *,
    measured: Measurements | None = None,
) -> Lint | None:
    past = history(metric, people, quarter, measured=measured)
    if past.best is None:
        return None
    unit = "" if metric.unit == "count" else f" {metric.unit}"
    if metric.higher_is_better and past.best >= 0 and target > STRETCH * max(past.best, 1):
        return Lint(
            "not_achievable",
            f"Target {target:g}{unit} is more than {STRETCH:g}× the best of the last "
            f"{past.quarters_with_data} quarter(s) with data ({past.best:g}{unit}).",
        )
    if not metric.higher_is_better and past.best > 0 and target < past.best / STRETCH:
        return Lint(
            "not_achievable",
            f"Target {target:g}{unit} is below the best of the last {past.quarters_with_data} "
            f"quarter(s) with data ({past.best:g}{unit}) divided by {STRETCH:g}.",
        )
    return None


def lint_goals(
    *,
    goals: Sequence[Goal],
    people: Sequence[int],
    quarter: Quarter,
    measured: Measurements | None = None,
) -> list[Lint]:
    """The pitfalls found in one person's (or team's) goals for one quarter; ``measured``
    shares figures a page already measured."""
    measured = measured if measured is not None else Measurements()
    lints: list[Lint] = []
    if not goals:
        return [Lint("no_goals", f"No goals set for {quarter.label}.")]
    if len(goals) > MAX_GOALS:
        lints.append(
            Lint(
                "too_many_goals",
                f"{len(goals)} goals: more than {MAX_GOALS} overwhelm; keep the few that matter.",
            )
        )
    total = sum((g.weight for g in goals), Decimal(0))
    if total != 100:
        lints.append(Lint("weights_not_100", f"Weights add up to {total:g} %, not 100 %."))
    business = sum((g.weight for g in goals if g.pillar == Pillar.BUSINESS), Decimal(0))
    if total > 0:
        share = business / total * 100
        if share > MAX_BUSINESS_SHARE:
            lints.append(
                Lint(
                    "business_heavy",
                    f"Business goals carry {share:.0f} % of the weight (over "
                    f"{MAX_BUSINESS_SHARE:g} %): enablement, customers and process are left out.",
                )
            )
    for goal in goals:
        if not goal.why.strip():
            lints.append(Lint("no_why", f"'{goal.title}' does not say why it matters.", goal.pk))
        metric = get_metric(goal.metric)
        measured.ask(metric, people, Span.of(quarter.previous()))
        now = measured.get(metric, people, Span.of(quarter))
        before = measured.get(metric, people, Span.of(quarter.previous()))
        if not now.has_data and not before.has_data:
            lints.append(
                Lint(
                    "metric_no_data",
                    f"'{goal.title}': {metric.name} has no data this quarter or the last"
                    + (f" ({now.note})" if now.note else "")
                    + ".",
                    goal.pk,
                )
            )
        stretch = achievable(metric, float(goal.target), people, quarter, measured=measured)
        if stretch is not None:
            lints.append(Lint(stretch.code, f"'{goal.title}': {stretch.message}", goal.pk))
    return lints
