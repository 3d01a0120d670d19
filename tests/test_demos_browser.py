"""The demo catalog, the lab and a POC in real Chromium: an SE adds a demo, records it as shown
in a meeting and sees it counted on the demo's page; reserves a lab environment and sees a
conflicting reservation refused; and runs a POC to the customer's sign-off."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from presales.activities.models import Activity
from presales.demos.models import Demo, DemoShown
from presales.lab.models import Environment, Lab, Reservation
from presales.pocs.models import Poc, Prerequisite
from presales.qualification.models import BusinessIssue
from tests.conftest import (
    Cast,
    make_account,
    make_activity,
    make_contact,
    make_opportunity,
    reseed_shipped_data,
)
from tests.test_browser import (
    ARTIFACTS,
    browser,  # noqa: F401 (the shared Chromium fixture)
    log_in,
)

pytestmark = pytest.mark.browser


def test_a_demo_added_and_shown_in_a_meeting_is_counted_on_its_page(
    browser: Any,  # noqa: F811
    live_server: Any,
    transactional_db: None,
    cast: Cast,
) -> None:
    reseed_shipped_data()  # an earlier transactional test flushed the shipped frameworks
    deal = make_opportunity(make_account(cast.north, "Northwind"), owner=cast.bob, name="NW")
    meeting = make_activity(
        opportunity=deal,
        participants=[cast.alice],
        subject="Security review",
        starts_at=timezone.now() - timedelta(days=1),
        status=Activity.Status.HELD,
    )
    page = log_in(browser, live_server, "alice")
    page.click('nav >> text="Demos & POCs"')
    page.wait_for_url("**/demos/")
    assert "No demo yet" in page.locator("main").inner_text()
    page.click("#add-demo")
    page.fill("input[name=title]", "SSO in five minutes")
    page.fill("input[name=duration_minutes]", "0")
    page.click("#demo-form button[type=submit]")
    assert "between 1 minute and 8 hours" in page.locator("#demo-form").inner_text()
    assert page.input_value("input[name=title]") == "SSO in five minutes"  # kept
    page.fill("input[name=duration_minutes]", "15")
    page.fill("textarea[name=script]", "Log in with the customer's identity provider.")
    page.click("#demo-form button[type=submit]")
    page.wait_for_url("**/demos/*/")
    assert "Draft" in page.locator("#demo-state").inner_text()
    page.click("#demo-actions button[data-state=shared]")
    page.wait_for_url("**/demos/*/")
    assert "Shared" in page.locator("#demo-state").inner_text()
    assert "0 of 1" in page.locator("#demo-deals").inner_text()

    page.goto(f"{live_server.url}/meetings/{meeting.pk}/plan/")
    page.click("#record-demos")
    page.fill("#quick-demo input[name=name]", "sso five")
    page.click("#quick-demo button[type=submit]")
    assert "Recorded: SSO in five minutes." in page.locator(".messages").inner_text()
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/plan/")
    assert "SSO in five minutes" in page.locator("#meeting-demos").inner_text()
    page.click("#meeting-demos >> text=SSO in five minutes")
    page.wait_for_url("**/demos/*/")
    deals = page.locator("#demo-deals").inner_text()
    assert "1 of 1" in deals and "1 open" in deals
    assert "Security review" in page.locator("#demo-shown").inner_text()
    assert "too few to tell" in page.locator("#demo-verdict").inner_text()
    assert DemoShown.objects.get().demo == Demo.objects.get()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "demo-detail.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "demo-detail-phone.png"), full_page=True)
    page.close()


def test_a_lab_reservation_conflict_is_refused_and_a_poc_runs_to_sign_off(
    browser: Any,  # noqa: F811
    live_server: Any,
    transactional_db: None,
    cast: Cast,
) -> None:
    Environment.objects.create(lab=Lab.objects.create(name="Central lab"), name="SSO stack")
    for position, name in enumerate(("NDA signed", "Budget confirmed")):
        Prerequisite.objects.create(name=name, position=position)
    account = make_account(cast.north, "Northwind")
    deal = make_opportunity(account, owner=cast.bob, name="NW rollout", stage="poc")
    BusinessIssue.objects.create(
        opportunity=deal, customer_words="Audits take weeks", paraphrase="Audit in a day"
    )
    make_contact(account, "Champ", deal_role="champion")
    make_contact(account, "Buyer", deal_role="economic_buyer")
    day = (timezone.localdate() + timedelta(days=3)).isoformat()

    page = log_in(browser, live_server, "alice")
    page.goto(f"{live_server.url}/lab/")

    def reserve(start: str, end: str) -> None:
        page.select_option("#reserve select[name=environment]", label="Central lab · SSO stack")
        page.select_option("#reserve select[name=purpose]", "deal")
        page.select_option("#reserve select[name=deal]", label="NW rollout")
        page.fill("#reserve input[name=starts_at]", f"{day}T{start}")
        page.fill("#reserve input[name=ends_at]", f"{day}T{end}")
        page.click("#reserve button[type=submit]")

    reserve("09:00", "12:00")
    assert "Reserved: Central lab · SSO stack." in page.locator(".messages").inner_text()
    assert "NW rollout" in page.locator("#lab-calendar").inner_text()
    reserve("11:00", "13:00")
    assert "fully booked" in page.locator("#reserve").inner_text()
    assert Reservation.objects.count() == 1

    page.click("#demos-nav >> text=POC board")
    page.select_option("#poc-new select[name=deal]", label="NW rollout")
    page.fill("#poc-new input[name=title]", "Audit export POC")
    page.click("#poc-new button[type=submit]")
    page.wait_for_url("**/pocs/*/")
    page.click("#start-poc")
    assert "Check the prerequisites first" in page.locator("#poc-errors").inner_text()
    for _ in range(2):
        page.click("#poc-checklist button:text('Done')")
    page.click("#start-poc")
    page.wait_for_url("**/pocs/*/")
    assert "Running" in page.locator("#poc-status").inner_text()
    row = page.locator("#poc-criteria tr", has_text="Audit in a day")
    row.locator("select[name=grade]").select_option("exceeds")
    row.locator("input[name=evidence]").fill("Exported a year of audits in 3 minutes")
    row.locator("button").click()
    page.wait_for_url("**/pocs/*/")
    assert "1 of 1 graded met" in page.locator("#poc-criteria").inner_text()
    page.select_option("#sign-form select[name=role]", "champion")
    page.select_option("#sign-form select[name=contact]", label="Champ (Champion)")
    page.click("#sign-form button[type=submit]")
    page.select_option("#sign-form select[name=role]", "economic_buyer")
    page.select_option("#sign-form select[name=contact]", label="Buyer (Economic buyer)")
    page.click("#sign-form button[type=submit]")
    page.wait_for_selector("#signed-off")
    assert "Buyer" in page.locator("#signed-economic-buyer").inner_text()
    page.select_option("#close-form select[name=result]", "success")
    page.click("#close-form button[type=submit]")
    page.wait_for_url("**/pocs/*/")
    assert "Success" in page.locator("#poc-result").inner_text()
    poc = Poc.objects.get()
    assert poc.signed_off and poc.status == "completed"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "poc-detail.png"), full_page=True)
    page.goto(f"{live_server.url}/lab/")
    page.screenshot(path=str(ARTIFACTS / "lab-calendar.png"), full_page=True)
    page.close()
