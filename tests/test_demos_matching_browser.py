"""In real Chromium: a quick log that describes a demo in other words suggests it, and the SE
confirms it on the meeting's demos page; the demo's page then counts the deal."""

from __future__ import annotations

from typing import Any

import pytest

from presales.activities.models import Activity
from presales.demos.models import Demo, DemoShown
from presales.texts import vectors
from tests.conftest import Cast, make_account, make_opportunity, reseed_shipped_data
from tests.test_browser import (
    ARTIFACTS,
    browser,  # noqa: F401 (the shared Chromium fixture)
    log_in,
)

pytestmark = pytest.mark.browser


def test_the_quick_log_suggests_the_demo_described_and_confirming_counts_it(
    browser: Any,  # noqa: F811
    live_server: Any,
    transactional_db: None,
    cast: Cast,
) -> None:
    reseed_shipped_data()  # an earlier transactional test flushed the shipped frameworks
    vectors.invalidate()
    deal = make_opportunity(make_account(cast.north, "Northwind"), owner=cast.bob, name="NW")
    sso = Demo.objects.create(
        title="SSO flow",
        summary="Single sign-on through Okta: users log in once with their identity provider.",
        owner=cast.alice,
        state="master",
    )
    Demo.objects.create(
        title="API tour", summary="REST endpoints and webhooks.", owner=cast.alice, state="shared"
    )
    page = log_in(browser, live_server, "alice")
    page.fill("#quick-log-text", "demo Northwind 40m: they logged in with Okta, no second password")
    page.click("#quick-log button[type=submit]")
    suggestion = page.locator(".suggested-demos")
    suggestion.wait_for()
    assert "This sounds like SSO flow" in suggestion.inner_text()
    assert not DemoShown.objects.exists()  # a suggestion records nothing
    suggestion.locator("text=Confirm the demos shown").click()
    page.wait_for_url("**/demos/shown/*/?about=*")
    offered = page.locator("#confirm-suggested")
    assert offered.locator("label").first.inner_text().strip().startswith("SSO flow")
    offered.locator("label", has_text="SSO flow").locator("input").check()
    offered.locator("button[type=submit]").click()
    assert "Recorded: SSO flow." in page.locator(".messages").inner_text()
    activity = Activity.objects.get(opportunity=deal)
    assert DemoShown.objects.get().activity_id == activity.pk
    page.goto(f"{live_server.url}/demos/{sso.pk}/")
    assert "1 of 1" in page.locator("#demo-deals").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/demos/shown/{activity.pk}/?about=signed+in+with+Okta")
    page.screenshot(path=str(ARTIFACTS / "demos-by-meaning-phone.png"), full_page=True)
    page.close()
