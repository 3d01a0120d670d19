"""What every role sees first: the manager's team week, commitments due in a useful order,
charts that keep their numbers, and navigation that works offline."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from presales.accounts.models import Contact
from presales.activities.models import Kind
from presales.analytics.report import weekly_report
from presales.core.charts import nice_ticks, three_circles
from presales.deals.models import Stage, StageChange
from presales.forecasts.accuracy import AccuracyTable, PeriodAccuracy, SubjectAccuracy, summarise
from presales.forecasts.charts import trend_svg
from presales.meetings.due import commitments_due
from presales.meetings.models import Commitment
from presales.qualification.models import CirclesRating, Sentiment, Stakeholder
from tests.conftest import (
    Cast,
    make_account,
    make_activity,
    make_commitment,
    make_contact,
    make_opportunity,
)
from tests.test_views_wrongs import pdf_text

NOW = timezone.now()
TODAY = timezone.localdate()


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


# -- the team week -----------------------------------------------------------------------------


def test_a_manager_lands_on_the_teams_week_with_each_person_one_click_away(cast: Cast) -> None:
    acme = make_account(cast.north, "Acme")
    deal = make_opportunity(acme, owner=cast.bob, name="Acme rollout")
    deal.sales_engineers.add(cast.alice)
    make_activity(opportunity=deal, participants=[cast.alice], subject="SSO demo", kind=Kind.DEMO)
    make_activity(
        opportunity=deal,
        participants=[cast.alice],
        subject="Security review",
        starts_at=NOW - timedelta(days=3),
        status="held",
    )
    make_activity(
        participants=[cast.alice],
        subject="Rebuilt the partner's demo tenant",
        kind=Kind.OUT_OF_BAND,
        starts_at=NOW - timedelta(days=2),
        minutes=90,
    )
    make_commitment(acme, what="Send the SCIM roadmap", owner=cast.alice)
    StageChange.objects.create(
        opportunity=deal, from_stage=Stage.DISCOVERY, to_stage=Stage.DEMO, changed_at=NOW
    )

    page = logged_in(cast.dave).get("/").content.decode()
    assert "<h1>Team week" in page
    row = re.search(
        r"<tr>\s*<td><a href=\"/people/(\d+)/week/\">Alice Tester</a>.*?</tr>", page, re.S
    )
    assert row and int(row.group(1)) == cast.alice.pk
    cells = re.findall(r'<td class="num">(.*?)</td>', row.group(0), re.S)
    # meetings ahead, debriefs owed, commitments due, overdue, out-of-band, open deals
    assert [re.sub(r"<[^>]+>", "", c).split()[0] for c in cells] == ["1", "1", "1", "0", "1", "1"]
    assert "(90 min)" in row.group(0)
    assert "SSO demo" in page and "Security review" in page
    assert "Send the SCIM roadmap" in page
    assert "Acme rollout" in page and "Rebuilt the partner" in page

    person = logged_in(cast.dave).get(f"/people/{cast.alice.pk}/week/").content.decode()
    assert "SSO demo" in person and "Acme rollout" in person


def test_a_manager_reaches_their_own_week_and_an_se_still_lands_on_theirs(cast: Cast) -> None:
    mine = logged_in(cast.dave).get("/?view=mine").content.decode()
    assert "<h1>My week</h1>" in mine
    assert "<h1>My week</h1>" in logged_in(cast.alice).get("/").content.decode()


def test_a_manager_cannot_open_the_week_of_someone_outside_their_teams(cast: Cast) -> None:
    assert logged_in(cast.dave).get(f"/people/{cast.carol.pk}/week/").status_code == 404
    assert logged_in(cast.alice).get(f"/people/{cast.bob.pk}/week/").status_code == 404


# -- commitments due ---------------------------------------------------------------------------


def test_a_commitment_due_in_two_days_is_listed_first_and_old_debt_is_counted_apart(
    cast: Cast,
) -> None:
    acme = make_account(cast.north, "Acme")
    for days in range(40, 173):
        make_commitment(acme, what=f"Old promise {days}", owner=cast.alice,
                        due_on=TODAY - timedelta(days=days))  # fmt: skip
    make_commitment(acme, what="Recent slip", owner=cast.alice, due_on=TODAY - timedelta(days=3))
    make_commitment(acme, what="Pilot report", owner=cast.alice, due_on=TODAY + timedelta(days=2))
    due = commitments_due(Commitment.objects.filter(owner=cast.alice), today=TODAY)
    assert [c.what for c in due.upcoming] == ["Pilot report"]
    assert [c.what for c in due.overdue] == ["Recent slip"]
    assert due.more_overdue == 133
    assert due.oldest_overdue == TODAY - timedelta(days=172)

    page = logged_in(cast.alice).get("/").content.decode()
    card = page[page.index('id="commitments-due"') :]
    assert card.index("Pilot report") < card.index("Recent slip")
    oldest = f"{TODAY - timedelta(days=172):%-d %b %Y}"
    assert f"133 more overdue, oldest {oldest}" in card
    assert "Old promise" not in card


# -- charts ------------------------------------------------------------------------------------


def test_round_ticks_stay_few_whatever_the_range() -> None:
    for top in (0.9, 1.5, 3.0, 96.42, 12_345.0):
        ticks = nice_ticks(top)
        assert ticks[0] == 0 and ticks[-1] >= top
        assert len(ticks) <= 7
        assert len(set(ticks)) == len(ticks)


def test_forecast_accuracy_axis_labels_no_longer_overlap_at_a_huge_attainment() -> None:
    periods = [
        PeriodAccuracy(date(2025, 1, 1), "2025-Q1", Decimal(100), Decimal(9642)),
        PeriodAccuracy(date(2025, 4, 1), "2025-Q2", Decimal(100), Decimal(100)),
    ]
    table = AccuracyTable(
        level="rep",
        period_labels=["2025-Q1", "2025-Q2"],
        subjects=[
            SubjectAccuracy(
                level="rep",
                key=1,
                name="Bob",
                periods=periods,
                summary=summarise([p.attainment or 0 for p in periods]),
                rank=1,
            )
        ],
    )
    svg = str(trend_svg(table))
    ys = sorted(
        float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)" text-anchor="end"', svg)
    )
    assert len(ys) >= 3
    assert min(b - a for a, b in itertools.pairwise(ys)) >= 14


def test_pipeline_analytics_draws_the_funnel_and_win_rates_with_their_samples(
    cast: Cast,
) -> None:
    acme = make_account(cast.north, "Acme")
    for i in range(3):
        make_opportunity(acme, owner=cast.bob, stage=Stage.WON, close=TODAY - timedelta(days=i + 1))
    make_opportunity(acme, owner=cast.bob, stage=Stage.LOST, close=TODAY - timedelta(days=4))
    make_opportunity(acme, owner=cast.bob, stage=Stage.DEMO)
    page = logged_in(cast.alice).get("/analytics/pipeline/").content.decode()
    funnel = page[page.index('id="funnel"') :]
    assert "<title>Deals that reached each stage</title><desc>5 deals in scope</desc>" in funnel
    assert "<title>Closed won: 3 of 5</title>" in funnel
    rates = page[page.index('id="win-rate-chart"') :]
    assert "<title>Win rate with 95% intervals, overall and by product</title>" in rates
    assert "75%, 3 of 4" in rates


def test_the_weekly_report_draws_its_trend_on_the_page_and_in_the_pdf(cast: Cast) -> None:
    acme = make_account(cast.north, "Acme")
    week = date(2026, 2, 2)
    make_opportunity(acme, owner=cast.bob, stage=Stage.WON, amount="5000", close=week)
    report = weekly_report(viewer=cast.root, team=cast.north, week=week)
    assert len(report.trend_weeks) == 8 and report.trend_weeks[-1] == week
    assert report.trend["won"].values[-1] == 5000.0
    client = logged_in(cast.root)
    page = client.get(f"/analytics/weekly/?team={cast.north.pk}&week={week}").content.decode()
    assert 'id="trend-won"' in page and "Won this week: last 8 weeks" in page
    pdf = pdf_text(client.get(f"/analytics/weekly.pdf?team={cast.north.pk}&week={week}").content)
    assert "Trend against last period" in pdf and "same weeks last year" in pdf


def test_the_workspace_draws_the_three_circles_their_history_and_the_stakeholder_map(
    cast: Cast,
) -> None:
    acme = make_account(cast.north, "Acme")
    deal = make_opportunity(acme, owner=cast.bob)
    for overlap in (2, 4):
        CirclesRating.objects.create(opportunity=deal, overlap=overlap, recorded_by=cast.alice)
    cfo = make_contact(acme, "Okafor", first_name="Ngozi", title="CFO",
                       deal_role=Contact.DealRole.ECONOMIC_BUYER)  # fmt: skip
    Stakeholder.objects.create(opportunity=deal, contact=cfo, sentiment=Sentiment.SKEPTICAL)
    page = logged_in(cast.alice).get(f"/opportunities/{deal.pk}/workspace/").content.decode()
    assert "<desc>overlap 4 of 5</desc>" in page
    assert "Circles overlap over time on this deal</title><desc>2 ratings</desc>" in page
    chart = page[page.index('id="stakeholder-chart"') :]
    assert "<title>Ngozi Okafor: CFO</title>" in chart
    assert "Stakeholders by role and sentiment</title><desc>1 stakeholders</desc>" in chart


def test_the_circles_analysis_draws_the_circles_and_overlap_over_time(cast: Cast) -> None:
    page = logged_in(cast.alice).get("/qualification/circles/").content.decode()
    assert page.count("<desc>overlap ") == 3
    assert "Mean circles overlap by month since engagement" in page
    assert 'id="overlap-over-time"' in page


# -- navigation --------------------------------------------------------------------------------


def test_pipeline_analytics_is_in_the_menu_and_the_level_switcher_is_a_control(
    cast: Cast,
) -> None:
    page = logged_in(cast.dave).get("/forecasts/accuracy/?level=se").content.decode()
    assert '<a href="/analytics/pipeline/"' in page
    switcher = re.search(r'<nav class="tabs"[^>]*id="level-switcher">(.*?)</nav>', page, re.S)
    assert switcher
    assert re.search(r'aria-current="page">SE</a>', switcher.group(1))


def test_the_api_docs_load_swagger_from_presales_itself(cast: Cast) -> None:
    page = logged_in(cast.alice).get("/api/docs").content.decode()
    assert "cdn.jsdelivr" not in page and "unpkg" not in page
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "/static/ninja/swagger-ui.css" in page


def test_the_three_circles_and_their_labels_stay_inside_the_drawing() -> None:
    for overlap in (None, 1, 2, 3, 4, 5):
        svg = str(three_circles(overlap, title="circles", labels=("they do", "we do", "possible")))
        width, height = (int(v) for v in re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())  # type: ignore[union-attr]
        for cx, cy, r in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="(\d+)"', svg):
            assert float(cx) - int(r) >= 0 and float(cx) + int(r) <= width
            assert float(cy) - int(r) >= 0 and float(cy) + int(r) <= height
        for y in re.findall(r'<text x="[\d.]+" y="([\d.-]+)"', svg):
            assert 0 < float(y) <= height
