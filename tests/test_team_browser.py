"""The SE team in real Chromium: a rep asks for SE help on a deal, the manager approves it by
assigning the best candidate, the SE finds it on their week and accepts, and the capacity page
shows the new load."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from presales.team.models import CapacityPolicy, SERequest
from tests.conftest import Cast, make_account, make_opportunity
from tests.test_browser import (
    ARTIFACTS,
    browser,  # noqa: F401 (the shared Chromium fixture)
    log_in,
)

pytestmark = pytest.mark.browser


def test_a_reps_request_is_approved_lands_on_the_ses_week_and_shows_in_capacity(
    browser: Any,  # noqa: F811
    live_server: Any,
    transactional_db: None,
    cast: Cast,
) -> None:
    deal = make_opportunity(
        make_account(cast.north, "Northwind"), owner=cast.bob, name="NW rollout"
    )
    day = timezone.localdate() + timedelta(days=2)

    page = log_in(browser, live_server, "bob")
    page.goto(f"{live_server.url}/opportunities/{deal.pk}/")
    page.click("#deal-requests >> text=Ask for SE help on this deal")
    page.wait_for_url("**/team/requests/?deal=*")
    page.select_option("select[name=kind]", "demo")
    page.fill("input[name=summary]", "Security demo for the CISO")
    page.fill("input[name=starts_on]", day.isoformat())
    page.fill("input[name=ends_on]", (day - timedelta(days=5)).isoformat())
    page.select_option("select[name=urgency]", "high")
    page.click("#ask button[type=submit]")
    assert "cannot end before it starts" in page.locator("#ask").inner_text()
    assert page.input_value("input[name=summary]") == "Security demo for the CISO"  # kept
    page.fill("input[name=ends_on]", day.isoformat())
    page.click("#ask button[type=submit]")
    page.wait_for_url("**/team/requests/*/")
    assert "Request sent to North." in page.locator(".messages").inner_text()
    assert "Waiting for an SE" in page.locator("#request-status").inner_text()
    page.close()

    page = log_in(browser, live_server, "dave")
    page.click("#week-requests >> text=Security demo for the CISO")
    row = page.locator("#candidates tr[data-user=alice]")
    assert "no particular skill asked" in row.inner_text()
    row.locator("button").click()
    page.wait_for_url("**/team/requests/*/")
    assert "Assigned to Alice Tester." in page.locator(".messages").inner_text()
    assert "Alice Tester" in page.locator("#request-assignee").inner_text()
    page.close()

    page = log_in(browser, live_server, "alice")
    week = page.locator("#week-requests").inner_text()
    assert "Security demo for the CISO" in week and "Assigned" in week
    page.click("#week-requests >> text=Security demo for the CISO")
    page.click("#request-actions >> text=Accept")
    page.wait_for_url("**/team/requests/*/")
    assert "Accepted" in page.locator("#request-status").inner_text()
    page.close()
    assert SERequest.objects.get().status == SERequest.Status.ACCEPTED

    page = log_in(browser, live_server, "dave")
    page.click('nav >> text="Team"')  # exactly "Team", not "Team week"
    page.wait_for_url("**/team/capacity/")
    page.select_option("select[name=team]", label="North")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("#capacity")
    alice = page.locator(f"#se-{cast.alice.pk}")
    cells = alice.locator("td")
    assert cells.nth(10).inner_text().strip() == "1"  # requests open
    assert (
        "demo 1" in cells.nth(9).inner_text().lower()
        or "discovery 1" in cells.nth(9).inner_text().lower()
    )
    assert alice.get_attribute("data-state") == "available"
    page.fill("input[name=stretched_deals]", "2")
    page.fill("input[name=capacity_deals]", "1")
    page.click("#thresholds button[type=submit]")
    assert "At capacity must be above" in page.locator("#thresholds").inner_text()
    page.fill("input[name=capacity_deals]", "6")
    page.click("#thresholds button[type=submit]")
    page.wait_for_selector(".messages")
    assert "Thresholds of North saved." in page.locator(".messages").inner_text()
    assert page.locator(f"#se-{cast.alice.pk}").get_attribute("data-state") == "stretched"
    assert CapacityPolicy.objects.get(team=cast.north).stretched_deals == 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "team-capacity.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "team-capacity-phone.png"), full_page=True)
    page.close()


def test_time_out_of_the_field_is_asked_approved_and_shown_on_the_team_week(
    browser: Any,  # noqa: F811
    live_server: Any,
    transactional_db: None,
    cast: Cast,
) -> None:
    from presales.team.models import TimeOutOfField

    day = timezone.localdate() + timedelta(days=1)
    page = log_in(browser, live_server, "alice")
    page.goto(f"{live_server.url}/team/time-out/")
    page.select_option("#ask select[name=kind]", "lab")
    page.fill("#ask input[name=title]", "Rebuild the SSO lab")
    page.fill("#ask input[name=starts_on]", str(day))
    page.fill("#ask input[name=ends_on]", str(day))
    page.fill("#ask input[name=hours]", "6")
    page.click("#ask button[type=submit]")
    page.wait_for_selector(".messages")
    assert "Rebuild the SSO lab" in page.locator("#mine").inner_text()
    page.close()

    page = log_in(browser, live_server, "dave")
    page.goto(f"{live_server.url}/team/time-out/?team={cast.north.pk}")
    page.fill("#waiting input[name=note]", "Good timing")
    page.click("#waiting button[value=approve]")
    page.wait_for_selector(".messages")
    assert "Approved" in page.locator(".messages").inner_text()
    assert "6 h" in page.locator(f"#plan-{cast.alice.pk}").inner_text()
    page.goto(f"{live_server.url}/")
    assert "Rebuild the SSO lab" in page.locator("#week-time-out").inner_text()
    # Approved, it is load: the capacity page books Alice's six hours ahead.
    page.goto(f"{live_server.url}/team/capacity/?team={cast.north.pk}")
    row = page.locator(f"#se-{cast.alice.pk}").inner_text()
    assert row.rstrip().endswith("6.0 h"), row
    assert "Time out" in (page.locator("#capacity thead").text_content() or "")
    page.close()
    assert TimeOutOfField.objects.get().status == TimeOutOfField.Status.APPROVED
