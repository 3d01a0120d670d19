"""Real Chromium: a gap raised in a debrief reaches product management's queue and is answered."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from presales.gaps.models import ProductGap
from presales.meetings.models import RaisedGap
from tests.conftest import Cast, make_account, make_activity, make_opportunity
from tests.test_browser import ARTIFACTS, browser, log_in

pytestmark = pytest.mark.browser
__all__ = ["browser"]


def test_a_gap_goes_from_the_debrief_to_the_product_manager_who_answers_it(
    browser: Any, live_server: Any, transactional_db: None, cast: Cast
) -> None:
    account = make_account(cast.north, "Northwind Trading")
    deal = make_opportunity(account, name="Northwind rollout", stage="poc", amount="40000")
    deal.sales_engineers.add(cast.alice)
    meeting = make_activity(
        opportunity=deal,
        subject="Security review",
        participants=[cast.alice],
        starts_at=timezone.now() - timedelta(hours=2),
    )

    # The SE debriefs the meeting and writes down what the customer asked for.
    page = log_in(browser, live_server, "alice")
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/debrief/")
    page.fill("textarea[name=went_right]", "The audit demo landed")
    page.fill("textarea[name=gaps]", "Export audit logs to Splunk")
    page.click("text=Save debrief")
    page.wait_for_selector("text=Debrief saved.")

    # ... and turns the raised gap into a product gap, a deal breaker for this deal.
    page.click("text=Turn into a product gap")
    page.wait_for_url("**/gaps/new/?raised=*")
    assert page.input_value("input[name=title]") == "Export audit logs to Splunk"
    page.fill("input[name=product_area]", "Security")
    page.select_option("select[name=impact]", "deal_breaker")
    page.click("text=Write it down")
    page.wait_for_url("**/gaps/*/")
    # 40,000 x 0.40 (proof of concept) x 1.0 (deal breaker)
    assert "$16,000" in page.locator("#gap-revenue").inner_text()
    assert "Product management answers gaps." in page.locator("#gap-answer").inner_text()
    gap = ProductGap.objects.get()
    assert RaisedGap.objects.get().converted_to == f"gaps.ProductGap:{gap.pk}"
    page.close()

    # Nobody answers within the due date: the gap becomes a maybe.
    ProductGap.objects.filter(pk=gap.pk).update(
        review_due_on=timezone.localdate() - timedelta(days=4)
    )

    pm = log_in(browser, live_server, "paula")
    pm.goto(f"{live_server.url}/gaps/queue/")
    maybes = pm.locator("#queue-maybes").inner_text()
    assert "Export audit logs to Splunk" in maybes and "4 days" in maybes
    pm.click("#queue-maybes >> text=Export audit logs to Splunk")
    pm.wait_for_url(f"**/gaps/{gap.pk}/")
    pm.select_option("#answer-form select[name=status]", "committed")
    pm.fill("#answer-form input[name=committed_release]", "7.2")
    pm.fill("#answer-form textarea[name=answer_text]", "Splunk export ships in 7.2, in March.")
    pm.click("text=Record the answer")
    pm.wait_for_selector("text=Answer recorded.")
    assert "Splunk export ships in 7.2" in pm.locator("#gap-answer").inner_text()

    pm.goto(f"{live_server.url}/gaps/queue/")
    assert "Export audit logs to Splunk" not in pm.locator("#queue-maybes").inner_text()
    pm.goto(f"{live_server.url}/gaps/")
    ranking = pm.locator("#gap-ranking").inner_text()
    assert "Export audit logs to Splunk" in ranking and "Committed" in ranking
    ARTIFACTS.mkdir(exist_ok=True)
    pm.screenshot(path=str(ARTIFACTS / "gap-ranking.png"), full_page=True)
    pm.close()
