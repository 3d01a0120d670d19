"""The browser's write pages: they call the same services as the API, show its errors by
field label, keep what was typed, and ask before closing a deal."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from presales.accounts.models import Account, Contact
from presales.activities.models import Activity
from presales.deals.models import Opportunity, Stage, StageProposal
from presales.meetings.models import Debrief
from presales.qualification.models import CirclesRating
from tests.conftest import Cast, make_account, make_activity, make_opportunity


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _deal(cast: Cast) -> Opportunity:
    deal = make_opportunity(
        make_account(cast.north, "Northwind"), owner=cast.bob, name="Northwind rollout"
    )
    deal.sales_engineers.add(cast.alice)
    return deal


def _local(when: timezone.datetime) -> str:  # type: ignore[name-defined]
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(
    "path",
    ["/activities/new/", "/accounts/new/", "/opportunities/new/", "/stage-proposals/1/decide/"],
)
def test_write_pages_send_anonymous_visitors_to_the_login(cast: Cast, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_new_meeting_from_a_deal_page_offers_the_deal_its_account_and_its_contacts(
    cast: Cast,
) -> None:
    deal = _deal(cast)
    Contact.objects.create(account=deal.account, first_name="Ada", last_name="Okafor")
    page = logged_in(cast.alice).get(f"/opportunities/{deal.pk}/")
    assert f"/activities/new/?opportunity={deal.pk}" in page.content.decode()
    form = logged_in(cast.alice).get(f"/activities/new/?opportunity={deal.pk}").content.decode()
    assert f'<option value="{deal.pk}" selected>Northwind rollout</option>' in form
    assert f'<option value="{deal.account_id}" selected>Northwind</option>' in form
    assert "Ada Okafor" in form
    assert "Your time zone: UTC." in form


def test_scheduling_a_meeting_saves_it_and_opens_the_planner(cast: Cast) -> None:
    deal = _deal(cast)
    ada = Contact.objects.create(account=deal.account, first_name="Ada", last_name="Okafor")
    start = timezone.now() + timedelta(days=3)
    response = logged_in(cast.alice).post(
        "/activities/new/",
        {
            "kind": "demo",
            "subject": "Platform demo",
            "starts_at": _local(start),
            "ends_at": _local(start + timedelta(minutes=90)),
            "account": deal.account_id,
            "opportunity": deal.pk,
            "participants": [cast.alice.pk, cast.bob.pk],
            "contacts": [ada.pk],
            "location": "https://meet.example.com/demo",
        },
    )
    meeting = Activity.objects.get(subject="Platform demo")
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{meeting.pk}/plan/"
    assert (meeting.kind, meeting.opportunity, meeting.duration_minutes) == ("demo", deal, 90)
    assert set(meeting.participants.all()) == {cast.alice, cast.bob}
    plan = logged_in(cast.alice).get(response["Location"]).content.decode()
    assert "https://meet.example.com/demo" in plan
    assert "Ada Okafor" in plan


def test_a_meeting_that_ends_before_it_starts_is_refused_with_the_fields_kept(cast: Cast) -> None:
    deal = _deal(cast)
    start = timezone.now() + timedelta(days=3)
    response = logged_in(cast.alice).post(
        "/activities/new/",
        {
            "kind": "meeting",
            "subject": "Backwards meeting",
            "starts_at": _local(start),
            "ends_at": _local(start - timedelta(hours=1)),
            "account": deal.account_id,
        },
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "An activity cannot end before it starts." in body
    assert 'value="Backwards meeting"' in body
    assert not Activity.objects.filter(subject="Backwards meeting").exists()


def test_a_meeting_on_an_account_the_user_cannot_see_is_refused(cast: Cast) -> None:
    hidden = make_account(cast.south, "Southern Secret")
    start = timezone.now() + timedelta(days=1)
    response = logged_in(cast.alice).post(
        "/activities/new/",
        {
            "kind": "meeting",
            "subject": "Sneaky",
            "starts_at": _local(start),
            "ends_at": _local(start + timedelta(hours=1)),
            "account": hidden.pk,
        },
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not Activity.objects.filter(subject="Sneaky").exists()


def test_rescheduling_and_cancelling_a_meeting_in_the_browser(cast: Cast) -> None:
    deal = _deal(cast)
    meeting = make_activity(opportunity=deal, participants=[cast.alice], subject="Kickoff")
    client = logged_in(cast.alice)
    form = client.get(f"/activities/{meeting.pk}/edit/").content.decode()
    assert 'value="Kickoff"' in form
    later = meeting.starts_at + timedelta(days=7)
    response = client.post(
        f"/activities/{meeting.pk}/edit/",
        {
            "kind": "meeting",
            "subject": "Kickoff (moved)",
            "starts_at": _local(later),
            "ends_at": _local(later + timedelta(hours=1)),
            "account": deal.account_id,
            "opportunity": deal.pk,
            "participants": [cast.alice.pk],
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.subject == "Kickoff (moved)"
    assert abs(meeting.starts_at - later) < timedelta(minutes=1)
    confirm = client.get(f"/activities/{meeting.pk}/cancel/")
    assert "Yes, cancel the meeting" in confirm.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Activity.Status.PLANNED  # a GET only asks
    client.post(f"/activities/{meeting.pk}/cancel/")
    meeting.refresh_from_db()
    assert meeting.status == Activity.Status.CANCELLED


def test_someone_outside_the_team_cannot_open_a_meetings_edit_page(cast: Cast) -> None:
    meeting = make_activity(account=make_account(cast.north), participants=[cast.alice])
    assert logged_in(cast.carol).get(f"/activities/{meeting.pk}/edit/").status_code == 404
    assert logged_in(cast.paula).get(f"/activities/{meeting.pk}/edit/").status_code == 403


def test_creating_an_account_a_contact_and_a_deal_in_the_browser(cast: Cast) -> None:
    client = logged_in(cast.bob)
    response = client.post(
        "/accounts/new/", {"name": "Harbor Freight Lines", "sector": "logistics", "employees": "40"}
    )
    account = Account.objects.get(name="Harbor Freight Lines")
    assert response["Location"] == f"/accounts/{account.pk}/"
    assert (account.team, account.employees, account.source) == (cast.north, 40, "presales")
    assert account.size == Account.size_for(40) != ""
    client.post(
        f"/accounts/{account.pk}/contacts/new/",
        {
            "first_name": "Ines",
            "last_name": "Moreau",
            "status": "active",
            "email": "ines@hf.example",
        },
    )
    assert account.contacts.get().email == "ines@hf.example"
    client.post(
        "/opportunities/new/",
        {
            "name": "Harbor fleet",
            "account": account.pk,
            "owner": cast.bob.pk,
            "flavor": "problem",
            "amount": "48000",
            "sales_engineers": [cast.alice.pk],
        },
    )
    deal = Opportunity.objects.get(name="Harbor fleet")
    assert (deal.owner, deal.team, deal.stage) == (cast.bob, cast.north, Stage.PROSPECTING)
    assert list(deal.sales_engineers.all()) == [cast.alice]


def test_bad_account_input_is_named_by_label_and_nothing_is_saved(cast: Cast) -> None:
    response = logged_in(cast.bob).post("/accounts/new/", {"name": "", "employees": "-3"})
    body = response.content.decode()
    assert response.status_code == 422
    assert body.count('class="error small"') == 2
    assert not Account.objects.exists()


def test_editing_an_imported_account_keeps_its_source_so_imports_still_upsert(cast: Cast) -> None:
    account = make_account(cast.north, "Acme", source="salesforce", external_id="001A")
    contact = Contact.objects.create(
        account=account, last_name="Old", source="salesforce", external_id="003B"
    )
    client = logged_in(cast.bob)
    page = client.get(f"/accounts/{account.pk}/edit/").content.decode()
    assert "Imported from salesforce (id 001A)" in page
    client.post(f"/accounts/{account.pk}/edit/", {"name": "Acme Corp", "team": cast.north.pk})
    client.post(f"/contacts/{contact.pk}/edit/", {"last_name": "New", "status": "active"})
    account.refresh_from_db()
    contact.refresh_from_db()
    assert (account.name, account.source, account.external_id) == (
        "Acme Corp",
        "salesforce",
        "001A",
    )
    assert (contact.last_name, contact.external_id) == ("New", "003B")


def test_the_se_proposes_from_the_deal_page_and_the_owner_accepts_on_the_week(cast: Cast) -> None:
    deal = _deal(cast)
    alice = logged_in(cast.alice)
    page = alice.get(f"/opportunities/{deal.pk}/").content.decode()
    assert "Propose to Bob Tester" in page
    alice.post(f"/opportunities/{deal.pk}/stage/", {"to_stage": "poc", "reason": "Criteria agreed"})
    deal.refresh_from_db()
    assert deal.stage == Stage.DISCOVERY
    proposal = StageProposal.objects.get(opportunity=deal)
    bob = logged_in(cast.bob)
    week = bob.get("/").content.decode()
    assert "Stage changes waiting for you" in week and "Criteria agreed" in week
    bob.post(f"/stage-proposals/{proposal.pk}/decide/", {"decision": "accept", "next": "/"})
    deal.refresh_from_db()
    assert deal.stage == Stage.POC
    assert "proposed by Alice Tester" in bob.get(f"/opportunities/{deal.pk}/").content.decode()


def test_closing_won_shows_a_confirm_page_before_anything_changes(cast: Cast) -> None:
    deal = _deal(cast)
    bob = logged_in(cast.bob)
    asked = bob.post(f"/opportunities/{deal.pk}/stage/", {"to_stage": "won"})
    body = asked.content.decode()
    assert "Close “Northwind rollout” ($10,000) as closed won?" in body
    assert 'name="confirm_close" value="1"' in body
    deal.refresh_from_db()
    assert deal.stage == Stage.DISCOVERY
    bob.post(f"/opportunities/{deal.pk}/stage/", {"to_stage": "won", "confirm_close": "1"})
    deal.refresh_from_db()
    assert deal.stage == Stage.WON
    assert deal.stage_changes.last().changed_by == cast.bob  # type: ignore[union-attr]


def test_an_se_posting_a_stage_on_the_workspace_cannot_close_the_owners_deal(cast: Cast) -> None:
    deal = _deal(cast)
    response = logged_in(cast.alice).post(
        f"/opportunities/{deal.pk}/workspace/stage/", {"stage": "won", "confirm_close": "1"}
    )
    assert response.status_code == 403
    deal.refresh_from_db()
    assert deal.stage == Stage.DISCOVERY


def test_the_debrief_form_starts_unanswered_and_an_empty_save_stays_unanswered(
    cast: Cast,
) -> None:
    meeting = make_activity(
        account=make_account(cast.north),
        participants=[cast.alice],
        starts_at=timezone.now() - timedelta(hours=2),
    )
    client = logged_in(cast.alice)
    form = client.get(f"/meetings/{meeting.pk}/debrief/").content.decode()
    select = form.split('name="same_page"')[1].split("</select>")[0]
    assert select.index("Unanswered") < select.index("Yes, we heard the same thing")
    assert "selected" not in select
    client.post(f"/meetings/{meeting.pk}/debrief/", {"went_right": "Good demo", "same_page": ""})
    assert Debrief.objects.get(activity=meeting).same_page == ""
    page = client.get(f"/meetings/{meeting.pk}/debrief/").content.decode()
    assert '<span class="muted unanswered">Unanswered</span>' in page
    assert "Edit your debrief" in page and ">Good demo</textarea>" in page
    client.post(
        f"/meetings/{meeting.pk}/debrief/",
        {"mode": "edit", "went_right": "Good demo", "same_page": "yes"},
    )
    assert Debrief.objects.get(activity=meeting).same_page == "yes"


def test_an_empty_overlap_on_the_workspace_is_stored_unrated(cast: Cast) -> None:
    deal = _deal(cast)
    client = logged_in(cast.alice)
    client.post(
        f"/opportunities/{deal.pk}/workspace/circles/", {"they_do": "Ship parts", "overlap": ""}
    )
    assert CirclesRating.objects.get(opportunity=deal).overlap is None
    page = client.get(f"/opportunities/{deal.pk}/workspace/").content.decode()
    assert "overlap unrated" in page
    assert '<option value="" selected>Not rated</option>' in page


def test_a_user_types_meeting_times_in_their_own_time_zone(cast: Cast) -> None:
    client = logged_in(cast.alice)
    refused = client.post("/me/", {"time_zone": "Mars/Olympus"})
    assert refused.status_code == 422
    assert "Mars/Olympus&#x27; is not a time zone" in refused.content.decode()
    client.post("/me/", {"time_zone": "Europe/Paris"})
    cast.alice.refresh_from_db()
    assert cast.alice.time_zone == "Europe/Paris"
    account = make_account(cast.north)
    assert "Your time zone: Europe/Paris." in client.get("/activities/new/").content.decode()
    client.post(
        "/activities/new/",
        {
            "kind": "meeting",
            "subject": "Paris morning",
            "starts_at": "2026-12-01T10:00",
            "ends_at": "2026-12-01T11:00",
            "account": account.pk,
            "participants": [cast.alice.pk],
        },
    )
    meeting = Activity.objects.get(subject="Paris morning")
    assert meeting.starts_at.astimezone(UTC).strftime("%H:%M") == "09:00"
    edit = client.get(f"/activities/{meeting.pk}/edit/").content.decode()
    assert 'value="2026-12-01T10:00"' in edit
    # Someone without a time zone of their own reads the site's (UTC in the tests).
    bob_edit = logged_in(cast.bob).get(f"/activities/{meeting.pk}/edit/").content.decode()
    assert 'value="2026-12-01T09:00"' in bob_edit
