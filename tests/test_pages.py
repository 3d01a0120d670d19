from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import (
    Cast,
    make_account,
    make_activity,
    make_contact,
    make_note,
    make_opportunity,
)


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.parametrize(
    "path", ["/", "/accounts/", "/opportunities/", "/activities/", "/search/?q=ab", "/admin/"]
)
def test_every_page_sends_anonymous_visitors_to_the_login(cast: Cast, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_login_page_logs_in_with_the_right_password_only(cast: Cast) -> None:
    from tests.conftest import PASSWORD

    client = Client()
    bad = client.post("/login/", {"username": "alice", "password": "wrong"})
    assert "did not match" in bad.content.decode()
    good = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert good.status_code == 302 and good["Location"] == "/"


def test_dashboard_shows_my_week_and_not_other_peoples_meetings(cast: Cast) -> None:
    deal = make_opportunity(
        make_account(cast.north, "Northco"), name="Northco pilot", owner=cast.bob
    )
    deal.sales_engineers.add(cast.alice)
    soon = timezone.now() + timedelta(days=2)
    make_activity(
        opportunity=deal, subject="SSO deep dive", participants=[cast.alice], starts_at=soon
    )
    make_activity(
        opportunity=deal, subject="Bob solo call", participants=[cast.bob], starts_at=soon
    )
    make_activity(
        opportunity=deal,
        subject="Next month call",
        participants=[cast.alice],
        starts_at=soon + timedelta(days=30),
    )
    make_note("Their CISO wants SCIM", author=cast.bob, opportunity=deal, account=deal.account)
    page = logged_in(cast.alice).get("/").content.decode()
    assert "SSO deep dive" in page
    assert "Bob solo call" not in page
    assert "Next month call" not in page
    assert "Northco pilot" in page
    assert "Their CISO wants SCIM" in page


def test_dashboard_says_so_when_the_week_is_empty(cast: Cast) -> None:
    page = logged_in(cast.carol).get("/").content.decode()
    assert "No meetings on your calendar" in page
    assert "no open deals" in page


def test_account_list_filters_paginates_and_hides_other_teams(cast: Cast, settings: object) -> None:
    for i in range(30):
        make_account(cast.north, f"North {i:02d}", sector="medical" if i % 2 else "retail")
    make_account(cast.south, "Southern secret")
    client = logged_in(cast.alice)
    first = client.get("/accounts/").content.decode()
    assert "North 00" in first and "North 29" not in first
    assert "Page 1 of 2" in first
    assert "Southern secret" not in first
    second = client.get("/accounts/?page=2").content.decode()
    assert "North 29" in second
    medical = client.get("/accounts/?sector=medical").content.decode()
    assert "North 01" in medical and "North 00" not in medical
    none = client.get("/accounts/?q=zzz").content.decode()
    assert "No account matches these filters" in none


def test_htmx_requests_get_only_the_results(cast: Cast) -> None:
    make_account(cast.north, "Northco")
    response = logged_in(cast.alice).get("/accounts/?q=north", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Northco" in body
    assert "<html" not in body


def test_account_detail_shows_stakeholders_deals_and_notes(cast: Cast) -> None:
    account = make_account(cast.north, "Northco")
    make_contact(account, "Whitfield", first_name="Dana", title="CISO", deal_role="gatekeeper")
    make_contact(account, "Gone", first_name="Left", status="left_company")
    make_opportunity(account, name="Northco renewal", stage="won")
    make_note("Budget approved for Q3", author=cast.bob, account=account)
    page = logged_in(cast.alice).get(f"/accounts/{account.pk}/").content.decode()
    for text in ("Dana Whitfield", "CISO", "Gatekeeper", "Left the company", "Northco renewal"):
        assert text in page
    assert "Budget approved for Q3" in page


def test_a_detail_page_of_another_team_is_404(cast: Cast) -> None:
    account = make_account(cast.south)
    deal = make_opportunity(account)
    client = logged_in(cast.alice)
    assert client.get(f"/accounts/{account.pk}/").status_code == 404
    assert client.get(f"/opportunities/{deal.pk}/").status_code == 404
    assert logged_in(cast.root).get(f"/opportunities/{deal.pk}/").status_code == 200


def test_opportunity_detail_shows_history_people_and_notes(cast: Cast) -> None:
    from presales.deals.services import update_opportunity

    deal = make_opportunity(make_account(cast.north, "Northco"), name="Big one", owner=cast.bob)
    deal.sales_engineers.add(cast.alice)
    update_opportunity(actor=cast.bob, opportunity=deal, changes={"stage": "poc"})
    make_activity(opportunity=deal, subject="POC kickoff", participants=[cast.alice])
    make_note("Security review passed", author=cast.alice, opportunity=deal)
    page = logged_in(cast.alice).get(f"/opportunities/{deal.pk}/").content.decode()
    for text in ("Big one", "Proof of concept", "Bob Tester", "Alice Tester", "POC kickoff"):
        assert text in page
    assert "Security review passed" in page


def test_opportunity_list_defaults_to_open_deals_and_filters_mine(cast: Cast) -> None:
    account = make_account(cast.north)
    make_opportunity(account, name="Open mine", owner=cast.bob)
    make_opportunity(account, name="Closed mine", owner=cast.bob, stage="lost")
    make_opportunity(account, name="Open theirs")
    client = logged_in(cast.bob)
    page = client.get("/opportunities/").content.decode()
    assert "Open mine" in page and "Open theirs" in page and "Closed mine" not in page
    mine = client.get("/opportunities/?mine=1&status=all").content.decode()
    assert "Open mine" in mine and "Closed mine" in mine and "Open theirs" not in mine


def test_activity_list_filters_by_kind_and_rejects_a_bad_date(cast: Cast) -> None:
    account = make_account(cast.north)
    make_activity(account=account, kind="demo", subject="Demo day")
    make_activity(account=account, kind="meeting", subject="Status call")
    client = logged_in(cast.alice)
    demos = client.get("/activities/?kind=demo").content.decode()
    assert "Demo day" in demos and "Status call" not in demos
    bad = client.get("/activities/?from=yesterday").content.decode()
    assert "is not a date" in bad


def test_search_finds_notes_by_words_only_where_the_user_may_look(cast: Cast) -> None:
    make_note("Kubernetes migration blocked", account=make_account(cast.north))
    make_note("Kubernetes on the south side", account=make_account(cast.south))
    page = logged_in(cast.alice).get("/search/?q=kubernetes").content.decode()
    assert "<mark>Kubernetes</mark> migration blocked" in page
    assert "south side" not in page


def test_adding_a_note_on_a_deal_page_saves_it_for_the_author(cast: Cast) -> None:
    from presales.notes.models import Note

    deal = make_opportunity(make_account(cast.north, "Northco"), name="Northco pilot")
    client = logged_in(cast.alice)
    response = client.post(
        "/notes/",
        {"body": "Champion confirmed budget", "opportunity_id": deal.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 201
    assert "Champion confirmed budget" in response.content.decode()
    note = Note.objects.get()
    assert (note.author, note.opportunity, note.account) == (cast.alice, deal, deal.account)
    page = client.get(f"/opportunities/{deal.pk}/").content.decode()
    assert "Champion confirmed budget" in page


def test_an_empty_note_or_a_hidden_target_is_refused_with_a_reason(cast: Cast) -> None:
    from presales.notes.models import Note

    hidden = make_account(cast.south)
    client = logged_in(cast.alice)
    empty = client.post(
        "/notes/", {"body": "  ", "account_id": make_account(cast.north).pk}, HTTP_HX_REQUEST="1"
    )
    assert empty.status_code == 422 and "cannot be empty" in empty.content.decode()
    sneaky = client.post("/notes/", {"body": "hi", "account_id": hidden.pk}, HTTP_HX_REQUEST="1")
    assert sneaky.status_code == 422 and "that you can see" in sneaky.content.decode()
    assert not Note.objects.exists()


def test_note_form_needs_the_csrf_token(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.alice)
    response = client.post("/notes/", {"body": "x", "account_id": make_account(cast.north).pk})
    assert response.status_code == 403
