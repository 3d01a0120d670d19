"""The weekly team report, generated from recorded data only.

Every figure carries its sample and population ("3 won of 8 closed") and three references:
the week before, the same week a year earlier (52 weeks back, so weekdays line up) and the
median of the same figure over the teams the reader sees. Sentences state numbers; they use no
adverbs a reader would have to take on trust.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from presales.activities.access import activities_for
from presales.activities.models import CUSTOMER_FACING_KINDS, Activity
from presales.analytics import pipeline
from presales.analytics.report_figures import (
    REPORT_BOOTSTRAP,
    ROLLING_DAYS,
    Scopes,
    Window,
    measure_teams,
)
from presales.core import access
from presales.core.money import money
from presales.core.stats import Figure, median_figure, rate_figure
from presales.deals.access import opportunities_for
from presales.deals.models import CLOSED_STAGES, OPEN_STAGES, Opportunity, Stage
from presales.forecasts.accuracy import accuracy
from presales.forecasts.models import Submission, quarter_of, week_of
from presales.people.models import Team, User


@dataclass(frozen=True)
class Scope:
    deals: QuerySet[Opportunity]
    activities: QuerySet[Activity]
    team: Team


Metric = Callable[[Scope, Window], Figure]


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def won_amount(scope: Scope, w: Window) -> Figure:
    closed = scope.deals.filter(
        stage__in=CLOSED_STAGES, close_date__gte=w.start, close_date__lte=w.end
    )
    won = closed.filter(stage=Stage.WON)
    total = won.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return Figure("Won this week", float(total), won.count(), closed.count(), unit="money")


def win_rate_rolling(scope: Scope, w: Window) -> Figure:
    closed = scope.deals.filter(
        stage__in=CLOSED_STAGES,
        close_date__gt=w.end - timedelta(days=ROLLING_DAYS),
        close_date__lte=w.end,
    )
    won = closed.filter(stage=Stage.WON).count()
    return rate_figure("Win rate, last 13 weeks", won, closed.count())


def cycle_rolling(scope: Scope, w: Window) -> Figure:
    rows = scope.deals.filter(
        stage=Stage.WON,
        close_date__gt=w.end - timedelta(days=ROLLING_DAYS),
        close_date__lte=w.end,
    ).values_list("engage_date", "close_date")
    cycles = [float((c - e).days) for e, c in rows if e and c]
    return median_figure(
        "Median cycle of deals won, last 13 weeks",
        cycles,
        population=len(rows),
        samples=REPORT_BOOTSTRAP,
    )


def new_pipeline(scope: Scope, w: Window) -> Figure:
    created = scope.deals.filter(
        created_at__gte=_moment(w.start), created_at__lt=_moment(w.end + timedelta(days=1))
    )
    total = created.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    open_now = scope.deals.filter(stage__in=OPEN_STAGES).count()
    return Figure("New pipeline this week", float(total), created.count(), open_now, unit="money")


def slipped(scope: Scope, w: Window) -> Figure:
    return pipeline.slipped(scope.deals, start=w.start, end=w.end)


def pushed(scope: Scope, w: Window) -> Figure:
    return pipeline.pushed(scope.deals, start=w.start, end=w.end)


def debriefed(scope: Scope, w: Window) -> Figure:
    held = scope.activities.filter(
        kind__in=CUSTOMER_FACING_KINDS,
        status=Activity.Status.HELD,
        starts_at__gte=_moment(w.start),
        starts_at__lt=_moment(w.end + timedelta(days=1)),
    )
    written = held.filter(debrief__isnull=False).count()
    return rate_figure("Customer meetings held with a debrief", written, held.count())


def commit_attainment(scope: Scope, w: Window) -> Figure:
    """Won so far this quarter against the team's commit as called by the start of the week."""
    start, _ = quarter_of(w.end)
    latest: dict[int, Decimal] = {}
    for owner, commit in (
        Submission.objects.filter(team=scope.team, period_start=start, week__lte=w.start)
        .order_by("week", "id")
        .values_list("owner_id", "commit_total")
    ):
        latest[owner] = commit
    commit = sum(latest.values(), Decimal(0))
    won = scope.deals.filter(stage=Stage.WON, close_date__gte=start, close_date__lte=w.end)
    total = won.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return Figure(
        "Won this quarter against the commit",
        float(total / commit) if commit else None,
        won.count(),
        len(latest),
        unit="%",
        note="" if commit else "No commit was submitted for this quarter by the start of the week.",
    )


