"""Pipeline analytics with hand-computed figures, and the independent check on the Maven CRM
sample: win rates and cycle lengths per agent and per manager recomputed from the CSV files with
the standard library must equal what the analytics say."""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from presales.analytics import pipeline
from presales.deals.models import Opportunity, Stage, StageChange
from presales.deals.services import update_opportunity
from tests.conftest import Cast, make_account, make_opportunity, make_product

MAVEN = Path("/work/shared/datasets/maven-crm")


def test_win_rate_with_and_without_an_se_carries_wilson_intervals_and_says_too_few(
    cast: Cast,
) -> None:
    account = make_account(cast.north)
    for stage in (Stage.WON, Stage.WON, Stage.LOST):
        make_opportunity(account, owner=cast.bob, stage=stage).sales_engineers.add(cast.alice)
    for stage in (Stage.LOST, Stage.LOST):
        make_opportunity(account, owner=cast.bob, stage=stage)
    make_opportunity(account, owner=cast.bob, stage=Stage.DEMO).sales_engineers.add(cast.alice)
    with_se, without = pipeline.se_involvement(Opportunity.objects.all())
    assert (with_se.n, with_se.population) == (2, 3)
    assert with_se.value == pytest.approx(2 / 3)
    # Wilson at 2 of 3, z = 1.96: centre 0.5731, half-width 0.3654.
    assert with_se.low == pytest.approx(0.2077, abs=1e-3)
    assert with_se.high == pytest.approx(0.9385, abs=1e-3)
    assert with_se.reference == pytest.approx(2 / 5)
    assert (without.n, without.population, without.value) == (0, 2, 0.0)
    assert with_se.note == "Not enough to tell: 2 of 3; at least 10 are needed."


def _history(deal: Opportunity, *stages: str) -> None:
    at = timezone.now() - timedelta(days=30)
    previous = ""
    for i, stage in enumerate(stages):
        StageChange.objects.create(
            opportunity=deal,
            from_stage=previous,
            to_stage=stage,
            changed_at=at + timedelta(days=i),
        )
        previous = stage


def test_stage_conversion_counts_deals_that_left_a_stage_for_a_later_one(cast: Cast) -> None:
    account = make_account(cast.north)
    _history(make_opportunity(account, stage=Stage.WON), "discovery", "demo", "won")
    _history(make_opportunity(account, stage=Stage.LOST), "discovery", "lost")
    _history(make_opportunity(account, stage=Stage.DISCOVERY), "discovery")
    _history(make_opportunity(account, stage=Stage.LOST), "discovery", "demo", "poc", "lost")
    figures = {
        f.label.split(" →")[0]: f for f in pipeline.stage_conversion(Opportunity.objects.all())
    }
    assert (figures["Discovery"].n, figures["Discovery"].population) == (2, 3)
    assert (figures["Demo"].n, figures["Demo"].population) == (2, 2)
    assert (figures["Proof of concept"].n, figures["Proof of concept"].population) == (0, 1)
    assert figures["Negotiation"].population == 0
    assert figures["Negotiation"].value is None


def test_cycle_length_by_product_is_a_median_with_a_bootstrap_interval(cast: Cast) -> None:
    account = make_account(cast.north)
    pro = make_product("GTX Pro")
    basic = make_product("GTX Basic", "550")
    close = date(2024, 6, 30)
    for days in (10, 20, 30, 40, 50):
        deal = make_opportunity(
            account, stage=Stage.WON, close=close, engage_date=close - timedelta(days=days)
        )
        deal.products.add(pro)
    make_opportunity(account, stage=Stage.LOST, close=close).products.add(pro)
    make_opportunity(
        account, stage=Stage.WON, close=close, engage_date=close - timedelta(days=99)
    ).products.add(basic)
    groups = {g.name: g for g in pipeline.breakdown(Opportunity.objects.all(), by="product")}
    pro_cycle = groups["GTX Pro"].cycle_days
    assert (pro_cycle.value, pro_cycle.n, pro_cycle.population) == (30.0, 5, 5)
    assert pro_cycle.low is not None and pro_cycle.high is not None
    assert 10 <= pro_cycle.low <= 30 <= pro_cycle.high <= 50
    assert pro_cycle.reference == 35.0  # median of 10, 20, 30, 40, 50, 99
    assert (groups["GTX Pro"].win_rate.n, groups["GTX Pro"].win_rate.population) == (5, 6)
    basic_cycle = groups["GTX Basic"].cycle_days
    assert basic_cycle.note == "Not enough to tell: 1 of 1 have a value; at least 5 are needed."


def test_slipped_and_pushed_deals_come_from_the_close_date_history(cast: Cast) -> None:
    today = timezone.localdate()
    start = today - timedelta(days=today.weekday())
    end = start + timedelta(days=6)
    account = make_account(cast.north)
    pushed_deal = make_opportunity(account, owner=cast.bob, close=end)
    on_time = make_opportunity(account, owner=cast.bob, close=end)
    later = make_opportunity(account, owner=cast.bob, close=end + timedelta(days=40))
    update_opportunity(
        actor=cast.bob, opportunity=pushed_deal, changes={"close_date": end + timedelta(days=30)}
    )
    on_time.stage, on_time.close_date = Stage.WON, today
    on_time.save()
    Opportunity.objects.update(created_at=timezone.now() - timedelta(days=60))
    deals = Opportunity.objects.filter(pk__in=[pushed_deal.pk, on_time.pk, later.pk])
    slipped = pipeline.slipped(deals, start=start, end=end)
    assert (slipped.n, slipped.population) == (1, 2)
    pushed = pipeline.pushed(deals, start=start, end=end)
    assert (pushed.n, pushed.population) == (1, 3)


def _maven_expected(by_manager: bool) -> dict[str, tuple[int, int, float | None]]:
    """name → (won, closed, median cycle days of won deals), from the CSV files alone."""
    with (MAVEN / "sales_teams.csv").open(newline="", encoding="utf-8") as f:
        manager_of = {r["sales_agent"]: r["manager"] for r in csv.DictReader(f)}
    won: dict[str, int] = defaultdict(int)
    closed: dict[str, int] = defaultdict(int)
    cycles: dict[str, list[int]] = defaultdict(list)
    with (MAVEN / "sales_pipeline.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["deal_stage"] not in ("Won", "Lost"):
                continue
            name = manager_of[row["sales_agent"]] if by_manager else row["sales_agent"]
            closed[name] += 1
            if row["deal_stage"] == "Won":
                won[name] += 1
                engage = datetime.strptime(row["engage_date"], "%Y-%m-%d").date()
                close = datetime.strptime(row["close_date"], "%Y-%m-%d").date()
                cycles[name].append((close - engage).days)
    return {
        name: (won[name], closed[name], statistics.median(cycles[name]) if cycles[name] else None)
        for name in closed
    }


@pytest.mark.skipif(not MAVEN.is_dir(), reason="the Maven CRM sample is not on this machine")
def test_maven_win_rates_and_cycles_per_agent_and_manager_match_the_csv(cast: Cast) -> None:
    from presales.imports.services import run_import

    assert run_import(kind="maven", paths=[MAVEN]).rejected == 0
    deals = Opportunity.objects.filter(source="maven")
    for by, by_manager in (("owner", False), ("manager", True)):
        expected = _maven_expected(by_manager)
        got = {
            g.name: (g.win_rate.n, g.win_rate.population, g.cycle_days.value)
            for g in pipeline.breakdown(deals, by=by, samples=200)
        }
        assert got == expected
    assert len(_maven_expected(False)) == 30
    assert len(_maven_expected(True)) == 6
