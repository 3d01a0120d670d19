"""Which demos win: per demo, the deals it was shown in against comparable deals where it was
not, with 95% Wilson intervals and the Benjamini-Hochberg false discovery rate across demos.

Read-only. A constant number of queries whatever the number of demos or deals: the deals in
scope, their products, their stage history, the first showing of each demo per deal and the
demos. Everything else is one pass over those rows.

- A deal's moment is the first time the demo was shown in it (a meeting that was not
  cancelled). For deals compared against, it is their first showing of any demo, or else when
  they entered the demo stage, or else when they were created.
- "Advanced within 30 days": a stage change to a later stage (closing won counts, lost does
  not) within 30 days after the moment. Open deals count in this share as they stand.
- Win rate: won of the closed deals (won and lost); open deals are listed as open, never
  dropped, and lost deals are never left out.
- The comparison: deals where the demo was not shown, of the same segment (account size) and
  stage at the moment as the deals it was shown in, and with one of the demo's products.
- The verdict compares win rates (two-sided two-proportion test, then Benjamini-Hochberg
  across the demos that have enough closed deals); below ``MIN_CLOSED`` closed deals on
  either side it is "too few to tell".
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, FloatField, Func, Min, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from presales.activities.models import Activity
from presales.core import access
from presales.core.stats import Figure, rate_figure, wilson
from presales.deals.access import opportunities_for
from presales.deals.models import Opportunity, Stage, StageChange
from presales.demos.access import demos_for
from presales.demos.models import Demo, DemoShown
from presales.people.models import User

ADVANCE_DAYS = 30
MIN_CLOSED = 10
FDR = 0.05
ORDER: dict[str, int] = {
    Stage.PROSPECTING: 0,
    Stage.DISCOVERY: 1,
    Stage.DEMO: 2,
    Stage.POC: 3,
    Stage.PROPOSAL: 4,
    Stage.NEGOTIATION: 5,
    Stage.WON: 6,
}
COMPARISON = (
    "deals where it was not shown, of the same segment and stage at the moment of showing, "
    "with one of its products"
)

DAY = 86_400
Key = tuple[str, str, frozenset[int]]


class Epoch(Func):
    """Seconds since 1970 of a datetime column, computed by the database: the statistics read
    tens of thousands of moments, and an integer costs nothing to convert."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)"
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(EXTRACT(EPOCH FROM %(expressions)s) AS BIGINT)"
        )  # segment, stage at the moment, the deal's products


@dataclass(frozen=True)
class Filters:
    product_id: int | None = None
    segment: str = ""
    team_id: int | None = None
    since: date | None = None
    until: date | None = None


@dataclass
class DemoStats:
    id: int
    title: str
    state: str
    deals: Figure
    advanced: Figure
    win_rate: Figure
    open_deals: int
    won: int
    lost: int
    revenue: Decimal
    reference_deals: int
    p_value: float | None
    q_value: float | None
    verdict: str
    comparison: str = COMPARISON


@dataclass
class CatalogStats:
    demos: list[DemoStats]
    deals_in_scope: int
    won_deals: int
    won_without_demo: Figure
    demos_per_won_deal: float | None
    filters: Filters
    min_closed: int = MIN_CLOSED
    notes: list[str] = field(default_factory=list)


@dataclass
class _Deal:
    stage: str
    amount: float  # only summed into revenue: a float spares converting 10,000 decimals
    segment: str
    created: int  # seconds since 1970, as every moment here
    products: set[int] = field(default_factory=set)
    history: list[tuple[int, str, str]] = field(default_factory=list)  # at, from, to
    times: list[int] = field(default_factory=list)
    first_demo_stage: int | None = None


def _at(deal: _Deal, moment: int) -> tuple[str, bool]:
    """The deal's stage at ``moment`` and whether it moved to a later stage within
    ``ADVANCE_DAYS`` after it (closing won counts; lost does not)."""
    history = deal.history
    if not history:
        return deal.stage, False
    i = bisect_right(deal.times, moment)
    stage = history[i - 1][2] if i else (history[0][1] or history[0][2])
    here = ORDER.get(stage, -1)
    limit = moment + ADVANCE_DAYS * DAY
    for at, _, after in history[i:]:
        if at > limit:
            break
        if ORDER.get(after, -1) > here:
            return stage, True
    return stage, False


class _Tally:
    __slots__ = ("advanced", "closed", "deals", "won")

    def __init__(self) -> None:
        self.deals = self.advanced = self.closed = self.won = 0

    def add(self, deal: _Deal, advanced: bool, sign: int = 1) -> None:
        self.deals += sign
        self.advanced += sign * advanced
        if deal.stage in (Stage.WON, Stage.LOST):
            self.closed += sign
            self.won += sign * (deal.stage == Stage.WON)


def _scope(actor: User, filters: Filters) -> QuerySet[Opportunity] | None:
    """The deals in scope, or None for all of them (no need to filter by them)."""
    if access.sees_everything(actor) and not (
        filters.team_id or filters.segment or filters.product_id
    ):
        return None
    deals = opportunities_for(actor)
    if filters.team_id:
        deals = deals.filter(team_id=filters.team_id)
    if filters.segment:
        deals = deals.filter(account__size=filters.segment)
    if filters.product_id:
        deals = deals.filter(products__id=filters.product_id)
    return deals


