"""Read-only figures: a person's scorecard, a team's scoreboard and their trends.

Everything is computed on request from the recorded data, so a page always shows the current
state. Every figure carries its sample and its references: the same figure last period and the
team's median for the period.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from presales.people.models import Role, Team, User
from presales.scorecards.metrics import Measure, Measurements, MetricDef, catalog, get_metric
from presales.scorecards.models import Goal
from presales.scorecards.periods import Quarter, Span

TREND_QUARTERS = 4


@dataclass(frozen=True)
class Figure:
    """A metric for one subject and quarter, with its references."""

    key: str
    name: str
    unit: str
    definition: str
    higher_is_better: bool
    value: float | None
    sample: int
    sample_of: str
    note: str
    last_period: float | None
    last_period_sample: int
    team_median: float | None = None
    team_median_of: int = 0  # how many people with data the median is taken over

    @property
    def has_data(self) -> bool:
        return self.value is not None and self.sample > 0


@dataclass(frozen=True)
class TrendPoint:
    period: str
    value: float | None
    sample: int


@dataclass(frozen=True)
class Milestone:
    month_end: str
    target: float
    value: float | None
    sample: int
    met: bool | None  # None while the month has not started


@dataclass
class GoalResult:
    goal_id: int
    title: str
    pillar: str
    pillar_label: str
    why: str
    correlated_result: str
    target: float
    weight: float
    figure: Figure
    attainment: float | None
    milestones: list[Milestone] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)


@dataclass
class Scorecard:
    person_id: int
    person: str
    period: str
    goals: list[GoalResult]
    figures: list[Figure]


@dataclass
class ScoreboardRow:
    person_id: int
    person: str
    figures: dict[str, Figure]


@dataclass
class Scoreboard:
    team_id: int
    team: str
    period: str
    metrics: list[MetricDef]
    rows: list[ScoreboardRow]
    team_goals: list[GoalResult]
    team_figures: dict[str, Figure]  # the team as a whole, with the median of its members


def _num(value: float | Decimal | None) -> float | None:
    return None if value is None else float(value)


def attainment(value: float | None, target: float, *, higher_is_better: bool) -> float | None:
    """Percent of the target reached; for a lower-is-better metric, target over value."""
    if value is None or target <= 0:
        return None
    if higher_is_better:
        return round(100 * value / target, 1)
    if value <= 0:
        return None
    return round(100 * target / value, 1)


def median_of(values: Sequence[float | None]) -> tuple[float | None, int]:
    present = [v for v in values if v is not None]
    if not present:
        return None, 0
    return round(statistics.median(present), 1), len(present)


def team_members(team: Team) -> QuerySet[User]:
    """The people a team's scoreboard ranks: its sales engineers."""
    return User.objects.filter(team=team, role=Role.SE, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


def figure(
    metric: MetricDef,
    people: Sequence[int],
    quarter: Quarter,
    *,
    current: Measure | None = None,
    median: tuple[float | None, int] = (None, 0),
    measured: Measurements | None = None,
) -> Figure:
    measured = measured if measured is not None else Measurements()
    measured.ask(metric, people, Span.of(quarter.previous()))
    now = current or measured.get(metric, people, Span.of(quarter))
    last = measured.get(metric, people, Span.of(quarter.previous()))
    return Figure(
        key=metric.key,
        name=metric.name,
        unit=metric.unit,
        definition=metric.definition,
        higher_is_better=metric.higher_is_better,
        value=now.value,
        sample=now.sample,
        sample_of=now.sample_of,
        note=now.note,
        last_period=last.value,
        last_period_sample=last.sample,
        team_median=median[0],
        team_median_of=median[1],
    )


def _trend_quarters(quarter: Quarter) -> list[Quarter]:
    return [*quarter.back(TREND_QUARTERS), quarter]


def trend(
    metric: MetricDef,
    people: Sequence[int],
    quarter: Quarter,
    *,
    measured: Measurements | None = None,
) -> list[TrendPoint]:
    """The metric over the last quarters and this one, oldest first."""
    measured = measured if measured is not None else Measurements()
    quarters = _trend_quarters(quarter)
    for q in quarters:
        measured.ask(metric, people, Span.of(q))
    points = []
    for q in quarters:
        m = measured.get(metric, people, Span.of(q))
        points.append(TrendPoint(q.label, m.value, m.sample))
    return points


def _cumulative(unit: str) -> bool:
    """Counts add up over a quarter; rates, averages and days do not."""
    return unit in {"count", "USD", "minutes"}


def _milestone_spans(goal: Goal) -> list[Span | None]:
    """The span measured at each month end of the goal's quarter; None for a month that has not
    started."""
    quarter = Quarter(goal.year, goal.quarter)
    today = timezone.localdate()
    return [
        None if month_end.replace(day=1) > today else Span(quarter.start, month_end)
        for month_end in quarter.month_ends()
    ]


def milestones(
    goal: Goal,
    metric: MetricDef,
    people: Sequence[int],
    *,
    measured: Measurements | None = None,
) -> list[Milestone]:
    measured = measured if measured is not None else Measurements()
    quarter = Quarter(goal.year, goal.quarter)
    target = float(goal.target)
    planned = [float(x) for x in goal.milestones] if goal.milestones else []
    if len(planned) != 3:
        planned = (
            [round(target * m / 3, 2) for m in (1, 2, 3)]
            if _cumulative(metric.unit)
            else [target] * 3
        )
    spans = _milestone_spans(goal)
    for span in spans:
        if span is not None:
            measured.ask(metric, people, span)
    out = []
    for month_end, goal_then, span in zip(quarter.month_ends(), planned, spans, strict=True):
        if span is None:
            out.append(Milestone(month_end.isoformat(), goal_then, None, 0, None))
            continue
        m = measured.get(metric, people, span)
        met = None
        if m.value is not None:
            met = m.value >= goal_then if metric.higher_is_better else m.value <= goal_then
        out.append(Milestone(month_end.isoformat(), goal_then, m.value, m.sample, met))
    return out


def goal_people(goal: Goal) -> list[int]:
    if goal.owner_id is not None:
        return [goal.owner_id]
    assert goal.team is not None
    return list(team_members(goal.team).values_list("pk", flat=True))


def ask_goal(measured: Measurements, goal: Goal, people: Sequence[int]) -> None:
    """Note every figure ``goal_result`` will read, so they are measured in one batch."""
    metric = get_metric(goal.metric)
    quarter = Quarter(goal.year, goal.quarter)
    spans = [Span.of(q) for q in [*_trend_quarters(quarter), quarter.previous()]]
    for span in [*spans, *_milestone_spans(goal)]:
        if span is not None:
            measured.ask(metric, people, span)


def goal_result(
    goal: Goal,
    *,
    median: tuple[float | None, int] = (None, 0),
    measured: Measurements | None = None,
    people: Sequence[int] | None = None,
) -> GoalResult:
    measured = measured if measured is not None else Measurements()
    metric = get_metric(goal.metric)
    people = goal_people(goal) if people is None else people
    ask_goal(measured, goal, people)
    quarter = Quarter(goal.year, goal.quarter)
    fig = figure(metric, people, quarter, median=median, measured=measured)
    return GoalResult(
        goal_id=goal.pk,
        title=goal.title,
        pillar=goal.pillar,
        pillar_label=goal.get_pillar_display(),
        why=goal.why,
        correlated_result=goal.correlated_result,
        target=float(goal.target),
        weight=float(goal.weight),
        figure=fig,
        attainment=attainment(
            fig.value, float(goal.target), higher_is_better=metric.higher_is_better
        ),
        milestones=milestones(goal, metric, people, measured=measured),
        trend=trend(metric, people, quarter, measured=measured),
    )


def _median_people(person: User) -> list[int]:
    """Whose figures a person's team median is taken over; empty without a team."""
    if person.team is None:
        return []
    return list(team_members(person.team).values_list("pk", flat=True)) or [person.pk]


def _team_median(
    metric: MetricDef, quarter: Quarter, ids: Sequence[int], measured: Measurements
) -> tuple[float | None, int]:
    if not ids:
        return None, 0
    span = Span.of(quarter)
    for pk in ids:
        measured.ask(metric, [pk], span)
    return median_of([measured.get(metric, [pk], span).value for pk in ids])


def scorecard(
    *,
    person: User,
    quarter: Quarter,
    with_catalog: bool = True,
    measured: Measurements | None = None,
) -> Scorecard:
    """A person's goals for the quarter against their own past and the team's median, and
    (``with_catalog``) every catalog metric the same way.

    Every figure is asked for before any is read, so each metric is measured in one batch for
    the person, the team and all the periods; pass ``measured`` to share it with the payout and
    the lints of the same page."""
    measured = measured if measured is not None else Measurements()
    goals = list(Goal.objects.filter(owner=person, year=quarter.year, quarter=quarter.quarter))
    metrics = list(catalog().values()) if with_catalog else []
    members = _median_people(person)
    span = Span.of(quarter)
    for goal in goals:
        ask_goal(measured, goal, [person.pk])
        for pk in members:
            measured.ask(get_metric(goal.metric), [pk], span)
    for m in metrics:
        measured.ask(m, [person.pk], span)
        measured.ask(m, [person.pk], Span.of(quarter.previous()))
        for pk in members:
            measured.ask(m, [pk], span)
    results = [
        goal_result(
            goal,
            median=_team_median(get_metric(goal.metric), quarter, members, measured),
            measured=measured,
            people=[person.pk],
        )
        for goal in goals
    ]
    figures = [
        figure(
            m,
            [person.pk],
            quarter,
            median=_team_median(m, quarter, members, measured),
            measured=measured,
        )
        for m in metrics
    ]
    return Scorecard(
        person_id=person.pk,
        person=str(person),
        period=quarter.label,
        goals=results,
        figures=figures,
    )


def scoreboard(
    *, team: Team, quarter: Quarter, metric_keys: Sequence[str] | None = None
) -> Scoreboard:
    """Every team member's figures for the quarter, with last period and the team median."""
    metrics = [m for m in catalog().values() if metric_keys is None or m.key in metric_keys]
    members = list(team_members(team))
    everyone = [p.pk for p in members]
    span, previous = Span.of(quarter), Span.of(quarter.previous())
    goals = list(Goal.objects.filter(team=team, year=quarter.year, quarter=quarter.quarter))
    measured = Measurements()
    for m in metrics:
        for people in [*([pk] for pk in everyone), everyone]:
            measured.ask(m, people, span)
            measured.ask(m, people, previous)
    for goal in goals:
        ask_goal(measured, goal, everyone)
    current: dict[tuple[int, str], Measure] = {
        (p.pk, m.key): measured.get(m, [p.pk], span) for p in members for m in metrics
    }
    medians_raw = {
        m.key: median_of([current[(p.pk, m.key)].value for p in members]) for m in metrics
    }
    rows = [
        ScoreboardRow(
            person_id=p.pk,
            person=str(p),
            figures={
                m.key: figure(
                    m,
                    [p.pk],
                    quarter,
                    current=current[(p.pk, m.key)],
                    median=medians_raw[m.key],
                    measured=measured,
                )
                for m in metrics
            },
        )
        for p in members
    ]
    team_figures = {
        m.key: figure(m, everyone, quarter, median=medians_raw[m.key], measured=measured)
        for m in metrics
    }
    team_goals = [goal_result(g, measured=measured, people=everyone) for g in goals]
    return Scoreboard(
        team_id=team.pk,
        team=team.name,
        period=quarter.label,
        metrics=metrics,
        rows=rows,
        team_goals=team_goals,
        team_figures=team_figures,
    )
