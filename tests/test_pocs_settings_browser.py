"""The POC checklist and limits in real Chromium: a manager adds a prerequisite (a duplicate is
refused and what was typed stays), takes one off new POCs and sets the team's limit; an SE then
reads both without a form to change them."""

from __future__ import annotations

from typing import Any

import pytest

from presales.pocs.models import PocLimit, Prerequisite
from tests.conftest import Cast
from tests.test_browser import (
    browser,  # noqa: F401 (the shared Chromium fixture)
    log_in,
)

pytestmark = pytest.mark.browser


def test_a_manager_keeps_the_poc_checklist_and_limit_and_an_se_reads_them(
    browser: Any,  # noqa: F811
    live_server: Any,
    transactional_db: None,
    cast: Cast,
) -> None:
    Prerequisite.objects.all().delete()
    page = log_in(browser, live_server, "dave")  # the SE manager of West
    page.goto(f"{live_server.url}/pocs/")
    page.click("#demos-nav >> text=POC checklist and limits")
    page.wait_for_url("**/pocs/settings/")
    assert "No prerequisites yet" in page.locator("#poc-prerequisites").inner_text()

    def add(name: str, explanation: str) -> None:
        page.fill("#prerequisite-new input[name=new-name]", name)
        page.fill("#prerequisite-new input[name=new-help_text]", explanation)
        page.click("#prerequisite-new button[type=submit]")

    add("NDA signed", "A mutual NDA")
    assert "is on the checklist of new POCs" in page.locator(".messages").inner_text()
    add("Budget confirmed", "By the economic buyer")
    add("nda SIGNED", "again")
    assert (
        "“NDA signed” is already on the checklist."
        in page.locator("#prerequisite-new").inner_text()
    )
    assert page.input_value("#prerequisite-new input[name=new-help_text]") == "again"  # kept
    assert Prerequisite.objects.count() == 2

    budget = Prerequisite.objects.get(name="Budget confirmed")
    row = page.locator(f'tr[data-prerequisite="{budget.pk}"]')
    row.locator("summary").click()
    row.locator(f"input[name=p{budget.pk}-active]").uncheck()
    row.locator("button[type=submit]").click()
    assert "Saved “Budget confirmed”." in page.locator(".messages").inner_text()
    assert (
        "kept on earlier POCs" in page.locator(f'tr[data-prerequisite="{budget.pk}"]').inner_text()
    )

    page.select_option("#limit-form select[name=team]", label="West")
    page.fill("#limit-form input[name=running_per_se]", "5")
    page.click("#limit-form button[type=submit]")
    assert "at most 5 POCs running per SE" in page.locator(".messages").inner_text()
    assert "5" in page.locator(f'#poc-limits tr[data-team="{cast.west.pk}"]').inner_text()
    assert PocLimit.objects.get(team=cast.west).running_per_se == 5

    se = log_in(browser, live_server, "alice")
    se.goto(f"{live_server.url}/pocs/settings/")
    text = se.locator("main").inner_text()
    assert "NDA signed" in text and "A mutual NDA" in text
    assert se.locator("#prerequisite-new").count() == 0
    assert se.locator("#limit-form").count() == 0
    assert se.locator("#poc-prerequisites summary").count() == 0
