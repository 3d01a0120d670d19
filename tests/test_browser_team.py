"""Real Chromium: the manager opens the team view and a chart, on a desktop and on a phone,
and the SE's daily pages fit a 390 px phone even with a very long word in them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from presales.activities.models import Kind
from presales.deals.models import Stage
from tests.conftest import (
    Cast,
    make_account,
    make_activity,
    make_commitment,
    make_note,
    make_opportunity,
)
from tests.test_browser import ARTIFACTS, browser, log_in  # noqa: F401 - browser is a fixture

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
LONG_WORD = "https://example.com/" + "a" * 400


def _overflow(page: Any) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))


def _team(cast: Cast) -> dict[str, Any]:
    acme = make_account(cast.north, "Acme Health")
    deal = make_opportunity(acme, owner=cast.bob, name="Acme rollout", amount="126000")
    deal.sales_engineers.add(cast.alice)
    now = timezone.now()
    make_activity(opportunity=deal, participants=[cast.alice], subject="SSO demo", kind=Kind.DEMO)
    held = make_activity(
        opportunity=deal,
        participants=[cast.alice],
        subject="Security review",
        starts_at=now - timedelta(days=2),
        status="held",
    )
    make_activity(
        participants=[cast.alice],
        subject="Fixed the partner's demo tenant",
        kind=Kind.OUT_OF_BAND,
        starts_at=now - timedelta(days=1),
    )
    make_commitment(acme, what="Send the SCIM roadmap", owner=cast.alice)
    for days in range(40, 60):
        make_commitment(acme, what=f"Old promise {days}", owner=cast.alice,
                        due_on=timezone.localdate() - timedelta(days=days))  # fmt: skip
    for i in range(12):
        make_opportunity(
            acme,
            owner=cast.bob,
            stage=Stage.WON if i % 3 else Stage.LOST,
            close=timezone.localdate() - timedelta(days=10 + i),
        )
    make_note(LONG_WORD, author=cast.alice, opportunity=deal)
    return {"account": acme, "deal": deal, "held": held}


def test_the_manager_opens_the_team_view_and_a_chart_on_desktop_and_phone(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    transactional_db: None,
    cast: Cast,
) -> None:
    _team(cast)
    ARTIFACTS.mkdir(exist_ok=True)
    page = log_in(browser, live_server, "dave")
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/")
        assert page.locator("h1").first.inner_text().startswith("Team week")
        people = page.locator("#team-people")
        assert "Alice Tester" in people.inner_text()
        assert "20 overdue, oldest" in page.locator("#team-commitments").inner_text()
        assert "Send the SCIM roadmap" in page.locator("#team-commitments").inner_text()
        assert _overflow(page) <= 1, f"team week wider than the {name} window"
        page.screenshot(path=str(ARTIFACTS / f"team-week-{name}.png"), full_page=True)

        # Each person one click away.
        people.get_by_role("link", name="Alice Tester").click()
        page.wait_for_url(f"**/people/{cast.alice.pk}/week/")
        assert "SSO demo" in page.locator("#person-upcoming").inner_text()
        assert "Fixed the partner" in page.locator("#person-out-of-band").inner_text()
        assert _overflow(page) <= 1

        # A chart from the menu: pipeline analytics.
        page.get_by_role("link", name="Pipeline", exact=True).click()
        page.wait_for_url("**/analytics/pipeline/")
        funnel = page.locator("#funnel svg.chart")
        assert funnel.get_attribute("aria-label") == "Deals that reached each stage"
        # On a phone the chart keeps a readable size and scrolls inside its own box.
        box = page.locator("#funnel .chart-box").bounding_box()
        assert box is not None and box["width"] <= size["width"]
        chart = funnel.bounding_box()
        assert chart is not None and chart["width"] >= min(520, size["width"] - 60)
        assert "Closed won" in page.locator("#funnel table").inner_text()
        assert _overflow(page) <= 1, f"pipeline analytics wider than the {name} window"
        page.screenshot(path=str(ARTIFACTS / f"pipeline-chart-{name}.png"), full_page=True)
    page.close()


def test_the_ses_daily_pages_fit_a_phone_even_with_a_very_long_word(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    transactional_db: None,
    cast: Cast,
) -> None:
    made = _team(cast)
    page = log_in(browser, live_server, "alice")
    page.set_viewport_size(PHONE)
    daily = {
        "my-week": "/",
        "deal": f"/opportunities/{made['deal'].pk}/",
        "account": f"/accounts/{made['account'].pk}/",
        "planner": f"/meetings/{made['held'].pk}/plan/",
        "debrief": f"/meetings/{made['held'].pk}/debrief/",
    }
    for name, path in daily.items():
        page.goto(f"{live_server.url}{path}")
        assert _overflow(page) <= 1, f"{name} is wider than a 390 px phone"
        page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
    # The quick log on My week, on the phone: offers the accounts beginning with "Acme".
    page.goto(f"{live_server.url}/")
    page.fill("#quick-log-text", "demo Acm 30m: walked through SSO")
    page.click("#quick-log button[type=submit]")
    page.wait_for_selector("#quick-log fieldset.confirm")
    assert "Acme Health" in page.locator("#quick-log fieldset.confirm").inner_text()
    assert _overflow(page) <= 1
    page.screenshot(path=str(ARTIFACTS / "phone-quick-log.png"), full_page=True)
    page.close()
