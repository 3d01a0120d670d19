"""The team scoreboard and a personal scorecard in real Chromium."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from presales.scorecards.models import BonusPlan
from tests import scorecard_data
from tests.conftest import PASSWORD, Cast, make_goal
from tests.test_browser import ARTIFACTS, browser  # noqa: F401 (the shared Chromium fixture)

pytestmark = pytest.mark.browser


def test_se_opens_the_scoreboard_reads_a_figure_with_reference_and_sample_then_tries_a_what_if(
    browser: Any,  # noqa: F811
    live_server: Any,
    transactional_db: None,
    cast: Cast,
) -> None:
    scorecard_data.build(cast)
    goal = make_goal(
        cast.alice, title="Show the product", target=Decimal("2"), weight=Decimal("100")
    )
    BonusPlan.objects.create(owner=cast.alice, year=2024, quarter=2, target_bonus=Decimal("1000"))
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.click("text=Scorecards")
    page.wait_for_url("**/scorecards/")
    page.goto(f"{live_server.url}/scorecards/teams/{cast.north.pk}/?period=2024-Q2")
    cell = page.locator(f"#fig-{cast.alice.pk}-win_rate_with_se")
    assert cell.locator(".fig-value").inner_text() == "66.7 %"
    assert cell.locator(".fig-sample").inner_text() == "n=3 closed deals"
    assert (
        "last period — (n=0) · team median 66.7 % (of 1)" in cell.locator(".fig-ref").inner_text()
    )
    assert page.locator("#scoreboard svg").count() >= 10
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "scoreboard.png"), full_page=True)

    page.click("#scoreboard thead a")  # alice's own scorecard
    page.wait_for_url(f"**/scorecards/people/{cast.alice.pk}/?period=2024-Q2")
    assert page.locator("#payout-total").inner_text() == "$500.00"
    page.fill(f"input[name=whatif_{goal.pk}]", "150")
    page.click("text=Recompute")
    page.wait_for_url(f"**whatif_{goal.pk}=150**")
    assert page.locator("#payout-total").inner_text() == "$1,500.00"
    page.screenshot(path=str(ARTIFACTS / "scorecard.png"), full_page=True)
