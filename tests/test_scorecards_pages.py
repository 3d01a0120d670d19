"""Scorecard, scoreboard and incentive pages: access, figures with references, CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from presales.incentives.models import QuotaBucket, Spiff
from presales.meetings.models import Report
from presales.scorecards.models import BonusPlan, ScoreboardSetting
from tests import scorecard_data
from tests.conftest import Cast, make_goal, make_product, make_user
from tests.test_pages import logged_in


def test_se_sees_their_scorecard_with_goal_reference_and_sample(cast: Cast) -> None:
    scorecard_data.build(cast)
    make_goal(cast.alice, title="Show the product", target=Decimal("2"), weight=Decimal("100"))
    BonusPlan.objects.create(owner=cast.alice, year=2024, quarter=2, target_bonus=Decimal("1000"))
    page = logged_in(cast.alice).get(f"/scorecards/people/{cast.alice.pk}/?period=2024-Q2")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Show the product" in html
    assert "n=1 demos" in html and "last period 0 (n=0)" in html
    assert "team median 1 (of 1)" in html
    # 1 of 2 demos = 50 %, at the threshold: 1,000 x 1.0 x 0.5 = 500.
    assert 'id="payout-total">$500.00<' in html
    assert "<svg" in html


def test_what_if_on_the_scorecard_recomputes_the_bonus(cast: Cast) -> None:
    scorecard_data.build(cast)
    goal = make_goal(cast.alice, target=Decimal("2"), weight=Decimal("100"))
    BonusPlan.objects.create(owner=cast.alice, year=2024, quarter=2, target_bonus=Decimal("1000"))
    url = f"/scorecards/people/{cast.alice.pk}/?period=2024-Q2&whatif_{goal.pk}=120"
    html = logged_in(cast.alice).get(url).content.decode()
    assert 'id="payout-total">$1,200.00<' in html


def test_scorecards_of_others_answer_404_unless_you_manage_them(cast: Cast) -> None:
    url = f"/scorecards/people/{cast.alice.pk}/"
    assert logged_in(cast.carol).get(url).status_code == 404
    assert logged_in(cast.bob).get(url).status_code == 404
    assert logged_in(cast.dave).get(url).status_code == 200  # alice reports to dave
    assert logged_in(cast.root).get(url).status_code == 200


def test_team_scoreboard_is_visible_to_members_unless_kept_to_managers(cast: Cast) -> None:
    url = f"/scorecards/teams/{cast.north.pk}/"
    assert logged_in(cast.alice).get(url).status_code == 200
    assert logged_in(cast.carol).get(url).status_code == 404
    ScoreboardSetting.objects.create(team=cast.north, visibility="managers")
    assert logged_in(cast.alice).get(url).status_code == 404
    assert logged_in(cast.dave).get(url).status_code == 200


def test_scoreboard_shows_each_figure_with_sample_last_period_and_median(cast: Cast) -> None:
    scorecard_data.build(cast)
    make_user("anna", "se", team=cast.north)
    html = logged_in(cast.alice).get(f"/scorecards/teams/{cast.north.pk}/?period=2024-Q2")
    text = html.content.decode()
    # alice 70.0 %, anna has no activity: the median is alice's over one person with data.
    assert f'id="fig-{cast.alice.pk}-customer_facing_time"' in text
    assert "70 %" in text and "n=5 activities" in text and "team median 70 % (of 1)" in text
    assert "No data until forecasts exist." in text


def test_scoreboard_csv_neutralises_formulas_and_keeps_numbers(cast: Cast) -> None:
    scorecard_data.build(cast)
    cast.alice.first_name = "=HYPERLINK(1)"
    cast.alice.save()
    response = logged_in(cast.dave).get(
        f"/scorecards/teams/{cast.north.pk}/export.csv?period=2024-Q2"
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    mine = {r["metric"]: r for r in rows if r["person"].startswith("'=HYPERLINK")}
    assert mine["win_rate_with_se"]["value"] == "66.7"
    assert mine["win_rate_with_se"]["sample"] == "3"
    assert {r["person"] for r in rows} == {"'=HYPERLINK(1) Tester", "(whole team)"}


def test_incentives_page_flags_an_unrealistic_and_not_inclusive_spiff(cast: Cast) -> None:
    scorecard_data.build(cast)
    spiff = Spiff.objects.create(
        name="GTX push",
        starts_on=date(2024, 4, 1),
        ends_on=date(2024, 4, 30),
        rep_amount=Decimal("500"),
    )
    spiff.products.set([make_product("GTX Pro")])
    QuotaBucket.objects.create(
        owner=cast.alice,
        product=make_product("GTX Pro"),
        year=2024,
        quarter=2,
        target=Decimal("20000"),
    )
    Report.objects.all().delete()
    html = logged_in(cast.dave).get("/incentives/?period=2024-Q2").content.decode()
    assert 'data-code="unrealistic"' in html and 'data-code="not_inclusive"' in html
    assert "125.0 %" in html  # 15,000 (half of D1) + 10,000 (D3) of 20,000