METRICS: tuple[tuple[str, Metric, str], ...] = (
    ("won", won_amount, "{n} won of {N} closed"),
    ("win_rate", win_rate_rolling, "{n} won of {N} closed"),
    ("cycle", cycle_rolling, "{n} won deals with dates of {N} won"),
    ("new_pipeline", new_pipeline, "{n} new deals; {N} open in all"),
    ("slipped", slipped, "{n} of {N} deals expected to close this week"),
    ("pushed", pushed, "{n} of {N} open deals"),
    ("debriefed", debriefed, "{n} of {N} held meetings"),
    ("commit", commit_attainment, "{n} deals won; commit from {N} reps"),
)


@dataclass(frozen=True)
class ReportLine:
    key: str
    current: Figure
    last_week: Figure
    last_year: Figure
    team_median: float | None
    teams: int
    sample: str
    sentence: str


# Weeks drawn in the report's trend charts, the report's week last, and the figures drawn:
# those measured in one query for any number of weeks (slipped and pushed take one per week).
TREND_WEEKS = 8
TREND_KEYS = ("won", "new_pipeline", "win_rate", "debriefed")


@dataclass(frozen=True)
class Trend:
    """One figure over the trend weeks, oldest first, beside the same weeks a year before."""

    values: list[float | None]
    last_year: list[float | None]
    samples: list[int]


@dataclass
class WeeklyReport:
    team: str
    team_id: int
    week_start: date
    week_end: date
    generated_at: datetime
    lines: list[ReportLine]
    accuracy: list[str] = field(default_factory=list)
    trend_weeks: list[date] = field(default_factory=list)
    trend: dict[str, Trend] = field(default_factory=dict)

    def line(self, key: str) -> ReportLine:
        return next(x for x in self.lines if x.key == key)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return _jsonable(data)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def fmt(value: float | None, unit: str) -> str:
    """A number as the report writes it: money without decimals, rates as whole percents."""
    if value is None:
        return "no data"
    if unit == "money":
        return money(value)
    if unit == "%":
        return f"{value * 100:.0f}%"
    if unit == "days":
        return f"{value:.0f} days"
    return f"{value:g}"


def _sentence(line_label: str, cur: Figure, sample: str, refs: list[tuple[str, str]]) -> str:
    text = f"{line_label}: {fmt(cur.value, cur.unit)} ({sample}"
    if cur.low is not None and cur.high is not None and cur.value is not None:
        text += f"; 95% interval {fmt(cur.low, cur.unit)} to {fmt(cur.high, cur.unit)}"
    text += "). "
    references = "; ".join(f"{name} {value}" for name, value in refs)
    text += references[:1].upper() + references[1:] + "."
    if cur.note:
        text += f" {cur.note}"
    return text


def _median_reference(teams: int, median: float | None, unit: str) -> tuple[str, str]:
    """A median needs more than one team to be a reference; with one it says so."""
    if teams < 2:
        return ("median of the teams", "not available, this is the only team with data")
    return (f"median of {teams} teams", fmt(median, unit))


def report_teams(viewer: User) -> QuerySet[Team]:
    return access.teams_for(viewer).order_by("name")


def _scope(viewer: User, team: Team) -> Scope:
    deals = opportunities_for(viewer).filter(team=team)
    activities = activities_for(viewer).filter(Q(opportunity__team=team) | Q(account__team=team))
    return Scope(deals=deals, activities=activities, team=team)


def _scopes(viewer: User, teams: list[int]) -> Scopes:
    """What ``_scope`` gives for each of the teams, for all of them at once."""
    deals = opportunities_for(viewer).filter(team_id__in=teams)
    activities = activities_for(viewer).filter(
        Q(opportunity__team_id__in=teams) | Q(account__team_id__in=teams)
    )
    return Scopes(deals=deals, activities=activities, team_ids=tuple(teams))


