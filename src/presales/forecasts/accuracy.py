"""Forecast accuracy: how close the forecast called at the start of each quarter came to what
was won, per rep, SE, manager, team and region.

For each closed quarter the *call* of a rep is their last submission made by the end of the
quarter's second week (or, failing that, their first one). Attainment is won ÷ forecast. Over
the quarters: the mean attainment, the bias (mean signed error, attainment - 100%), the spread
(standard deviation of attainment), MAPE (mean absolute error) and the hit rate (quarters within
±10%, with a Wilson interval). Subjects are ranked by MAPE, then spread: a manager at 70%,
140%, 90% averages 100% but ranks below one at 90%, 92%, 91%.

The rep's figures use the rep's own commit; team, manager and region figures use the commit as
the manager adjusted it. An SE's forecast is the deals they support that they rated at least
50% technically confident (or, unrated, that the rep committed).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from presales.core.stats import Rate, median_or_none, wilson
from presales.deals.access import opportunities_for
from presales.deals.models import Opportunity, Stage
from presales.forecasts.access import forecast_submissions_for
from presales.forecasts.models import Adjustment, Category, Line, quarter_label, quarter_of
from presales.people.models import Team, User

LEVELS = ("rep", "se", "manager", "team", "region")
CALL_DAYS = 14
HIT_BAND = 0.10
SE_COMMIT_CONFIDENCE = 50
DEFAULT_PERIODS = 4


@dataclass(frozen=True)
class PeriodAccuracy:
    period_start: date
    label: str
    forecast: Decimal
    actual: Decimal

    @property
    def attainment(self) -> float | None:
        return float(self.actual / self.forecast) if self.forecast > 0 else None


@dataclass(frozen=True)
class AccuracySummary:
    """Figures over ``periods`` quarters that had a forecast above zero."""

    periods: int
    attainment: float | None
    bias: float | None
    spread: float | None
    mape: float | None
    hits: Rate


def summarise(attainments: Sequence[float]) -> AccuracySummary:
    values = list(attainments)
    n = len(values)
    if not n:
        return AccuracySummary(0, None, None, None, None, wilson(0, 0))
    errors = [a - 1 for a in values]
    # Rounded before the comparison so that 90% counts as within ±10% despite binary floats.
    hits = sum(1 for e in errors if round(abs(e), 9) <= HIT_BAND)
    return AccuracySummary(
        periods=n,
        attainment=statistics.fmean(values),
        bias=statistics.fmean(errors),
        spread=statistics.stdev(values) if n > 1 else None,
        mape=statistics.fmean(abs(e) for e in errors),
        hits=wilson(hits, n),
    )


@dataclass
class SubjectAccuracy:
    level: str
    key: int
    name: str
    periods: list[PeriodAccuracy]
    summary: AccuracySummary
    rank: int = 0


@dataclass
class AccuracyTable:
    level: str
    period_labels: list[str]
    subjects: list[SubjectAccuracy]
    reference_mape: float | None = None
    reference_label: str = "median MAPE of this level"
    notes: list[str] = field(default_factory=list)

    def subject(self, name: str) -> SubjectAccuracy:
        return next(s for s in self.subjects if s.name == name)


def closed_quarters(today: date, count: int) -> list[date]:
    """The first days of the ``count`` quarters that ended before ``today``, oldest first."""
    starts: list[date] = []
    start, _ = quarter_of(today)
    for _ in range(count):
        start, _ = quarter_of(start - timedelta(days=1))
        starts.append(start)
    return sorted(starts)


def ranked(subjects: list[SubjectAccuracy]) -> list[SubjectAccuracy]:
    """Most accurate first: lowest MAPE, then lowest spread; subjects with no figures last."""

    def key(s: SubjectAccuracy) -> tuple[float, float, str]:
        inf = float("inf")
        m = s.summary.mape if s.summary.mape is not None else inf
        sd = s.summary.spread if s.summary.spread is not None else inf
        return (m, sd, s.name)

    ordered = sorted(subjects, key=key)
    for position, subject in enumerate(ordered, start=1):
        subject.rank = position
    return ordered


def accuracy(
    *,
    viewer: User,
    level: str,
    today: date | None = None,
    periods: int = DEFAULT_PERIODS,
    team_ids: Iterable[int] | None = None,
) -> AccuracyTable:
    """Accuracy of every ``level`` subject the viewer sees over the last ``periods`` quarters."""
    if level not in LEVELS:
        raise ValueError(f"Unknown level {level!r}: use one of {', '.join(LEVELS)}.")
    starts = closed_quarters(today or timezone.localdate(), periods)
    calls = _calls(viewer, starts, team_ids)
    forecast, names = _forecasts(level, calls)
    actual = _actuals(level, viewer, starts, team_ids)
    subjects = []
    for key in sorted(forecast):
        rows = [
            PeriodAccuracy(
                period_start=s,
                label=quarter_label(s),
                forecast=forecast[key].get(s, Decimal(0)),
                actual=actual.get(key, {}).get(s, Decimal(0)),
            )
            for s in starts
        ]
        summary = summarise([r.attainment for r in rows if r.attainment is not None])
        subjects.append(SubjectAccuracy(level, key, names.get(key, "—"), rows, summary))
    mapes = [s.summary.mape for s in subjects if s.summary.mape is not None]
    table = AccuracyTable(
        level=level,
        period_labels=[quarter_label(s) for s in starts],
        subjects=ranked(subjects),
        reference_mape=median_or_none(mapes),
    )
    if not subjects:
        table.notes.append("No forecasts were submitted for these quarters.")
    return table


@dataclass(frozen=True)
class _Call:
    pk: int
    owner_id: int
    owner_name: str
    team_id: int | None
    period_start: date
    commit: Decimal
    adjusted: Decimal


def _calls(viewer: User, starts: list[date], team_ids: Iterable[int] | None) -> list[_Call]:
    rows = forecast_submissions_for(viewer).filter(period_start__in=starts)
    if team_ids is not None:
        rows = rows.filter(team_id__in=list(team_ids))
    chosen: dict[tuple[int, date], tuple[int, int | None, Decimal, date]] = {}
    for pk, owner_id, team_id, start, week, commit in rows.order_by("week", "id").values_list(
        "pk", "owner_id", "team_id", "period_start", "week", "commit_total"
    ):
        key = (owner_id, start)
        if key not in chosen or week <= start + timedelta(days=CALL_DAYS):
            chosen[key] = (pk, team_id, commit, week)
    ids = [v[0] for v in chosen.values()]
    adjusted: dict[int, Decimal] = {}
    for sid, commit in (
        Adjustment.objects.filter(submission_id__in=ids)
        .order_by("created_at", "id")
        .values_list("submission_id", "commit")
    ):
        adjusted[sid] = commit
    names = {u.pk: str(u) for u in User.objects.filter(pk__in={k[0] for k in chosen})}
    return [
        _Call(pk, owner, names[owner], team, start, commit, adjusted.get(pk, commit))
        for (owner, start), (pk, team, commit, _w) in chosen.items()
    ]


def _team_facts() -> dict[int, tuple[int | None, int]]:
    """team id → (manager id, region id)."""
    return {
        pk: (manager, region)
        for pk, manager, region in Team.objects.values_list("pk", "manager_id", "region_id")
    }


def _group_key(
    level: str, team_id: int | None, facts: dict[int, tuple[int | None, int]]
) -> int | None:
    if team_id is None or team_id not in facts:
        return None
    if level == "team":
        return team_id
    manager, region = facts[team_id]
    return manager if level == "manager" else region


def _forecasts(
    level: str, calls: list[_Call]
) -> tuple[dict[int, dict[date, Decimal]], dict[int, str]]:
    out: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    names: dict[int, str] = {}
    if level == "rep":
        for c in calls:
            out[c.owner_id][c.period_start] += c.commit
            names[c.owner_id] = c.owner_name
        return out, names
    if level == "se":
        by_call = {c.pk: c for c in calls}
        se_links = Opportunity.sales_engineers.through.objects
        lines = list(
            Line.objects.filter(submission_id__in=list(by_call)).values_list(
                "submission_id", "opportunity_id", "category", "amount", "se_confidence"
            )
        )
        ses: dict[int, list[int]] = defaultdict(list)
        for deal, user in se_links.filter(
            opportunity_id__in={line[1] for line in lines}
        ).values_list("opportunity_id", "user_id"):
            ses[deal].append(user)
        for sid, deal, category, amount, confidence in lines:
            counts = (
                confidence >= SE_COMMIT_CONFIDENCE
                if confidence is not None
                else category == Category.COMMIT
            )
            for se in ses.get(deal, []):
                out[se][by_call[sid].period_start] += amount if counts else Decimal(0)
        names.update({u.pk: str(u) for u in User.objects.filter(pk__in=list(out))})
        return out, names
    facts = _team_facts()
    for c in calls:
        key = _group_key(level, c.team_id, facts)
        if key is not None:
            out[key][c.period_start] += c.adjusted
    names.update(_names(level, list(out)))
    return out, names


def _names(level: str, keys: list[int]) -> dict[int, str]:
    from presales.people.models import Region

    if level == "team":
        return dict(Team.objects.filter(pk__in=keys).values_list("pk", "name"))
    if level == "region":
        return dict(Region.objects.filter(pk__in=keys).values_list("pk", "name"))
    return {u.pk: str(u) for u in User.objects.filter(pk__in=keys)}


def _actuals(
    level: str, viewer: User, starts: list[date], team_ids: Iterable[int] | None
) -> dict[int, dict[date, Decimal]]:
    if not starts:
        return {}
    first, last = starts[0], quarter_of(starts[-1])[1]
    won = opportunities_for(viewer).filter(
        stage=Stage.WON, close_date__gte=first, close_date__lte=last
    )
    if team_ids is not None:
        won = won.filter(team_id__in=list(team_ids))
    rows = list(won.values_list("pk", "owner_id", "team_id", "close_date", "amount"))
    out: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    facts = _team_facts()
    ses: dict[int, list[int]] = defaultdict(list)
    if level == "se":
        for deal, user in Opportunity.sales_engineers.through.objects.filter(
            opportunity_id__in=[r[0] for r in rows]
        ).values_list("opportunity_id", "user_id"):
            ses[deal].append(user)
    for pk, owner_id, team_id, closed, amount in rows:
        if closed is None:
            continue
        start = quarter_of(closed)[0]
        value = amount or Decimal(0)
        if level == "rep":
            keys = [owner_id] if owner_id else []
        elif level == "se":
            keys = ses.get(pk, [])
        else:
            key = _group_key(level, team_id, facts)
            keys = [key] if key is not None else []
        for key in keys:
            out[key][start] += value
    return out
