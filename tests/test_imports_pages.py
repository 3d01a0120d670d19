"""The quick log (service, API, dashboard form), the import history and its access rules."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from presales.activities.models import Activity
from presales.imports.services import run_import
from presales.imports.services.quicklog import parse, quick_log
from presales.imports.services.report import safe_cell
from tests.conftest import PASSWORD, Cast, make_account

SALESFORCE = Path(__file__).parent / "fixtures" / "imports" / "salesforce"
NOW = datetime(2024, 5, 6, 15, 0, tzinfo=UTC)


def login(user: object) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)  # type: ignore[attr-defined]
    return client


def test_a_quick_log_line_names_kind_account_duration_and_note() -> None:
    line = parse("demo Acme 45m: showed SSO, their CISO asked about SCIM")
    assert (line.kind, line.account_words, line.minutes) == ("demo", "Acme", 45)
    assert line.note == "showed SSO, their CISO asked about SCIM"
    assert parse("call Globex Industries 1h 30m").minutes == 90
    assert parse("workshop Initech 1.5h: hands-on").kind == "workshop"
    plain = parse("Acme: quick sync")
    assert (plain.kind, plain.minutes, plain.account_words) == ("meeting", 30, "Acme")
    with pytest.raises(ValidationError):
        parse("   ")


def test_quick_log_records_a_held_activity_for_a_sure_account_match(cast: Cast) -> None:
    acme = make_account(cast.north, "Acme Corporation")
    result = quick_log(actor=cast.alice, text="demo Acme 45m: showed SSO", now=NOW)
    activity = result.activity
    assert activity is not None
    assert (activity.kind, activity.account, activity.status) == ("demo", acme, "held")
    assert (activity.starts_at, activity.ends_at) == (datetime(2024, 5, 6, 14, 15, tzinfo=UTC), NOW)
    assert activity.description == "showed SSO"
    assert result.confidence == 0.9
    assert list(activity.participants.all()) == [cast.alice]


def test_quick_log_asks_which_account_when_unsure_and_logs_once_confirmed(cast: Cast) -> None:
    east = make_account(cast.north, "Acme East")
    make_account(cast.north, "Acme West")
    make_account(cast.south, "Acme South")  # carol's team: alice may not see it
    unsure = quick_log(actor=cast.alice, text="demo Acme 45m: SSO", now=NOW)
    assert unsure.activity is None and unsure.needs_confirmation
    assert sorted(c.name for c in unsure.candidates) == ["Acme East", "Acme West"]
    assert Activity.objects.count() == 0
    sure = quick_log(actor=cast.alice, text="demo Acme 45m: SSO", account_id=east.pk, now=NOW)
    assert sure.activity is not None and sure.activity.account == east


def test_the_quick_log_api_answers_201_when_logged_and_200_with_candidates_when_unsure(
    cast: Cast,
) -> None:
    acme = make_account(cast.north, "Acme Corporation")
    client = login(cast.alice)
    made = client.post(
        "/api/imports/quick-log",
        {"text": "poc Acme Corp 2h: installed the agent"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["kind"], body["minutes"], body["account_id"]) == ("poc", 120, acme.pk)
    unsure = client.post(
        "/api/imports/quick-log", {"text": "demo Zzyzx 30m"}, content_type="application/json"
    )
    assert unsure.status_code == 200
    assert unsure.json()["needs_confirmation"] and unsure.json()["candidates"] == []
    bad = client.post("/api/imports/quick-log", {"text": ""}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"][0]["field"] == "text"


def test_the_dashboard_quick_log_form_logs_through_htmx(cast: Cast) -> None:
    make_account(cast.north, "Acme Corporation")
    client = login(cast.alice)
    page = client.get("/")
    assert 'id="quick-log"' in page.content.decode()
    answer = client.post(
        "/imports/quick-log/", {"text": "demo Acme 45m: showed SSO"}, HTTP_HX_REQUEST="true"
    )
    html = answer.content.decode()
    assert "Logged: Demo, 45 min" in html and "Acme Corporation" in html
    assert Activity.objects.filter(kind="demo", description="showed SSO").count() == 1


def test_import_history_shows_own_runs_to_people_and_every_run_to_managers(cast: Cast) -> None:
    mine = run_import(kind="salesforce", paths=[SALESFORCE / "Contact.csv"], user=cast.alice)
    theirs = run_import(kind="salesforce", paths=[SALESFORCE / "Account.csv"], user=cast.carol)
    alice = login(cast.alice)
    listing = alice.get("/imports/").content.decode()
    assert f'href="/imports/{mine.run.pk}/"' in listing
    assert f'href="/imports/{theirs.run.pk}/"' not in listing
    assert alice.get(f"/imports/{theirs.run.pk}/").status_code == 404
    assert alice.get(f"/api/imports/{theirs.run.pk}").status_code == 404
    detail = alice.get(f"/imports/{mine.run.pk}/").content.decode()
    assert "is empty: a contact needs an account" in detail
    report = alice.get(f"/imports/{mine.run.pk}/report/")
    assert report.status_code == 200
    text = b"".join(report.streaming_content).decode()  # type: ignore[attr-defined]
    assert "Contact.csv,4,contact,AccountId,rejected" in text
    manager = login(cast.dave)
    runs = manager.get("/api/imports").json()
    assert {r["id"] for r in runs["items"]} == {mine.run.pk, theirs.run.pk}
    assert runs["items"][0]["report_url"] is None  # theirs had nothing to report


def test_report_cells_that_would_start_a_formula_are_neutralised() -> None:
    assert safe_cell('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert safe_cell("+1 555") == "'+1 555"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-2") == "'-2"
    assert safe_cell("Acme") == "Acme"
