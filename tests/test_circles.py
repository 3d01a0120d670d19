"""The three-circles analysis, checked against values computed by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from presales.deals.access import opportunities_for
from presales.deals.models import Opportunity, Stage
from presales.qualification.analytics import bootstrap_median, circles_analysis, wilson
from presales.qualification.models import CirclesRating
from tests.conftest import Cast, make_account, make_opportunity
from tests.test_api import bearer, call

ENGAGED = date(2025, 1, 6)


def rated_deal(
    cast: Cast, *, overlap: int, won: bool, cycle: int, rated_after: int = 3
) -> Opportunity:
    deal = make_opportunity(
        make_account(cast.north),
        stage=Stage.WON if won else Stage.LOST,
        engage_date=ENGAGED,
        close=ENGAGED + timedelta(days=cycle),
    )
    at = datetime.combine(ENGAGED + timedelta(days=rated_after), datetime.min.time())
    CirclesRating.objects.create(
        opportunity=deal, overlap=overlap, recorded_at=timezone.make_aware(at)
    )
    return deal


def test_wilson_matches_the_hand_computed_interval() -> None:
    # 3 of 4: centre (0.75 + z²/8) / (1 + z²/4) = 0.6275, half-width 0.3269.
    rate = wilson(3, 4)
    assert rate.value == 0.75
    assert rate.low == pytest.approx(0.3006, abs=1e-4)
    assert rate.high == pytest.approx(0.9544, abs=1e-4)
    # 0 of 5: the upper bound is z² / (n + z²) = 3.8415 / 8.8415.
    none = wilson(0, 5)
    assert (none.low, none.high) == (0.0, pytest.approx(0.4345, abs=1e-4))
    assert wilson(0, 0).value is None


def test_the_bootstrap_median_brackets_the_median_and_collapses_on_constant_data() -> None:
    assert bootstrap_median([10, 10, 10]) == bootstrap_median([10, 10, 10])
    constant = bootstrap_median([10, 10, 10])
    assert (constant.n, constant.value, constant.low, constant.high) == (3, 10.0, 10.0, 10.0)
    spread = bootstrap_median([30, 10, 20, 40])
    assert spread.value == 25.0
    assert spread.low is not None and spread.high is not None
    assert 10 <= spread.low <= 25 <= spread.high <= 40
    assert bootstrap_median([]).value is None


def test_few_deals_give_figures_with_their_sizes_and_a_plain_too_few_verdict(cast: Cast) -> None:
    rated_deal(cast, overlap=5, won=True, cycle=20)
    rated_deal(cast, overlap=4, won=True, cycle=40)
    rated_deal(cast, overlap=4, won=False, cycle=90)
    rated_deal(cast, overlap=1, won=False, cycle=60)
    rated_deal(cast, overlap=2, won=False, cycle=70)
    rated_deal(cast, overlap=5, won=True, cycle=10, rated_after=45)  # rated late: not early
    make_opportunity(make_account(cast.north), stage=Stage.WON)  # closed, never rated
    first_high = rated_deal(cast, overlap=4, won=False, cycle=50)
    CirclesRating.objects.create(opportunity=first_high, overlap=1)  # a later rating: ignored

    result = circles_analysis(opportunities_for(cast.alice))
    high, low, mid = result.group("high"), result.group("low"), result.group("mid")
    assert (high.closed, high.win_rate.successes) == (4, 2)
    assert high.win_rate.value == 0.5
    assert (high.cycle_days.n, high.cycle_days.value) == (2, 30.0)  # won in 20 and 40 days
    assert (low.closed, low.win_rate.successes, low.cycle_days.n) == (2, 0, 0)
    assert mid.closed == 0 and mid.win_rate.value is None
    assert (result.closed_deals, result.rated_early) == (8, 6)
    assert (result.reference.closed, result.reference.win_rate.successes) == (6, 2)
    assert result.too_few
    assert result.verdict_win_rate.startswith("Too few deals to tell: 4 high-overlap and 2 low")
    assert result.verdict_cycle.startswith("Too few won deals to tell: 2 high-overlap and 0")


def test_enough_deals_far_apart_support_the_claim_on_win_rate(cast: Cast) -> None:
    for _ in range(10):
        rated_deal(cast, overlap=5, won=True, cycle=30)
        rated_deal(cast, overlap=1, won=False, cycle=80)
    result = circles_analysis(opportunities_for(cast.alice))
    # Wilson: 10 of 10 → lower bound 10 / (10 + z²) = 0.7225; 0 of 10 → upper bound 0.2775.
    assert result.group("high").win_rate.low == pytest.approx(0.7225, abs=1e-4)
    assert result.group("low").win_rate.high == pytest.approx(0.2775, abs=1e-4)
    assert not result.too_few
    assert result.verdict_win_rate.startswith("Supported")
    assert result.verdict_cycle.startswith("Too few won deals to tell: 10 high-overlap and 0")


def test_the_analysis_only_counts_deals_the_reader_may_see(cast: Cast) -> None:
    rated_deal(cast, overlap=5, won=True, cycle=30)
    assert circles_analysis(opportunities_for(cast.carol)).rated_early == 0
    body = call("get", "/api/qualification/circles-analysis", bearer(cast.alice)).json()
    high = next(g for g in body["groups"] if g["key"] == "high")
    assert (high["closed"], high["win_rate"]["successes"], body["too_few"]) == (1, 1, True)


def test_the_analysis_page_says_when_the_data_are_too_few(cast: Cast, client: object) -> None:
    from django.test import Client

    web = Client()
    web.force_login(cast.alice)
    page = web.get("/qualification/circles/").content.decode()
    assert "Too few deals to tell: 0 high-overlap and 0 low-overlap" in page