def _rows(rows: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` query as the database driver returns them: every column
    here is an integer, a float or a string, so Django's per-value converters (a large share
    of the time at tens of thousands of rows) have nothing to do."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _load(actor: User, filters: Filters) -> tuple[dict[int, _Deal], dict[tuple[int, int], int]]:
    scoped = _scope(actor, filters)
    scope = scoped.values("pk") if scoped is not None else None

    def within(rows: QuerySet[Any], field: str) -> QuerySet[Any]:
        return rows if scope is None else rows.filter(**{f"{field}__in": scope})

    deals: dict[int, _Deal] = {}
    rows = within(Opportunity.objects.all(), "pk").values_list(
        "pk", "stage", Cast("amount", FloatField()), "account__size", Epoch("created_at")
    )
    for pk, stage, amount, size, created in _rows(rows):
        deals[pk] = _Deal(stage, amount or 0.0, size or "", created)
    through = within(Opportunity.products.through.objects.all(), "opportunity_id")
    for deal_id, product_id in _rows(through.values_list("opportunity_id", "product_id")):
        deals[deal_id].products.add(product_id)
    changes = within(StageChange.objects.all(), "opportunity_id").order_by(
        "opportunity_id", "changed_at", "id"
    )
    for deal_id, at, before, after in _rows(
        changes.values_list("opportunity_id", Epoch("changed_at"), "from_stage", "to_stage")
    ):
        deal = deals[deal_id]
        deal.history.append((at, before, after))
        deal.times.append(at)
        if after == Stage.DEMO and deal.first_demo_stage is None:
            deal.first_demo_stage = at
    shown = (
        within(
            DemoShown.objects.filter(activity__opportunity__isnull=False),
            "activity__opportunity_id",
        )
        .exclude(activity__status=Activity.Status.CANCELLED)
        .values_list("demo_id", "activity__opportunity_id")
        .annotate(first=Min(Epoch("activity__starts_at")))
    )
    first = {(demo_id, deal_id): at for demo_id, deal_id, at in _rows(shown) if deal_id in deals}
    return deals, first


def _bounds(filters: Filters) -> tuple[float, float]:
    """The period as seconds since 1970: from the start of ``since`` to the end of ``until``,
    in the configured time zone."""
    zone = timezone.get_current_timezone()
    low = high = math.inf
    low = -low
    if filters.since is not None:
        low = datetime.combine(filters.since, datetime.min.time(), tzinfo=zone).timestamp()
    if filters.until is not None:
        end = filters.until + timedelta(days=1)
        high = datetime.combine(end, datetime.min.time(), tzinfo=zone).timestamp()
    return low, high


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """Adjusted p-values (q-values) in the order given."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = running
    return adjusted


def two_proportion_p(won_a: int, n_a: int, won_b: int, n_b: int) -> float:
    """Two-sided p-value of the pooled two-proportion z test."""
    pooled = (won_a + won_b) / (n_a + n_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if spread == 0:
        return 1.0
    z = (won_a / n_a - won_b / n_b) / spread
    return math.erfc(abs(z) / math.sqrt(2))


def _reference(
    pool: dict[Key, _Tally], strata: set[tuple[str, str]], products: frozenset[int]
) -> _Tally:
    total = _Tally()
    for (segment, stage, owned), tally in pool.items():
        if (segment, stage) in strata and (not products or owned & products):
            total.deals += tally.deals
            total.advanced += tally.advanced
            total.closed += tally.closed
            total.won += tally.won
    return total


def demo_statistics(
    *, actor: User, filters: Filters | None = None, min_closed: int = MIN_CLOSED
) -> CatalogStats:
    filters = filters or Filters()
    deals, first = _load(actor, filters)
    demos = list(demos_for(actor).values_list("pk", "title", "state"))
    demo_products: dict[int, set[int]] = defaultdict(set)
    through = Demo.products.through.objects.filter(demo_id__in=[d[0] for d in demos])
    for demo_id, product_id in through.values_list("demo_id", "product_id"):
        demo_products[demo_id].add(product_id)

    low, high = _bounds(filters)
    shown_first: dict[int, int] = {}
    by_demo: dict[int, list[tuple[int, int]]] = defaultdict(list)
    demos_in_deal: dict[int, int] = defaultdict(int)
    for (demo_id, deal_id), at in first.items():
        by_demo[demo_id].append((deal_id, at))
        demos_in_deal[deal_id] += 1
        if deal_id not in shown_first or at < shown_first[deal_id]:
            shown_first[deal_id] = at

    pool: dict[Key, _Tally] = defaultdict(_Tally)
    pool_key: dict[int, tuple[Key, bool]] = {}
    in_scope = 0
    won_deals = won_without = demos_on_won = 0
    for pk, deal in deals.items():
        moment = shown_first.get(pk) or deal.first_demo_stage or deal.created
        if not low <= moment < high:
            continue
        in_scope += 1
        stage, advanced = _at(deal, moment)
        key = (deal.segment, stage, frozenset(deal.products))
        pool[key].add(deal, advanced)
        pool_key[pk] = (key, advanced)
        if deal.stage == Stage.WON:
            won_deals += 1
            demos_on_won += demos_in_deal.get(pk, 0)
            won_without += pk not in shown_first

    results: list[DemoStats] = []
    for demo_id, title, state in demos:
        mine = _Tally()
        strata: set[tuple[str, str]] = set()
        revenue = 0.0
        own_keys: list[tuple[Key, bool, _Deal]] = []
        for deal_id, at in by_demo.get(demo_id, []):
            deal = deals[deal_id]
            if deal_id not in pool_key or not low <= at < high:
                continue
            stage, advanced = _at(deal, at)
            mine.add(deal, advanced)
            strata.add((deal.segment, stage))
            if deal.stage == Stage.WON:
                revenue += deal.amount
            key, advanced = pool_key[deal_id]
            own_keys.append((key, advanced, deal))
        products = frozenset(demo_products.get(demo_id, set()))
        reference = _reference(pool, strata, products)
        for key, advanced, deal in own_keys:  # the demo's own deals are not their reference
            if (key[0], key[1]) in strata and (not products or key[2] & products):
                reference.add(deal, advanced, sign=-1)
        ref_advance = wilson(reference.advanced, reference.deals).value
        ref_win = wilson(reference.won, reference.closed).value
        p_value = None
        if mine.closed >= min_closed and reference.closed >= min_closed:
            p_value = two_proportion_p(mine.won, mine.closed, reference.won, reference.closed)
        results.append(
            DemoStats(
                id=demo_id,
                title=title,
                state=state,
                deals=rate_figure("Deals shown in", mine.deals, in_scope, minimum=1),
                advanced=rate_figure(
                    f"Advanced a stage within {ADVANCE_DAYS} days",
                    mine.advanced,
                    mine.deals,
                    reference=ref_advance,
                    reference_label=f"comparable deals without it ({reference.deals})",
                    minimum=min_closed,
                ),
                win_rate=rate_figure(
                    "Win rate of closed deals",
                    mine.won,
                    mine.closed,
                    reference=ref_win,
                    reference_label=f"comparable closed deals without it ({reference.closed})",
                    minimum=min_closed,
                ),
                open_deals=mine.deals - mine.closed,
                won=mine.won,
                lost=mine.closed - mine.won,
                revenue=Decimal(round(revenue, 2)).quantize(Decimal("0.01")),
                reference_deals=reference.deals,
                p_value=p_value,
                q_value=None,
                verdict="too few to tell",
            )
        )
    tested = [r for r in results if r.p_value is not None]
    for row, q in zip(tested, benjamini_hochberg([r.p_value or 0.0 for r in tested]), strict=True):
        row.q_value = q
        better = (row.win_rate.value or 0) > (row.win_rate.reference or 0)
        row.verdict = ("better" if better else "worse") if q < FDR else "no difference"
    results.sort(key=lambda r: (-r.deals.n, r.title))
    return CatalogStats(
        demos=results,
        deals_in_scope=in_scope,
        won_deals=won_deals,
        won_without_demo=rate_figure("Deals won without a demo", won_without, won_deals, minimum=1),
        demos_per_won_deal=demos_on_won / won_deals if won_deals else None,
        filters=filters,
        min_closed=min_closed,
    )


def _figure_json(figure: Figure) -> dict[str, Any]:
    data: dict[str, Any] = {
        "value": figure.value,
        "n": figure.n,
        "N": figure.population,
        "low": figure.low,
        "high": figure.high,
    }
    if figure.reference is not None or figure.reference_label:
        data["reference"] = figure.reference
        data["reference_label"] = figure.reference_label
    if figure.note:
        data["note"] = figure.note
    return data


def demo_stats_json(row: DemoStats) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "state": row.state,
        "deals": _figure_json(row.deals),
        "advanced_30_days": _figure_json(row.advanced),
        "win_rate": _figure_json(row.win_rate),
        "open_deals": row.open_deals,
        "won": row.won,
        "lost": row.lost,
        "revenue": float(row.revenue),
        "p_value": row.p_value,
        "q_value": row.q_value,
        "verdict": row.verdict,
        "comparison": row.comparison,
    }


def catalog_stats_json(stats: CatalogStats) -> dict[str, Any]:
    return {
        "demos": [demo_stats_json(row) for row in stats.demos],
        "deals_in_scope": stats.deals_in_scope,
        "won_deals": stats.won_deals,
        "won_without_demo": _figure_json(stats.won_without_demo),
        "demos_per_won_deal": stats.demos_per_won_deal,
        "min_closed": stats.min_closed,
        "false_discovery_rate": FDR,
        "filters": {
            "product_id": stats.filters.product_id,
            "segment": stats.filters.segment,
            "team_id": stats.filters.team_id,
            "since": stats.filters.since.isoformat() if stats.filters.since else None,
            "until": stats.filters.until.isoformat() if stats.filters.until else None,
        },
    }
