"""Forecasting and the weekly report in real Chromium: a rep submits, a manager reads the
accuracy ranking and the weekly team report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from presales.deals.models import Stage
from presales.forecasts.accuracy import closed_quarters
from presales.forecasts.models import Submission, quarter_of
from tests.conftest import Cast, make_account, make_opportunity
from tests.test_browser import (
    browser,  # noqa: F401 (the shared Chromium fixture)
    log_in,
)
from tests.test_forecasts import _seed_two_managers

pytestmark = pytest.mark.browser


def test_rep_submits_then_manager_reads_accuracy_and_the_weekly_report(
    browser: Any,  # noqa: F811
    live_server: Any,
    transactional_db: None,
    cast: Cast,
) -> None:
    _seed_two_managers(cast, closed_quarters(timezone.localdate(), 3))
    today = timezone.localdate()
    deal = make_opportunity(
        make_account(cast.north, "Northwind"),
        owner=cast.bob,
        name="Northwind renewal",
        amount="42000",
        close=quarter_of(today)[1],
    )
    last_week = today - timedelta(days=today.weekday() + 7)
    make_opportunity(
        make_account(cast.north), owner=cast.bob, stage=Stage.WON, amount="12345", close=last_week
    )

    page = log_in(browser, live_server, "bob")
    page.click("nav >> text=Forecast")
    page.wait_for_url("**/forecasts/")
    page.select_option(f"select[name=deal-{deal.pk}]", "commit")
    page.click("#my-forecast button[type=submit]")
    page.wait_for_url("**/forecasts/")
    assert "Forecast submitted for 1 deal(s)." in page.locator(".messages").inner_text()
    assert "42,000" in page.locator("#submissions").inner_text()
    assert (
        Submission.objects.get(owner=cast.bob, week__gte=today - timedelta(days=6)).commit_total
        == 42000
    )
    page.close()

    page = log_in(browser, live_server, "root")
    page.goto(f"{live_server.url}/forecasts/accuracy/?level=manager")
    assert page.locator("#accuracy-chart svg polyline").count() == 2
    rows = page.locator("#accuracy-table tbody tr")
    assert "Erin Tester" in rows.nth(0).inner_text()
    assert "Dave Tester" in rows.nth(1).inner_text()

    page.click("nav >> text=Weekly report")
    page.wait_for_url("**/analytics/weekly/")
    page.select_option("select[name=team]", label="North")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("#line-won")
    won = page.locator("#line-won").inner_text()
    assert "$12,345" in won and "1 won of 1 closed" in won
    assert "Weekly report: North" in page.locator("h1").inner_text()
    page.close()
