"""The small wrongs a new user met on the daily pages, each pinned by a test."""

from __future__ import annotations

import re
import zlib
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from presales.activities.models import Activity, Kind
from presales.core.errors import error_lines
from presales.deals.models import Stage
from presales.forecasts import services as forecasts
from presales.forecasts.models import Category, quarter_of
from presales.gaps.views import FIELD_LABELS as GAP_LABELS
from presales.imports.services.quicklog import quick_log
from presales.meetings import services as meetings
from presales.meetings.models import MeetingPlan
from presales.texts.models import Text
from tests.conftest import Cast, make_account, make_activity, make_opportunity

NOW = timezone.now()


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def pdf_text(pdf: bytes) -> str:
    """The text drawn in a PDF: its content streams inflated and joined."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        try:
            out.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            out.append(stream.decode("latin-1"))
    return "\n".join(out)


def title_of(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, flags=re.S)
    assert match
    return match.group(1)


# -- titles, typos, wording --------------------------------------------------------------------


def test_the_tab_of_a_deal_and_of_an_account_shows_the_name_and_no_markup(cast: Cast) -> None:
    account = make_account(cast.north, "Northwind Trading")
    deal = make_opportunity(account, name="Northwind rollout", owner=cast.bob)
    client = logged_in(cast.alice)
    deal_title = title_of(client.get(f"/opportunities/{deal.pk}/").content.decode())
    account_title = title_of(client.get(f"/accounts/{account.pk}/").content.decode())
    assert deal_title == "Northwind rollout · Presales"
    assert account_title == "Northwind Trading · Presales"


def test_the_themes_page_has_no_activitys_typo(cast: Cast) -> None:
    page = logged_in(cast.alice).get("/texts/themes/").content.decode()
    assert "Activitys" not in page
    assert ">Activity</option>" in page


def test_an_invalid_week_is_answered_with_a_message_not_ignored(cast: Cast) -> None:
    client = logged_in(cast.root)
    page = client.get(f"/analytics/weekly/?team={cast.north.pk}&week=2026-02-30")
    assert page.status_code == 200
    assert "“2026-02-30” is not a date" in page.content.decode()
    markdown = client.get(f"/analytics/weekly.md?team={cast.north.pk}&week=2026-02-30")
    assert markdown.status_code == 400
    assert "2026-02-30" in markdown.content.decode()
    good = client.get(f"/analytics/weekly/?team={cast.north.pk}&week=2026-02-02")
    assert "is not a date" not in good.content.decode()


def test_an_invalid_since_date_on_pipeline_analytics_says_so(cast: Cast) -> None:
    page = logged_in(cast.root).get("/analytics/pipeline/?since=2026-13-01").content.decode()
    assert "“2026-13-01” is not a date" in page


def test_the_weekly_report_shows_money_with_its_currency_and_no_median_of_one_team(
    cast: Cast,
) -> None:
    account = make_account(cast.north, "Acme")
    week = date(2026, 2, 2)
    make_opportunity(
        account, owner=cast.bob, stage=Stage.WON, amount="8294", close=week + timedelta(days=2)
    )
    # Alice sees one team only: a median over one team is no reference.
    page = logged_in(cast.alice).get(f"/analytics/weekly/?week={week}").content.decode()
    assert "Won this week: $8,294" in page
    assert "median of 1 teams" not in page
    assert not re.search(r"\d\s*<span[^>]*>of 1</span>", page)
    assert "this is the only team with data" in page
    markdown = logged_in(cast.alice).get(f"/analytics/weekly.md?week={week}").content.decode()
    assert "$8,294" in markdown and "median of 1 teams" not in markdown


def test_forecast_and_incentive_amounts_carry_their_currency(cast: Cast) -> None:
    start, end = quarter_of(timezone.localdate())
    deal = make_opportunity(
        make_account(cast.north), owner=cast.bob, amount="126000", close=end - timedelta(days=1)
    )
    forecasts.submit_forecast(
        actor=cast.bob, period_start=start, categories={deal.pk: Category.COMMIT}
    )
    page = logged_in(cast.bob).get("/forecasts/").content.decode()
    assert "$126,000" in page
    assert ">126,000<" not in page


# -- quick log ---------------------------------------------------------------------------------


def test_quick_log_offers_the_accounts_beginning_with_the_words_typed(cast: Cast) -> None:
    for name in ("Saturn Labs", "Satori Health", "Sattler Freight", "Acme"):
        make_account(cast.north, name)
    result = quick_log(actor=cast.alice, text="demo Sat 45m", now=NOW)
    assert result.needs_confirmation
    assert [c.name for c in result.candidates] == [
        "Satori Health",
        "Sattler Freight",
        "Saturn Labs",
    ]
    assert not Activity.objects.exists()


def test_quick_log_refuses_a_negative_duration_instead_of_naming_an_account_with_it(
    cast: Cast,
) -> None:
    make_account(cast.north, "Acme")
    with pytest.raises(ValidationError) as refused:
        quick_log(actor=cast.alice, text="demo Acme -5m: showed SSO", now=NOW)
    assert "“-5m” is not a duration" in " ".join(refused.value.messages)
    assert not Activity.objects.exists()


def test_a_quick_logged_demo_goes_on_the_accounts_one_open_deal_and_search_names_its_author(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    acme = make_account(cast.north, "Acme")
    deal = make_opportunity(acme, owner=cast.bob, name="Acme rollout")
    deal.sales_engineers.add(cast.alice)
    make_opportunity(acme, owner=cast.bob, stage=Stage.LOST, name="Old Acme deal")
    # The text is synced when the quick log's transaction commits, once, with its participants.
    with django_capture_on_commit_callbacks(execute=True):
        result = quick_log(actor=cast.alice, text="demo Acme 45m: showed SSO", now=NOW)
    assert result.activity is not None
    assert result.activity.opportunity_id == deal.pk
    text = Text.objects.get(kind="activity", object_id=result.activity.pk)
    assert text.author_id == cast.alice.pk


def test_a_quick_log_on_an_account_with_two_open_deals_stays_on_the_account(cast: Cast) -> None:
    acme = make_account(cast.north, "Acme")
    make_opportunity(acme, owner=cast.bob)
    make_opportunity(acme, owner=cast.bob)
    result = quick_log(actor=cast.alice, text="demo Acme 45m: showed SSO", now=NOW)
    assert result.activity is not None
    assert result.activity.account_id == acme.pk and result.activity.opportunity_id is None


# -- errors, limits ----------------------------------------------------------------------------


def test_errors_name_fields_by_their_label_not_their_code() -> None:
    lines = error_lines(
        ValidationError({"answer_text": "Write it.", "target_id": "Not itself."}),
        labels=GAP_LABELS,
    )
    assert lines == [
        "Exact words given to the customer: Write it.",
        "Merge into gap id: Not itself.",
    ]
    nested = error_lines(ValidationError({"commitments.1.due_on": "Give a date."}))
    assert nested == ["Commitment 2, due on: Give a date."]


def test_a_twenty_thousand_character_outcome_is_refused_by_its_label_and_nothing_is_lost(
    cast: Cast,
) -> None:
    deal = make_opportunity(make_account(cast.north), owner=cast.bob)
    meeting = make_activity(opportunity=deal, participants=[cast.alice])
    client = logged_in(cast.alice)
    client.post(f"/meetings/{meeting.pk}/plan/", {"outcomes": "Agree the pilot", "agenda": ""})
    response = client.post(
        f"/meetings/{meeting.pk}/plan/", {"outcomes": "x" * 20_000, "agenda": ""}, follow=True
    )
    page = response.content.decode()
    assert "Outcomes: Keep this under 10,000 characters (it has 20,000)" in page
    assert "outcomes:" not in page
    assert MeetingPlan.objects.get(activity=meeting).outcomes == "Agree the pilot"


# -- the meeting plan --------------------------------------------------------------------------


def test_mark_as_held_is_offered_only_once_the_meeting_began(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), owner=cast.bob)
    later = make_activity(
        opportunity=deal, participants=[cast.alice], starts_at=NOW + timedelta(days=2)
    )
    begun = make_activity(
        opportunity=deal, participants=[cast.alice], starts_at=NOW - timedelta(minutes=5)
    )
    client = logged_in(cast.alice)
    future_page = client.get(f"/meetings/{later.pk}/plan/").content.decode()
    assert 'id="mark-held"' not in future_page
    assert "once it begins" in future_page
    assert 'id="mark-held"' in client.get(f"/meetings/{begun.pk}/plan/").content.decode()


def test_the_agenda_is_shown_on_the_plan_in_markdown_and_in_the_pdf(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), owner=cast.bob)
    meeting = make_activity(opportunity=deal, participants=[cast.alice])
    meetings.save_plan(
        actor=cast.alice,
        activity=meeting,
        outcomes="Agree the pilot scope",
        agenda="- Introductions\n- SSO demo\n- Pilot criteria",
    )
    client = logged_in(cast.alice)
    page = client.get(f"/meetings/{meeting.pk}/plan/").content.decode()
    assert re.search(r'id="plan-agenda"><li>Introductions</li><li>SSO demo</li>', page)
    markdown = client.get(f"/meetings/{meeting.pk}/plan.md").content.decode()
    assert "## Agenda" in markdown and "- 2. SSO demo" in markdown
    pdf = pdf_text(client.get(f"/meetings/{meeting.pk}/plan.pdf").content)
    assert "Agenda" in pdf and "Pilot criteria" in pdf


# -- the forecast ------------------------------------------------------------------------------


def test_the_ses_confidence_note_reaches_the_rep_and_the_manager(cast: Cast) -> None:
    start, end = quarter_of(timezone.localdate())
    deal = make_opportunity(
        make_account(cast.north), owner=cast.bob, name="Ironbark", close=end - timedelta(days=1)
    )
    deal.sales_engineers.add(cast.alice)
    submission = forecasts.submit_forecast(
        actor=cast.bob, period_start=start, categories={deal.pk: Category.COMMIT}
    )
    forecasts.rate_confidence(
        actor=cast.alice,
        line=submission.lines.get(),
        confidence=40,
        note="SCIM gap unresolved",
    )
    rep_page = logged_in(cast.bob).get("/forecasts/").content.decode()
    assert "SCIM gap unresolved" in rep_page
    manager_page = logged_in(cast.dave).get("/forecasts/").content.decode()
    assert 'SE 40% (Alice Tester): <span class="se-note">“SCIM gap unresolved”' in manager_page


def test_an_out_of_band_kind_is_still_logged_by_the_quick_log(cast: Cast) -> None:
    result = quick_log(actor=cast.alice, text="oob 30m: fixed the demo tenant", now=NOW)
    assert result.activity is not None and result.activity.kind == Kind.OUT_OF_BAND
