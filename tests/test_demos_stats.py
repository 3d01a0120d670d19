"""Which demos win, computed by hand on a small fixture and compared with the service: three
deals a demo was shown in (one won, one lost, one still open), three comparable deals without
it (one won, two lost) and one deal of another segment that is no comparison."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from presales.activities.models import Activity
from presales.core.stats import wilson
from presales.deals.models import Opportunity, StageChange
from presales.demos.models import Demo, DemoShown
from presales.demos.stats import (
    Filters,
    benjamini_hochberg,
    catalog_stats_json,
    demo_statistics,
    two_proportion_p,
)
from tests.conftest import Cast, make_account, make_activity, make_opportunity, make_product

T0 = timezone.now() - timedelta(days=90)


def _deal(cast: Cast, name: str, size: str, moves: list[tuple[int, str, str]], final: str) -> Any:
    account = make_account(cast.north, f"{name} Inc", size=size)
    deal = make_opportunity(account, owner=cast.bob, name=name, stage=final, amount="1000")
    deal.products.add(make_product())
    for days, before, after in moves:
        StageChange.objects.create(
            opportunity=deal, from_stage=before, to_stage=after, changed_at=T0 + timedelta(days)
        )
    return deal


def _show(demo: Demo, deal: Opportunity, cast: Cast, *, days: int = 0, **extra: Any) -> Activity:
    meeting = make_activity(
        opportunity=deal, participants=[cast.alice], starts_at=T0 + timedelta(days), **extra
    )
    DemoShown.objects.create(activity=meeting, demo=demo)
    return meeting


@pytest.fixture
def world(cast: Cast) -> dict[str, Any]:
    demo = Demo.objects.create(title="SSO in five minutes", owner=cast.alice, state="master")
    demo.products.add(make_product())
    into_demo = (-1, "discovery", "demo")
    shown = {
        # advanced (to POC on day 10), then won
        "won": _deal(cast, "A", "mid", [into_demo, (10, "demo", "poc"), (40, "poc", "won")], "won"),
        # lost on day 20: never advanced
        "lost": _deal(cast, "B", "mid", [into_demo, (20, "demo", "lost")], "lost"),
        # still in the demo stage: open, not advanced
        "open": _deal(cast, "C", "mid", [into_demo], "demo"),
    }
    for deal in shown.values():
        _show(demo, deal, cast)
    # A cancelled meeting showed nothing: it does not count.
    other = _deal(
        cast, "D", "mid", [into_demo, (5, "demo", "proposal"), (30, "proposal", "won")], "won"
    )
    _show(demo, other, cast, status=Activity.Status.CANCELLED)
    # D is then a comparison deal: advanced and won. Two lost comparison deals:
    _deal(cast, "E", "mid", [into_demo, (50, "demo", "lost")], "lost")
    _deal(cast, "F", "mid", [into_demo, (15, "demo", "lost")], "lost")
    # Another segment: in scope, but no comparison for deals of the mid-market.
    _deal(cast, "G", "enterprise", [into_demo, (3, "demo", "poc")], "poc")
    return {"demo": demo, **shown}


def test_one_demos_figures_match_the_hand_computation(cast: Cast, world: dict[str, Any]) -> None:
    stats = demo_statistics(actor=cast.root, min_closed=10)
    row = next(r for r in stats.demos if r.id == world["demo"].pk)
    # Shown in A, B, C of the 7 deals in scope.
    assert (row.deals.n, row.deals.population) == (3, 7)
    assert (row.open_deals, row.won, row.lost) == (1, 1, 1)
    # Advanced within 30 days: A only (B was lost, C did not move); the open deal counts.
    assert (row.advanced.n, row.advanced.population) == (1, 3)
    expected = wilson(1, 3)
    assert (row.advanced.low, row.advanced.high) == (expected.low, expected.high)
    # Comparable (mid-market, in the demo stage, same product, not shown): D advanced, E and F
    # did not; D won, E and F lost. G (enterprise) is no comparison.
    assert row.advanced.reference == pytest.approx(1 / 3)
    assert row.reference_deals == 3
    # Win rate of closed deals: A won, B lost; C is open and so not in it.
    assert (row.win_rate.n, row.win_rate.population) == (1, 2)
    assert row.win_rate.value == 0.5
    assert row.win_rate.low == pytest.approx(wilson(1, 2).low)
    assert row.win_rate.reference == pytest.approx(1 / 3)
    assert row.revenue == Decimal("1000.00")
    assert row.verdict == "too few to tell" and row.p_value is None
    # Won deals: A (one demo) and D (none: its meeting was cancelled).
    assert (stats.won_without_demo.n, stats.won_without_demo.population) == (1, 2)
    assert stats.demos_per_won_deal == 0.5


def test_with_a_small_minimum_the_verdict_rests_on_the_adjusted_test(
    cast: Cast, world: dict[str, Any]
) -> None:
    row = demo_statistics(actor=cast.root, min_closed=2).demos[0]
    # Pooled rate 2/5; z = (1/2 - 1/3) / sqrt(0.4 * 0.6 * (1/2 + 1/3)).
    z = (0.5 - 1 / 3) / math.sqrt(0.4 * 0.6 * (1 / 2 + 1 / 3))
    assert row.p_value == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert row.q_value == pytest.approx(row.p_value)  # one demo tested: nothing to adjust
    assert row.verdict == "no difference"


def test_filters_narrow_the_deals(cast: Cast, world: dict[str, Any]) -> None:
    stats = demo_statistics(actor=cast.root, filters=Filters(segment="enterprise"))
    assert stats.deals_in_scope == 1
    assert stats.demos[0].deals.n == 0
    early = demo_statistics(actor=cast.root, filters=Filters(until=(T0 - timedelta(days=5)).date()))
    assert early.deals_in_scope == 0


def test_a_team_outside_the_deals_sees_none_of_them(cast: Cast, world: dict[str, Any]) -> None:
    stats = demo_statistics(actor=cast.carol)
    assert stats.deals_in_scope == 0
    assert stats.demos[0].deals.n == 0


def test_benjamini_hochberg_matches_the_textbook_example() -> None:
    # Ranked 0.01, 0.03, 0.04, 0.20 (m = 4): p * m / rank gives 0.04, 0.06, 0.0533, 0.20, and
    # each q is the smallest of those at its rank or above.
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.20])
    assert q == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.20])
    assert two_proportion_p(5, 10, 5, 10) == pytest.approx(1.0)


def test_the_json_follows_the_contract(cast: Cast, world: dict[str, Any]) -> None:
    data = json.loads(json.dumps(catalog_stats_json(demo_statistics(actor=cast.root))))
    row = data["demos"][0]
    assert {"id", "title", "state", "verdict"} <= set(row)
    for name in ("deals", "advanced_30_days", "win_rate"):
        assert {"value", "n", "N", "low", "high"} <= set(row[name])
    assert row["win_rate"]["reference"] == pytest.approx(1 / 3)
    assert row["verdict"] == "too few to tell"


def test_the_query_count_does_not_grow_with_demos_or_deals(
    cast: Cast, world: dict[str, Any]
) -> None:
    with CaptureQueriesContext(connection) as small:
        demo_statistics(actor=cast.root)
    for i in range(5):
        demo = Demo.objects.create(title=f"Extra {i}", owner=cast.alice, state="shared")
        demo.products.add(make_product())
        deal = _deal(cast, f"X{i}", "mid", [(-1, "discovery", "demo")], "demo")
        _show(demo, deal, cast)
    with CaptureQueriesContext(connection) as large:
        stats = demo_statistics(actor=cast.root)
    assert len(stats.demos) == 6
    assert len(large) == len(small)
