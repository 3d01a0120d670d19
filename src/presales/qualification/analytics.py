"""Read-only analysis of the three circles: do deals whose circles overlapped early close more
often and faster, on this team's own data? Every figure carries its sample size, a 95%
interval (Wilson for rates, bootstrap for medians) and the all-deals reference beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import QuerySet

from presales.core.stats import Median, Rate, bootstrap_median, wilson
from presales.deals.models import Opportunity, Stage
from presales.qualification.models import CirclesRating

EARLY_DAYS = 30
MIN_DEALS_PER_GROUP = 10
MIN_WON_PER_GROUP = 5
GROUPS = (
    ("low", "Low overlap (1–2)", (1, 2)),
    ("mid", "Partial (3)", (3,)),
    ("high", "High overlap (4–5)", (4, 5)),
)


@dataclass
class OverlapGroup:
    key: str
    label: str
    closed: int
    win_rate: Rate
    cycle_days: Median


@dataclass
class CirclesAnalysis:
    groups: list[OverlapGroup]
    reference: OverlapGroup
    closed_deals: int
    rated_early: int
    verdict_win_rate: str
    verdict_cycle: str
    too_few: bool
    notes: list[str] = field(default_factory=list)

    def group(self, key: str) -> OverlapGroup:
        return next(g for g in self.groups if g.key == key)


def _early_overlap(deals: QuerySet[Opportunity]) -> dict[int, int]:
    """Each deal's first rated circles, when recorded within EARLY_DAYS of engagement
    (a rating whose overlap was left empty says nothing about overlap)."""
    firsts: dict[int, CirclesRating] = {}
    engage = dict(deals.values_list("pk", "engage_date"))
    rated = CirclesRating.objects.filter(opportunity__in=deals.values("pk"), overlap__isnull=False)
    for rating in rated.order_by("opportunity_id", "recorded_at", "id"):
        firsts.setdefault(rating.opportunity_id, rating)
    out: dict[int, int] = {}
    for deal_id, rating in firsts.items():
        start = engage.get(deal_id)
        if start is None or rating.recorded_at.date() <= start + timedelta(days=EARLY_DAYS):
            out[deal_id] = rating.overlap or 0
    return out


def _summarise(key: str, label: str, deals: list[tuple[str, int | None]]) -> OverlapGroup:
    won = [cycle for stage, cycle in deals if stage == Stage.WON]
    return OverlapGroup(
        key=key,
        label=label,
        closed=len(deals),
        win_rate=wilson(len(won), len(deals)),
        cycle_days=bootstrap_median([c for c in won if c is not None]),
    )


def circles_analysis(deals: QuerySet[Opportunity]) -> CirclesAnalysis:
    """Win rate and cycle length of closed deals grouped by their early circles overlap.

    ``deals`` is what the reader may see (e.g. ``opportunities_for(user)``).
    """
    closed = deals.filter(stage__in=[Stage.WON, Stage.LOST])
    overlap = _early_overlap(closed)
    rows = closed.filter(pk__in=list(overlap)).values_list(
        "pk", "stage", "engage_date", "close_date"
    )
    facts: dict[int, tuple[str, int | None]] = {}
    for pk, stage, engaged, closed_on in rows:
        cycle = (closed_on - engaged).days if engaged and closed_on else None
        facts[pk] = (stage, cycle)
    groups = [
        _summarise(
            key, label, [facts[pk] for pk, o in overlap.items() if o in levels and pk in facts]
        )
        for key, label, levels in GROUPS
    ]
    reference = _summarise("all", "All rated deals", list(facts.values()))
    low, high = groups[0], groups[2]
    too_few = min(low.closed, high.closed) < MIN_DEALS_PER_GROUP
    return CirclesAnalysis(
        groups=groups,
        reference=reference,
        closed_deals=closed.count(),
        rated_early=len(facts),
        verdict_win_rate=_verdict_rate(low, high),
        verdict_cycle=_verdict_cycle(low, high),
        too_few=too_few,
    )


def _verdict_rate(low: OverlapGroup, high: OverlapGroup) -> str:
    if min(low.closed, high.closed) < MIN_DEALS_PER_GROUP:
        return (
            f"Too few deals to tell: {high.closed} high-overlap and {low.closed} low-overlap "
            f"closed deals have an early rating; at least {MIN_DEALS_PER_GROUP} of each are needed."
        )
    lo, hi = low.win_rate, high.win_rate
    assert lo.low is not None and lo.high is not None and hi.low is not None and hi.high is not None
    if hi.low > lo.high:
        return "Supported: deals with high early overlap win more often, beyond the noise."
    if hi.high < lo.low:
        return "Contradicted: deals with high early overlap win less often, beyond the noise."
    return "Not shown: the win-rate intervals overlap, so the data cannot tell the groups apart."


def _verdict_cycle(low: OverlapGroup, high: OverlapGroup) -> str:
    lo, hi = low.cycle_days, high.cycle_days
    if min(lo.n, hi.n) < MIN_WON_PER_GROUP:
        return (
            f"Too few won deals to tell: {hi.n} high-overlap and {lo.n} low-overlap; at least "
            f"{MIN_WON_PER_GROUP} of each are needed."
        )
    assert lo.low is not None and lo.high is not None and hi.low is not None and hi.high is not None
    if hi.high < lo.low:
        return "Supported: won deals with high early overlap close faster, beyond the noise."
    if hi.low > lo.high:
        return "Contradicted: won deals with high early overlap take longer, beyond the noise."
    return "Not shown: the cycle-length intervals overlap, so the data cannot tell them apart."


@dataclass(frozen=True)
class OverlapOverTime:
    """Mean overlap of the ratings recorded in each month of a deal's life, for won and for
    lost deals, with the number of ratings behind each mean."""

    months: list[int]
    won: list[float | None]
    lost: list[float | None]
    won_n: list[int]
    lost_n: list[int]


def overlap_over_time(deals: QuerySet[Opportunity], *, months: int = 12) -> OverlapOverTime:
    """Do the circles of deals that were won overlap more, and earlier, than those lost?"""
    closed = dict(deals.filter(stage__in=(Stage.WON, Stage.LOST)).values_list("pk", "stage"))
    engage = dict(deals.filter(pk__in=list(closed)).values_list("pk", "engage_date"))
    sums: dict[str, list[list[int]]] = {
        Stage.WON: [[] for _ in range(months)],
        Stage.LOST: [[] for _ in range(months)],
    }
    rated = CirclesRating.objects.filter(opportunity_id__in=list(closed), overlap__isnull=False)
    for deal_id, overlap, at in rated.values_list("opportunity_id", "overlap", "recorded_at"):
        start = engage.get(deal_id)
        if start is None:
            continue
        month = (at.date() - start).days // 30
        if 0 <= month < months and overlap is not None:
            sums[closed[deal_id]][month].append(overlap)

    def means(stage: str) -> list[float | None]:
        return [sum(v) / len(v) if v else None for v in sums[stage]]

    return OverlapOverTime(
        months=list(range(months)),
        won=means(Stage.WON),
        lost=means(Stage.LOST),
        won_n=[len(v) for v in sums[Stage.WON]],
        lost_n=[len(v) for v in sums[Stage.LOST]],
    )
