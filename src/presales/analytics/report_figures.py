"""The weekly report's figures for several teams and weeks at once.

Each function gives, for a list of (team id, window) asks, exactly the figure the function of
the same name in ``report`` gives for one team and window, from a fixed number of queries: the
counts and sums are grouped by team in the database with one conditional aggregate per window,
and the rows a figure needs one by one (cycles, meetings, close dates) are read once for all the
teams and split per ask. So the median of the teams costs no query per team.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from presales.activities.models import CUSTOMER_FACING_KINDS, Activity
from presales.analytics.pipeline import (
    PUSHED_LABEL,
    SLIPPED_LABEL,
    _close_dates_at,
    _moment,
    _open_at,
)
from presales.core.stats import Figure, median_figure, rate_figure
from presales.deals.models import CLOSED_STAGES, OPEN_STAGES, Opportunity, Stage, TermsChange
from presales.forecasts.models import Submission, quarter_of
from presales.meetings.models import Debrief


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    def shifted(self, days: int) -> Window:
        return Window(self.start - timedelta(days=days), self.end - timedelta(days=days))


@dataclass(frozen=True)
class Scopes:
    """What the reader sees of the teams asked about: their deals and their activities (an
    activity belongs to the team of its deal and to the team of its account)."""

    deals: QuerySet[Opportunity]
    activities: QuerySet[Activity]
    team_ids: tuple[int, ...]


Ask = tuple[int, Window]
Figures = dict[Ask, Figure]
Batch = Callable[[Scopes, Sequence[Ask]], Figures]

ROLLING_DAYS = 91
REPORT_BOOTSTRAP = 500


def _windows(asks: Sequence[Ask]) -> list[Window]:
    return sorted({w for _, w in asks}, key=lambda w: (w.start, w.end))


def _per_team(
    deals: QuerySet[Opportunity], asks: Sequence[Ask], aggregates: Callable[[int, Window], dict]
) -> Callable[[Ask, str], Any]:
    """One grouped query: for each window ``i``, the aggregates named ``<name>_<i>``; the
    answer reads one of them for an ask (None where the team has no deal)."""
    windows = _windows(asks)
    named: dict[str, Any] = {}
    for i, w in enumerate(windows):
        named.update({f"{name}_{i}": agg for name, agg in aggregates(i, w).items()})
    rows = {
        row.pop("team_id"): row
        for row in deals.order_by().values("team_id").annotate(**named)
        if row["team_id"] is not None
    }
    index = {w: i for i, w in enumerate(windows)}

    def read(ask: Ask, name: str) -> Any:
        return rows.get(ask[0], {}).get(f"{name}_{index[ask[1]]}")

    return read


def _closed_in(w: Window) -> Q:
    return Q(stage__in=CLOSED_STAGES, close_date__gte=w.start, close_date__lte=w.end)


def won_amount(scopes: Scopes, asks: Sequence[Ask]) -> Figures:
    def aggregates(i: int, w: Window) -> dict[str, Any]:
        closed = _closed_in(w)
        won = closed & Q(stage=Stage.WON)
        return {
            "total": Sum("amount", filter=won),
            "won": Count("pk", filter=won),
            "closed": Count("pk", filter=closed),
        }

    read = _per_team(scopes.deals, asks, aggregates)
    return {
        ask: Figure(
            "Won this week",
            float(read(ask, "total") or Decimal(0)),
            read(ask, "won") or 0,
            read(ask, "closed") or 0,
            unit="money",
        )
        for ask in asks
    }


def _rolling(w: Window) -> Q:
    return Q(close_date__gt=w.end - timedelta(days=ROLLING_DAYS), close_date__lte=w.end)


def win_rate_rolling(scopes: Scopes, asks: Sequence[Ask]) -> Figures:
    def aggregates(i: int, w: Window) -> dict[str, Any]:
        closed = Q(stage__in=CLOSED_STAGES) & _rolling(w)
        return {
            "won": Count("pk", filter=closed & Q(stage=Stage.WON)),
            "closed": Count("pk", filter=closed),
        }

    read = _per_team(scopes.deals, asks, aggregates)
    return {
        ask: rate_figure("Win rate, last 13 weeks", read(ask, "won") or 0, read(ask, "closed") or 0)
        for ask in asks
    }


def cycle_rolling(scopes: Scopes, asks: Sequence[Ask]) -> Figures:
    any_window = Q()
    for w in _windows(asks):
        any_window |= _rolling(w)
    # The deals' own order (the model's ordering), as the one-team query reads them: the
    # bootstrap interval depends on it.
    rows = list(
        scopes.deals.filter(any_window, stage=Stage.WON).values_list(
            "team_id", "engage_date", "close_date"
        )
    )
    out = {}
    for team, w in asks:
        mine = [
            (e, c)
            for t, e, c in rows
            if t == team and c and w.end - timedelta(days=ROLLING_DAYS) < c <= w.end
        ]
        cycles = [float((c - e).days) for e, c in mine if e and c]
        out[(team, w)] = median_figure(
            "Median cycle of deals won, last 13 weeks",
            cycles,
            population=len(mine),
            samples=REPORT_BOOTSTRAP,
        )
    return out


def new_pipeline(scopes: Scopes, asks: Sequence[Ask]) -> Figures:
    def aggregates(i: int, w: Window) -> dict[str, Any]:
        created = Q(
            created_at__gte=_moment(w.start), created_at__lt=_moment(w.end + timedelta(days=1))
        )
        return {
            "total": Sum("amount", filter=created),
            "created": Count("pk", filter=created),
            "open": Count("pk", filter=Q(stage__in=OPEN_STAGES)),
        }

    read = _per_team(scopes.deals, asks, aggregates)
    return {
        ask: Figure(
            "New pipeline this week",
            float(read(ask, "total") or Decimal(0)),
            read(ask, "created") or 0,
            read(ask, "open") or 0,
            unit="money",
        )
        for ask in asks
    }


def _teams_of(scope: QuerySet[Opportunity]) -> dict[int, int | None]:
    return dict(scope.order_by().values_list("pk", "team_id"))


def _by(day: date | None, end: date) -> bool:
    return day is not None and day <= end


def slipped(scopes: Scopes, asks: Sequence[Ask]) -> Figures:
    out = {}
    for w in _windows(asks):
        scope = _open_at(scopes.deals, w.start)
        rows = {
            pk: (team, stage, close)
            for pk, team, stage, close in scope.order_by().values_list(
                "pk", "team_id", "stage", "close_date"
            )
        }
        expected_at = _close_dates_at(scope, w.start)
        for team, asked in asks:
            if asked != w:
                continue
            expected = {
                pk
                for pk, when in expected_at.items()
                if rows.get(pk, (None,))[0] == team and when and w.start <= when <= w.end
            }
            closed_in_time = {
                pk for pk in expected if rows[pk][1] in CLOSED_STAGES and _by(rows[pk][2], w.end)
            }
            out[(team, w)] = rate_figure(
                SLIPPED_LABEL, len(expected - closed_in_time), len(expected)
            )
    return out


def pushed(scopes: Scopes, asks: Sequence[Ask]) -> Figures:
    out = {}
    for w in _windows(asks):
        scope = _open_at(scopes.deals, w.start)
        teams = _teams_of(scope)
        moved = {
            pk
            for pk, before, after in TermsChange.objects.filter(
                opportunity__in=scope.values("pk"),
                changed_at__gte=_moment(w.start),
                changed_at__lt=_moment(w.end + timedelta(days=1)),
            ).values_list("opportunity_id", "from_close_date", "to_close_date")
            if before and after and after > before
        }
        for team, asked in asks:
            if asked != w:
                continue
            population = sum(1 for t in teams.values() if t == team)
            hits = sum(1 for pk in moved if teams.get(pk) == team)
            out[(team, w)] = rate_figure(PUSHED_LABEL, hits, population)
    return out


def debriefed(scopes: Scopes, asks: Sequence[Ask]) -> Figures:
    any_window = Q()
    for w in _windows(asks):
        any_window |= Q(
            starts_at__gte=_moment(w.start), starts_at__lt=_moment(w.end + timedelta(days=1))
        )
    rows = list(
        scopes.activities.filter(
            any_window, kind__in=CUSTOMER_FACING_KINDS, status=Activity.Status.HELD
        )
        .annotate(written=Exists(Debrief.objects.filter(activity_id=OuterRef("pk"))))
        .order_by()
        .values_list("opportunity__team_id", "account__team_id", "starts_at", "written")
    )
    out = {}
    for team, w in asks:
        start, end = _moment(w.start), _moment(w.end + timedelta(days=1))
        held = [
            written
            for deal_team, account_team, at, written in rows
            if team in (deal_team, account_team) and start <= at < end
        ]
        out[(team, w)] = rate_figure("Customer meetings held with a debrief", sum(held), len(held))
    return out


def commit_attainment(scopes: Scopes, asks: Sequence[Ask]) -> Figures:
    """Won so far this quarter against the team's commit as called by the start of the week."""

    def aggregates(i: int, w: Window) -> dict[str, Any]:
        won = Q(stage=Stage.WON, close_date__gte=quarter_of(w.end)[0], close_date__lte=w.end)
        return {"total": Sum("amount", filter=won), "won": Count("pk", filter=won)}

    read = _per_team(scopes.deals, asks, aggregates)
    called = Q()
    for w in _windows(asks):
        called |= Q(period_start=quarter_of(w.end)[0], week__lte=w.start)
    calls = list(
        Submission.objects.filter(called, team_id__in=scopes.team_ids)
        .order_by("week", "id")
        .values_list("team_id", "period_start", "week", "owner_id", "commit_total")
    )
    out = {}
    for team, w in asks:
        start, _ = quarter_of(w.end)
        latest: dict[int, Decimal] = {}
        for t, period_start, week, owner, commit_total in calls:
            if t == team and period_start == start and week <= w.start:
                latest[owner] = commit_total
        commit = sum(latest.values(), Decimal(0))
        total = read((team, w), "total") or Decimal(0)
        out[(team, w)] = Figure(
            "Won this quarter against the commit",
            float(total / commit) if commit else None,
            read((team, w), "won") or 0,
            len(latest),
            unit="%",
            note=""
            if commit
            else "No commit was submitted for this quarter by the start of the week.",
        )
    return out


BATCHES: dict[str, Batch] = {
    "won": won_amount,
    "win_rate": win_rate_rolling,
    "cycle": cycle_rolling,
    "new_pipeline": new_pipeline,
    "slipped": slipped,
    "pushed": pushed,
    "debriefed": debriefed,
    "commit": commit_attainment,
}


def measure_teams(
    scopes: Scopes, asks: Sequence[Ask], *, keys: Sequence[str] | None = None
) -> dict[str, Figures]:
    """Every report figure (or only those named in ``keys``) for every ask, one batch per
    figure."""
    asks = list(dict.fromkeys(asks))
    wanted = BATCHES if keys is None else {k: BATCHES[k] for k in keys}
    return {key: batch(scopes, asks) for key, batch in wanted.items()}
