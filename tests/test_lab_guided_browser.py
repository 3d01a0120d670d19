"""A self-guided evaluation in real Chromium: an SE registers one on a deal from the lab pages,
records the customer's completion, and sees it counted on the demo's page; on a phone's width
the pages do not scroll sideways."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from presales.demos.models import Demo
from presales.lab.models import Environment, Evaluation, Lab
from tests.conftest import Cast, make_account, make_opportunity, reseed_shipped_data
from tests.test_browser import (
    browser,  # noqa: F401 (the shared Chromium fixture)
    log_in,
)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _sideways(page: Any) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))


def test_register_a_self_guided_evaluation_record_completion_and_see_it_on_the_demo(
    browser: Any,  # noqa: F811
    live_server: Any,
    transactional_db: None,
    cast: Cast,
) -> None:
    reseed_shipped_data()
    deal = make_opportunity(make_account(cast.north, "Northwind"), owner=cast.bob, name="NW")
    demo = Demo.objects.create(
        title="SSO in five minutes",
        owner=cast.alice,
        state=Demo.State.SHARED,
        script="Open the console\nConnect the identity provider\nLog in",
    )
    environment = Environment.objects.create(lab=Lab.objects.create(name="Central"), name="Trial")
    page = log_in(browser, live_server, "alice")
    page.goto(f"{live_server.url}/lab/")
    page.click('#lab-nav >> text="Self-guided evaluations"')
    page.wait_for_url("**/lab/evaluations/")
    assert "No self-guided evaluation yet" in page.locator("main").inner_text()
    form = page.locator("#register")
    form.locator("select[name=demo]").select_option(str(demo.pk))
    form.locator("input[name=steps_total]").fill("3")
    form.locator("button[type=submit]").click()
    assert "Choose the deal or the customer contact" in form.inner_text()
    assert not Evaluation.objects.exists()
    form.locator("select[name=deal]").select_option(str(deal.pk))
    form.locator("select[name=environment]").select_option(str(environment.pk))
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/lab/evaluations/*/")
    assert "Connect the identity provider" in page.locator("#script").inner_text()
    assert "0 of 3" in page.locator("#steps").inner_text()

    today = timezone.localdate().isoformat()
    progress = page.locator("#progress")
    progress.locator("input[name=steps_done]").fill("3")
    progress.locator("input[name=completed_on]").fill(today)
    progress.locator("textarea[name=notes]").fill("Asked for a quote.")
    progress.locator("button[type=submit]").click()
    page.wait_for_url("**/lab/evaluations/*/")
    summary = page.locator("#evaluation-summary").inner_text()
    assert "Completed" in summary and "3 of 3" in summary and "Asked for a quote." in summary

    page.set_viewport_size(PHONE)
    assert _sideways(page) <= 0
    page.click('#evaluation-summary >> text="SSO in five minutes"')
    page.wait_for_url(f"**/demos/{demo.pk}/")
    block = page.locator("#demo-self-guided").inner_text()
    assert "Self-guided, without an SE" in block
    assert page.locator("#self-guided-n").inner_text() == "1"
    assert "100%" in page.locator("#self-guided-completed").inner_text()
    assert "1 deal(s) still open" in page.locator("#self-guided-won").inner_text()
    page.goto(f"{live_server.url}/lab/evaluations/")
    assert _sideways(page) <= 0
    assert "NW" in page.locator("#evaluations").inner_text()
