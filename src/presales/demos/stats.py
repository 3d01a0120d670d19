"""Which demos win: per demo, the deals it was shown in against comparable deals where it was
not, with 95% Wilson intervals and the Benjamini-Hochberg false discovery rate across demos.

Read-only, and a constant number of grouped queries whatever the number of demos or deals: it
reads the per-deal facts ``presales.demos.facts`` keeps current (each deal's moment, its stage
then and whether it advanced; each demo's first showing in each deal, the same at that time).

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

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from presales.core import access
from presales.core.stats import Figure, rate_figure, wilson
from presales.deals.access import opportunities_for
from presales.deals.models import Opportunity, Stage
from presales.demos.access import demos_for
from presales.demos.facts import ADVANCE_DAYS, stamp
from presales.demos.models import DealFact, Demo, DemoDealFact
from presales.people.models import User

MIN_CLOSED = 10
FDR = 0.05
COMPARISON = (
    "deals where it was not shown, of the same segment and stage at the moment of showing, "
    "with one of its products"
)
CLOSED = (Stage.WON, Stage.LOST)
CACHE_SECONDS = 24 * 3600  # a new version of the facts makes a new key long before


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
    key: str = ""  # what it is kept under in the cache; empty when it is not kept


class _Tally:
    __slots__ = ("advanced", "closed", "deals", "won")

    def __init__(self) -> None:
        self.deals = self.advanced = self.closed = self.won = 0

    def add(self, deals: int, advanced: int, closed: int, won: int, sign: int = 1) -> None:
        self.deals += sign * deals
        self.advanced += sign * advanced
        self.closed += sign * closed
        self.won += sign * won


def _scope(actor: User, filters: Filters) -> QuerySet[Opportunity] | None:
    """The deals the actor sees, narrowed by team and product; None for all of them."""
    if access.sees_everything(actor) and not (filters.team_id or filters.product_id):
        return None
    deals = opportunities_for(actor)
    if filters.team_id:
        deals = deals.filter(team_id=filters.team_id)
    if filters.product_id:
        deals = deals.filter(products__id=filters.product_id)
    return deals


def _bounds(filters: Filters) -> tuple[datetime | None, datetime | None]:
    """The period: from the start of ``since`` to the end of ``until``, in the configured time
    zone."""
    zone = timezone.get_current_timezone()
    low = high = None
    if filters.since is not None:
        low = datetime.combine(filters.since, datetime.min.time(), tzinfo=zone)
    if filters.until is not None:
        end = filters.until + timedelta(days=1)
        high = datetime.combine(end, datetime.min.time(), tzinfo=zone)
    return low, high


def _within(rows: QuerySet[Any], actor: User, filters: Filters, moment: str) -> QuerySet[Any]:
    """Rows of deals in scope whose ``moment`` falls in the period."""
    scoped = _scope(actor, filters)
    if scoped is not None:
        rows = rows.filter(deal_id__in=scoped.values("pk"))
    if filters.segment:
        rows = rows.filter(segment=filters.segment)
    low, high = _bounds(filters)
    if low is not None:
        rows = rows.filter(**{f"{moment}__gte": low})
    if high is not None:
        rows = rows.filter(**{f"{moment}__lt": high})
    return rows


def _rows(rows: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a grouped ``values_list`` as the driver returns them: strings and numbers,
    which Django's per-value converters would only copy (thousands of groups)."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _products(key: str) -> frozenset[int]:
    return frozenset(int(p) for p in key.split(",") if p)


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


def _counts(**flags: str) -> dict[str, Any]:
    """Rows, closed and won rows, and the rows where each boolean column of ``flags`` holds.
    Counted on ``stage`` (never empty), which the covering index holds (the key may not)."""
    counts = {
        "n": Count("*"),
        "closed": Count("stage", filter=Q(stage__in=CLOSED)),
        "won_n": Count("stage", filter=Q(stage=Stage.WON)),
    }
    counts.update(
        {name: Count("stage", filter=Q(**{column: True})) for name, column in flags.items()}
    )
    return counts


def demo_statistics(
    *, actor: User, filters: Filters | None = None, min_closed: int = MIN_CLOSED
) -> CatalogStats:
    """The statistics of the demos the actor sees, over the deals the actor sees.

    Computed once per version of the facts (``facts.stamp``, which every write to them changes
    in its own transaction) and kept in the cache under that version, the filters, the demos
    the actor sees with their products, and the deals in the actor's scope: a change to any of
    them is a new key, so a figure is never served after what it counts has changed."""
    filters = filters or Filters()
    version = stamp()  # first: facts read after it are at least this new
    demos = list(demos_for(actor).order_by("pk").values_list("pk", "title", "state"))
    through = Demo.products.through.objects.filter(demo_id__in=[d[0] for d in demos])
    links = list(through.order_by("demo_id", "product_id").values_list("demo_id", "product_id"))
    scoped = _scope(actor, filters)
    deals = "all" if scoped is None else list(scoped.order_by("pk").values_list("pk", flat=True))
    parts = (version, timezone.get_current_timezone_name(), filters, min_closed, demos, links)
    digest = hashlib.sha256(repr((parts, deals)).encode()).hexdigest()
    key = f"demos:stats:{digest}"
    if version:
        found = cache.get(key)
        if isinstance(found, CatalogStats):
            return found
    demo_products: dict[int, frozenset[int]] = defaultdict(frozenset)
    for demo_id, product_id in links:
        demo_products[demo_id] |= {product_id}
    result = _compute(actor, filters, min_closed, demos, demo_products)
    if version:
        result.key = key
        cache.set(key, result, CACHE_SECONDS)
    return result


def rendered_table(stats: CatalogStats) -> SafeString:
    """The statistics table of the page, rendered once per kept statistics (and language)."""
    key = f"{stats.key}:table:{translation.get_language()}" if stats.key else ""
    if key:
        found = cache.get(key)
        if isinstance(found, str):
            return mark_safe(found)  # noqa: S308  (rendered with autoescape below)
    html = render_to_string("demos/_stats_table.html", {"stats": stats})
    if key:
        cache.set(key, str(html), CACHE_SECONDS)
    return html


def _compute(
    actor: User,
    filters: Filters,
    min_closed: int,
    demos: list[tuple[int, str, str]],
    demo_products: dict[int, frozenset[int]],
) -> CatalogStats:
    deals = _within(DealFact.objects.all(), actor, filters, "moment")
    totals = deals.aggregate(
        in_scope=Count("*"),
        won=Count("stage", filter=Q(stage=Stage.WON)),
        won_without=Count("stage", filter=Q(stage=Stage.WON, demos_shown=0)),
        demos_on_won=Sum("demos_shown", filter=Q(stage=Stage.WON)),
    )
    # Every deal in scope, grouped by what makes deals comparable.
    pool = _rows(
        deals.values_list("segment", "stage_at_moment", "products")
        .annotate(**_counts(advanced_n="advanced"))
        .values_list("segment", "stage_at_moment", "products", "n", "advanced_n", "closed", "won_n")
        .order_by()
    )
    # Each demo's deals, grouped by their stratum at the showing and by their place in the pool.
    pairs = _within(DemoDealFact.objects.all(), actor, filters, "moment")
    low, high = _bounds(filters)
    if low is not None:
        pairs = pairs.filter(shown_at__gte=low)
    if high is not None:
        pairs = pairs.filter(shown_at__lt=high)
    keys = ("demo_id", "segment", "stage_at", "stage_at_moment", "comparable")
    shown: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for group in _rows(
        pairs.values_list(*keys)
        .annotate(
            revenue=Sum("amount", filter=Q(stage=Stage.WON)),
            **_counts(advanced_n="advanced", deal_advanced_n="deal_advanced"),
        )
        .values_list(*keys, "n", "advanced_n", "deal_advanced_n", "closed", "won_n", "revenue")
        .order_by()
    ):
        shown[group[0]].append(group[1:])
    pool_by: dict[tuple[str, str], list[tuple[frozenset[int], list[int]]]] = defaultdict(list)
    for segment, stage, key, *counts in pool:
        pool_by[(segment, stage)].append((_products(key), counts))

    results: list[DemoStats] = []
    for demo_id, title, state in demos:
        mine = _Tally()
        revenue: Any = 0
        rows = shown.get(demo_id, [])
        strata = {(segment, stage) for segment, stage, *_ in rows}
        products = demo_products.get(demo_id, frozenset())
        reference = _Tally()
        for stratum in strata:
            for owned, (n, advanced, closed, won) in pool_by.get(stratum, ()):
                if not products or owned & products:
                    reference.add(n, advanced, closed, won)
        for (
            segment,
            _,
            deal_stage,
            comparable,
            n,
            advanced,
            deal_advanced,
            closed,
            won,
            money,
        ) in rows:
            mine.add(n, advanced, closed, won)
            revenue += money or 0  # a float on SQLite, a decimal on PostgreSQL
            # The demo's own deals are not their reference.
            if comparable and (segment, deal_stage) in strata:
                reference.add(n, deal_advanced, closed, won, sign=-1)
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
                deals=rate_figure("Deals shown in", mine.deals, totals["in_scope"], minimum=1),
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
                revenue=Decimal(str(revenue)).quantize(Decimal("0.01")),
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
    won_deals = totals["won"]
    return CatalogStats(
        demos=results,
        deals_in_scope=totals["in_scope"],
        won_deals=won_deals,
        won_without_demo=rate_figure(
            "Deals won without a demo", totals["won_without"], won_deals, minimum=1
        ),
        demos_per_won_deal=(totals["demos_on_won"] or 0) / won_deals if won_deals else None,
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