def weekly_report(*, viewer: User, team: Team, week: date | None = None) -> WeeklyReport:
    """The report of ``team`` for the week holding ``week`` (default: the last full week).

    Raises LookupError when the viewer may not read the team's figures.
    """
    if not report_teams(viewer).filter(pk=team.pk).exists():
        raise LookupError(f"No team {team.pk} that you can see.")
    today = timezone.localdate()
    start = week_of(week) if week else week_of(today) - timedelta(days=7)
    window = Window(start, start + timedelta(days=6))
    teams = list(report_teams(viewer).values_list("pk", flat=True))
    before_w, year_w = window.shifted(7), window.shifted(364)
    weeks = [window.shifted(7 * k) for k in range(TREND_WEEKS - 1, -1, -1)]
    scopes = _scopes(viewer, teams)
    asks = [(team.pk, window), (team.pk, before_w), (team.pk, year_w)]
    figures = measure_teams(scopes, asks + [(t, window) for t in teams])
    trend_asks = [(team.pk, w) for w in weeks] + [(team.pk, w.shifted(364)) for w in weeks]
    trend_figures = measure_teams(scopes, trend_asks, keys=TREND_KEYS)
    lines = []
    for key, _, sample in METRICS:
        current = figures[key][(team.pk, window)]
        before = figures[key][(team.pk, before_w)]
        year = figures[key][(team.pk, year_w)]
        values = [v for v in (figures[key][(t, window)].value for t in teams) if v is not None]
        median = float(statistics.median(values)) if values else None
        sample_text = sample.format(n=current.n, N=current.population)
        refs = [
            ("last week", fmt(before.value, before.unit)),
            ("same week last year", fmt(year.value, year.unit)),
            _median_reference(len(values), median, current.unit),
        ]
        lines.append(
            ReportLine(
                key=key,
                current=current,
                last_week=before,
                last_year=year,
                team_median=median,
                teams=len(values),
                sample=sample_text,
                sentence=_sentence(current.label, current, sample_text, refs),
            )
        )
    return WeeklyReport(
        team=team.name,
        team_id=team.pk,
        week_start=window.start,
        week_end=window.end,
        generated_at=timezone.now(),
        lines=lines,
        accuracy=_accuracy_lines(viewer, team, window.end),
        trend_weeks=[w.start for w in weeks],
        trend={
            key: Trend(
                values=[trend_figures[key][(team.pk, w)].value for w in weeks],
                last_year=[trend_figures[key][(team.pk, w.shifted(364))].value for w in weeks],
                samples=[trend_figures[key][(team.pk, w)].n for w in weeks],
            )
            for key in TREND_KEYS
        },
    )


def _accuracy_lines(viewer: User, team: Team, day: date) -> list[str]:
    table = accuracy(viewer=viewer, level="team", today=day)
    mine = [s for s in table.subjects if s.key == team.pk]
    quarters = len(table.period_labels)
    if not mine or not mine[0].summary.periods:
        return [f"No forecast with a commit above zero in the last {quarters} quarters."]
    s = mine[0].summary
    lines = [
        f"Quarters measured: {s.periods} of {quarters}; "
        + (
            f"rank {mine[0].rank} of {len(table.subjects)} teams by MAPE."
            if len(table.subjects) > 1
            else "the only team measured, so no rank."
        ),
        f"Mean attainment of forecast: {fmt(s.attainment, '%')}; bias {_signed(s.bias)}; "
        f"spread {fmt(s.spread, '%')} (standard deviation).",
        f"MAPE: {fmt(s.mape, '%')}; "
        + (
            f"median MAPE of {len(table.subjects)} teams: {fmt(table.reference_mape, '%')}."
            if len(table.subjects) > 1
            else "no other team to compare with."
        ),
        f"Quarters within ±10% of forecast: {s.hits.successes} of {s.hits.n}.",
    ]
    if s.periods < 3:
        lines.append(f"Not enough quarters to tell a trend: {s.periods}; at least 3 are needed.")
    return lines


def _signed(value: float | None) -> str:
    if value is None:
        return "no data"
    return f"{value * 100:+.0f} points"
