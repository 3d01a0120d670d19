"""Real Chromium: the SE schedules a meeting, plans it, holds it, debriefs it (leaving "same
page" unanswered, then answering it) and finds it on the next plan; the SE proposes a stage
change and the rep accepts it on their week. Screenshots at 1400 px and 390 px."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from presales.accounts.models import Contact
from presales.activities.models import Activity
from presales.deals.models import Stage, StageProposal
from presales.meetings.models import Debrief
from tests.conftest import Cast, make_account, make_opportunity, reseed_shipped_data
from tests.test_browser import ARTIFACTS, browser, log_in  # noqa: F401 - the fixture

PHONE = 390
DESKTOP = 1400


def _shots(page: Any, name: str, *, form: bool = False) -> None:
    """Screenshot at desktop and phone widths; on the phone no form may scroll sideways."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    page.screenshot(path=str(ARTIFACTS / f"{name}-1400.png"), full_page=True)
    page.set_viewport_size({"width": PHONE, "height": 844})
    page.screenshot(path=str(ARTIFACTS / f"{name}-390.png"), full_page=True)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert not form or width <= PHONE, f"{name} is {width}px wide on a {PHONE}px phone"
    page.set_viewport_size({"width": DESKTOP, "height": 900})


def _local(when: Any) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def _schedule(page: Any, live_server: Any, deal_pk: int, subject: str, start: Any) -> None:
    page.goto(f"{live_server.url}/opportunities/{deal_pk}/")
    page.click("#new-meeting")
    page.wait_for_selector("#meeting-form")
    page.select_option("#id_kind", "demo")
    page.fill("#id_subject", subject)
    page.fill("#id_starts_at", _local(start))
    page.fill("#id_ends_at", _local(start + timedelta(minutes=45)))
    page.check("#meeting-relations label.choice:has-text('Ada Okafor') input")
    page.fill("#id_location", "https://meet.example.com/northwind")


def test_the_se_schedules_plans_holds_and_debriefs_a_meeting_then_the_rep_accepts_a_stage(
    browser: Any,  # noqa: F811 - the fixture
    live_server: Any,
    transactional_db: None,
    cast: Cast,
) -> None:
    reseed_shipped_data()  # an earlier transactional test flushed the shipped frameworks
    account = make_account(cast.north, "Northwind Trading")
    deal = make_opportunity(account, name="Northwind rollout", owner=cast.bob, amount="126000")
    deal.sales_engineers.add(cast.alice)
    Contact.objects.create(account=account, first_name="Ada", last_name="Okafor", title="CISO")

    se = log_in(browser, live_server, "alice")
    # Schedule: a demo starting now, so it can be held once it is done.
    _schedule(se, live_server, deal.pk, "Northwind security demo", timezone.now())
    _shots(se, "meeting-new", form=True)
    se.click("#save-meeting")
    se.wait_for_url("**/plan/")
    first = Activity.objects.get(subject="Northwind security demo")
    assert first.opportunity_id == deal.pk and first.location.endswith("/northwind")
    assert "Ada Okafor" in se.locator("#plan-attendees").inner_text()

    # Plan it.
    se.fill("textarea[name=outcomes]", "Agree the POC success criteria")
    se.click("#plan-outcomes button[type=submit]")
    se.wait_for_selector("#plan-outcomes li")
    assert "Agree the POC success criteria" in se.locator("#plan-outcomes").inner_text()
    _shots(se, "meeting-plan")

    # Hold it and debrief, leaving "same page" unanswered.
    se.click("#mark-held")
    se.wait_for_url("**/debrief/")
    assert se.input_value("#same-page") == ""
    se.fill("textarea[name=went_right]", "The CISO liked the audit trail")
    se.fill("textarea[name=next_steps]", "Send the POC plan by Friday")
    se.click("#debrief-form button[type=submit]")
    se.wait_for_selector("#saved-same-page")
    assert se.locator("#saved-same-page").inner_text().strip() == "Unanswered"
    assert Debrief.objects.get(activity=first).same_page == ""
    _shots(se, "debrief-unanswered")

    # The author answers it later: the answer replaces "unanswered".
    assert se.input_value("textarea[name=went_right]") == "The CISO liked the audit trail"
    se.select_option("#same-page", "yes")
    se.click("#debrief-form button[type=submit]")
    se.wait_for_function(
        "() => document.querySelector('#saved-same-page').innerText.includes('Yes')"
    )
    assert Debrief.objects.get(activity=first).same_page == "yes"

    # The next meeting's plan carries the debrief.
    _schedule(se, live_server, deal.pk, "Northwind POC kickoff", timezone.now() + timedelta(days=7))
    se.click("#save-meeting")
    se.wait_for_url("**/plan/")
    digest = se.locator("#plan-notes").inner_text()
    assert "Debrief of Northwind security demo" in digest
    assert "same page: yes, we heard the same thing" in digest
    assert "Send the POC plan by Friday" in digest

    # The SE proposes a stage change; the deal does not move.
    se.goto(f"{live_server.url}/opportunities/{deal.pk}/")
    se.select_option("#stage-form select[name=to_stage]", "poc")
    se.fill("#stage-form input[name=reason]", "Success criteria agreed with the CISO")
    se.click("#stage-form button[type=submit]")
    se.wait_for_selector(".proposal")
    assert "Waiting for Bob Tester" in se.locator("#deal-stage").inner_text()
    deal.refresh_from_db()
    assert deal.stage == Stage.DISCOVERY
    _shots(se, "deal-proposed")
    se.close()

    # The rep sees it on their week and accepts it.
    rep = log_in(browser, live_server, "bob")
    waiting = rep.locator("#stage-proposals")
    assert "Success criteria agreed with the CISO" in waiting.inner_text()
    _shots(rep, "week-proposal")
    rep.click("#stage-proposals .accept-proposal")
    rep.wait_for_load_state()
    deal.refresh_from_db()
    assert deal.stage == Stage.POC
    assert StageProposal.objects.get(opportunity=deal).decided_by == cast.bob

    # Closing won asks first, on a page of its own.
    rep.goto(f"{live_server.url}/opportunities/{deal.pk}/")
    assert "proposed by Alice Tester" in rep.locator("#stage-history").inner_text()
    rep.select_option("#stage-form select[name=to_stage]", "won")
    rep.click("#stage-form button[type=submit]")
    rep.wait_for_selector("#stage-confirm")
    assert "($126,000) as closed won?" in rep.locator("#stage-confirm").inner_text()
    deal.refresh_from_db()
    assert deal.stage == Stage.POC
    _shots(rep, "stage-confirm", form=True)
    rep.click("#confirm-stage")
    rep.wait_for_selector("#stage-history")
    deal.refresh_from_db()
    assert deal.stage == Stage.WON
    rep.close()
