"""Real Chromium (Debian's, through Playwright) against a live server on loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD, Cast, make_account, make_activity, make_note, make_opportunity

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("PRESALES_REQUIRE_BROWSER") == "1":
            pytest.fail("PRESALES_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing")
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


def log_in(browser: Any, live_server: Any, username: str) -> Any:
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_se_logs_in_sees_the_week_and_opens_a_deal(
    browser: Any, live_server: Any, transactional_db: None, cast: Cast
) -> None:
    deal = make_opportunity(
        make_account(cast.north, "Northwind Trading"), name="Northwind rollout", owner=cast.bob
    )
    deal.sales_engineers.add(cast.alice)
    make_activity(
        opportunity=deal,
        subject="Security deep dive",
        participants=[cast.alice],
        starts_at=timezone.now() + timedelta(days=1),
    )
    make_note("CISO asked for the SOC 2 report", author=cast.bob, opportunity=deal)

    page = browser.new_page()
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    upcoming = page.locator("#upcoming")
    assert "Security deep dive" in upcoming.inner_text()
    assert "Northwind rollout" in page.locator("#my-deals").inner_text()

    page.click("text=Northwind rollout")
    page.wait_for_url(f"**/opportunities/{deal.pk}/")
    facts = page.locator("#deal-facts").inner_text()
    assert "Northwind Trading" in facts
    assert "Bob Tester" in facts
    assert "CISO asked for the SOC 2 report" in page.locator("#deal-notes").inner_text()

    # Add a note in place (htmx): it appears at the top of the list and the form clears.
    page.fill("#note-body", "Sent the SOC 2 report to the CISO")
    page.click("#deal-notes button[type=submit]")
    first = page.locator("#note-list .note").first
    first.wait_for()
    page.wait_for_function(
        "() => document.querySelector('#note-list .note').innerText.includes('Sent the SOC 2')"
    )
    assert page.input_value("#note-body") == ""
    assert deal.notes.filter(body="Sent the SOC 2 report to the CISO", author=cast.alice).exists()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "opportunity.png"), full_page=True)
    page.close()


def test_list_filters_update_in_place_with_htmx(
    browser: Any, live_server: Any, transactional_db: None, cast: Cast
) -> None:
    make_account(cast.north, "Alpha Medical", sector="medical")
    make_account(cast.north, "Beta Retail", sector="retail")
    page = log_in(browser, live_server, "alice")
    page.goto(f"{live_server.url}/accounts/")
    assert "Beta Retail" in page.locator("#results").inner_text()
    page.select_option("select[name=sector]", "medical")
    page.wait_for_url("**sector=medical**")
    page.wait_for_function(
        "() => !document.querySelector('#results').innerText.includes('Beta Retail')"
    )
    assert "Alpha Medical" in page.locator("#results").inner_text()
    page.close()


def test_se_plans_holds_and_debriefs_a_meeting_and_the_next_plan_remembers(
    browser: Any, live_server: Any, transactional_db: None, cast: Cast
) -> None:
    from presales.accounts.models import Contact
    from tests.conftest import reseed_shipped_data

    reseed_shipped_data()
    account = make_account(cast.north, "Northwind Trading")
    deal = make_opportunity(account, name="Northwind rollout", owner=cast.bob)
    deal.sales_engineers.add(cast.alice)
    ciso = Contact.objects.create(
        account=account, first_name="Dana", last_name="Whitfield", title="CISO"
    )
    now = timezone.now()
    first = make_activity(
        opportunity=deal,
        subject="Security review",
        participants=[cast.alice, cast.bob],
        starts_at=now - timedelta(minutes=10),
    )
    first.contacts.add(ciso)
    second = make_activity(
        opportunity=deal,
        subject="Security follow-up",
        participants=[cast.alice, cast.bob],
        starts_at=now + timedelta(days=7),
    )
    page = log_in(browser, live_server, "alice")

    # Plan the meeting: the outcomes the call must obtain.
    page.goto(f"{live_server.url}/meetings/{first.pk}/plan/")
    assert "Dana Whitfield" in page.locator("#plan-attendees").inner_text()
    page.fill("textarea[name=outcomes]", "A date for the SOC 2 review")
    page.click("text=Save plan")
    page.wait_for_selector("text=Plan saved.")
    assert "A date for the SOC 2 review" in page.locator("#plan-outcomes").inner_text()

    # Hold it, then debrief with a commitment and a product gap.
    page.click("#mark-held")
    page.wait_for_url(f"**/meetings/{first.pk}/debrief/")
    page.fill("textarea[name=went_right]", "The audit log demo landed")
    page.fill("textarea[name=next_steps]", "Book the security follow-up")
    page.select_option("select[name=same_page]", "yes")
    page.fill("input[name=c0_what]", "Send the SOC 2 report")
    page.fill("input[name=c0_by]", "Alice")
    page.fill("input[name=c0_to]", "Dana Whitfield")
    page.fill("input[name=c0_due]", (timezone.localdate() + timedelta(days=3)).isoformat())
    page.fill("textarea[name=gaps]", "SCIM provisioning for Okta")
    page.fill("textarea[name=notes]", "Dana wants audit logs exported to Splunk")
    page.click("text=Save debrief")
    page.wait_for_selector("text=Debrief saved.")
    assert "Send the SOC 2 report" in page.locator("#debrief-saved").inner_text()

    # The plan of the next meeting with the account remembers all of it.
    page.goto(f"{live_server.url}/meetings/{second.pk}/plan/")
    assert "Send the SOC 2 report" in page.locator("#plan-commitments").inner_text()
    assert "audit logs exported to Splunk" in page.locator("#plan-notes").inner_text()
    assert "Book the security follow-up" in page.locator("#plan-notes").inner_text()
    assert "SCIM provisioning for Okta" in page.locator("#plan-gaps").inner_text()
    topics = page.locator("#plan-topics").inner_text()
    assert "Security" in topics and "Access control" in topics
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "meeting-plan.png"), full_page=True)


def test_se_searches_by_meaning_opens_a_note_and_corrects_its_label(
    browser: Any, live_server: Any, transactional_db: None, cast: Cast
) -> None:
    from presales.texts.services import index_texts

    account = make_account(cast.north, "Contoso Health")
    deal = make_opportunity(account, name="Contoso rollout", owner=cast.bob)
    make_note("The CFO froze all discretionary spending until January.", author=cast.bob,
              opportunity=deal)  # fmt: skip
    make_note("Demo of the dashboards went well.", author=cast.bob, opportunity=deal)
    index_texts()

    page = log_in(browser, live_server, "alice")
    page.fill("header input[name=q]", "spending frozen")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url("**/search/?q=spending+frozen")
    first = page.locator("#results .hit").first
    assert "The CFO froze all discretionary" in first.inner_text()
    assert first.locator("mark").first.inner_text().lower() == "spending"
    first.locator(".meta a").first.click()
    page.wait_for_url("**/texts/*/")
    assert "budget freeze" in page.locator("#text-labels").inner_text()
    page.select_option("select[name=label]", "timeline_slip")
    page.select_option("select[name=value]", "yes")
    page.click("#correct-label button")
    page.wait_for_selector("text=Label corrected")
    assert "timeline slip" in page.locator("#text-labels").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "text.png"), full_page=True)
    page.close()
