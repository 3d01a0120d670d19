"""Forecast submissions, SE confidence, manager adjustments, weekly snapshots and accuracy,
with hand-computed figures (the seed's two managers among them)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from presales.core.access import PermissionDenied
from presales.deals.models import Stage, TermsChange
from presales.deals.services import update_opportunity
from presales.forecasts import services
from presales.forecasts.accuracy import (
    SubjectAccuracy,
    accuracy,
    closed_quarters,
    ranked,
    summarise,
)
from presales.forecasts.models import Category, Snapshot, SnapshotLine, Submission, quarter_of
from presales.people.models import Role
from tests.conftest import Cast, make_account, make_forecast, make_opportunity, make_user

TODAY = date(2025, 1, 15)
QUARTERS = [date(2024, 4, 1), date(2024, 7, 1), date(2024, 10, 1)]


def test_quarters_are_calendar_quarters_and_only_closed_ones_are_measured() -> None:
    assert quarter_of(date(2024, 11, 30)) == (date(2024, 10, 1), date(2024, 12, 31))
    assert quarter_of(date(2024, 2, 29)) == (date(2024, 1, 1), date(2024, 3, 31))
    assert closed_quarters(TODAY, 3) == QUARTERS


def test_the_seed_managers_average_alike_but_b_is_more_accurate_than_a() -> None:
    a = summarise([0.70, 1.40, 0.90])
    b = summarise([0.90, 0.92, 0.91])
    assert a.attainment == pytest.approx(1.00)
    assert b.attainment == pytest.approx(0.91)
    assert a.bias == pytest.approx(0.0)
    assert b.bias == pytest.approx(-0.09)
    # Sample standard deviation: sqrt(((-.3)² + .4² + (-.1)²) / 2) = sqrt(.13).
    assert a.spread == pytest.approx(0.36056, abs=1e-5)
    assert b.spread == pytest.approx(0.01)
    assert a.mape == pytest.approx(0.8 / 3)
    assert b.mape == pytest.approx(0.09)
    assert (a.hits.successes, a.hits.n) == (1, 3)
    assert (b.hits.successes, b.hits.n) == (3, 3)
    order = ranked(
        [
            SubjectAccuracy("manager", 1, "A", [], a),
            SubjectAccuracy("manager", 2, "B", [], b),
        ]
    )
    assert [s.name for s in order] == ["B", "A"]


def _seed_two_managers(cast: Cast, quarters: list[date] = QUARTERS) -> None:
    """North (managed by dave) lands 70%, 140%, 90% of a 100,000 commit; South (erin) lands
    90%, 92%, 91%."""
    cast.north.manager = cast.dave
    cast.north.save()
    sam = make_user("sam", Role.REP, team=cast.south)
    for start, north_won, south_won in zip(
        quarters, ("70000", "140000", "90000"), ("90000", "92000", "91000"), strict=True
    ):
        make_forecast(cast.bob, start, "100000")
        make_forecast(sam, start, "100000")
        close = start + timedelta(days=40)
        make_opportunity(
            make_account(cast.north), owner=cast.bob, stage=Stage.WON, amount=north_won, close=close
        )
        make_opportunity(
            make_account(cast.south), owner=sam, stage=Stage.WON, amount=south_won, close=close
        )


def test_accuracy_per_manager_ranks_the_steady_manager_first(cast: Cast) -> None:
    _seed_two_managers(cast)
    table = accuracy(viewer=cast.root, level="manager", today=TODAY, periods=3)
    assert [s.name for s in table.subjects] == ["Erin Tester", "Dave Tester"]
    dave = table.subject("Dave Tester")
    assert [p.attainment for p in dave.periods] == pytest.approx([0.7, 1.4, 0.9])
    assert dave.summary.attainment == pytest.approx(1.0)
    assert dave.summary.mape == pytest.approx(0.8 / 3)
    erin = table.subject("Erin Tester")
    assert erin.summary.bias == pytest.approx(-0.09)
    assert erin.summary.hits.successes == 3
    # The reference is the median MAPE of the level: (0.09 + 0.2667) / 2 for two managers.
    assert table.reference_mape == pytest.approx((0.09 + 0.8 / 3) / 2)
    assert table.period_labels == ["2024-Q2", "2024-Q3", "2024-Q4"]


def test_accuracy_per_rep_team_and_region_adds_up_the_same_quarters(cast: Cast) -> None:
    _seed_two_managers(cast)
    reps = accuracy(viewer=cast.root, level="rep", today=TODAY, periods=3)
    assert reps.subject("Bob Tester").summary.spread == pytest.approx(0.36056, abs=1e-5)
    teams = accuracy(viewer=cast.root, level="team", today=TODAY, periods=3)
    assert [s.name for s in teams.subjects] == ["South", "North"]
    regions = accuracy(viewer=cast.root, level="region", today=TODAY, periods=3)
    assert [s.name for s in regions.subjects] == ["Far", "East"]
    # Carol (South) sees her team only.
    mine = accuracy(viewer=cast.carol, level="team", today=TODAY, periods=3)
    assert [s.name for s in mine.subjects] == ["South"]


def test_a_manager_adjustment_replaces_the_commit_in_team_accuracy(cast: Cast) -> None:
    _seed_two_managers(cast)
    first = Submission.objects.get(owner=cast.bob, period_start=QUARTERS[0])
    services.adjust_forecast(
        actor=cast.dave, submission=first, commit=Decimal("70000"), reason="Two deals are at risk"
    )
    team = accuracy(viewer=cast.root, level="team", today=TODAY, periods=3).subject("North")
    assert team.periods[0].forecast == Decimal("70000")
    assert team.periods[0].attainment == pytest.approx(1.0)
    rep = accuracy(viewer=cast.root, level="rep", today=TODAY, periods=3).subject("Bob Tester")
    assert rep.periods[0].forecast == Decimal("100000")


def test_the_se_forecast_counts_deals_the_se_rated_confident(cast: Cast) -> None:
    q = QUARTERS[-1]
    now = timezone.make_aware(datetime(2024, 10, 2, 9))
    account = make_account(cast.north)
    a = make_opportunity(account, owner=cast.bob, amount="30000", close=date(2024, 11, 5))
    b = make_opportunity(account, owner=cast.bob, amount="50000", close=date(2024, 11, 20))
    for deal in (a, b):
        deal.sales_engineers.add(cast.alice)
    submission = services.submit_forecast(
        actor=cast.bob,
        period_start=q,
        categories={a.pk: Category.COMMIT, b.pk: Category.COMMIT},
        now=now,
    )
    services.rate_confidence(
        actor=cast.alice, line=submission.lines.get(opportunity=b), confidence=20
    )
    update_opportunity(
        actor=cast.bob, opportunity=a, changes={"stage": Stage.WON}, confirm_gate=True
    )
    table = accuracy(viewer=cast.root, level="se", today=TODAY, periods=1)
    alice = table.subject("Alice Tester")
    assert (alice.periods[0].forecast, alice.periods[0].actual) == (
        Decimal("30000"),
        Decimal("30000"),
    )
    bob = accuracy(viewer=cast.root, level="rep", today=TODAY, periods=1).subject("Bob Tester")
    assert bob.periods[0].attainment == pytest.approx(30000 / 80000)


def test_submitting_lines_up_the_quarters_deals_with_totals_and_replaces_within_a_week(
    cast: Cast,
) -> None:
    account = make_account(cast.north)
    close = timezone.localdate() + timedelta(days=1)
    start, _ = quarter_of(close)
    commit = make_opportunity(account, owner=cast.bob, amount="40000", close=close)
    best = make_opportunity(account, owner=cast.bob, amount="25000", close=close)
    rest = make_opportunity(account, owner=cast.bob, amount="10000", close=close)
    gone = make_opportunity(account, owner=cast.bob, amount="5000", close=close)
    make_opportunity(account, owner=cast.alice, amount="99000", close=close)
    first = services.submit_forecast(
        actor=cast.bob,
        period_start=start,
        categories={commit.pk: "commit", best.pk: "best_case", gone.pk: "omitted"},
    )
    assert first.lines.count() == 4
    assert (first.commit_total, first.best_case_total, first.pipeline_total) == (
        Decimal("40000"),
        Decimal("65000"),
        Decimal("75000"),
    )
    again = services.submit_forecast(
        actor=cast.bob, period_start=start, categories={rest.pk: "commit"}
    )
    assert again.pk == first.pk
    assert Submission.objects.filter(owner=cast.bob).count() == 1
    # Unnamed deals keep their last category.
    assert again.lines.get(opportunity=best).category == "best_case"
    assert again.commit_total == Decimal("50000")


def test_a_bad_category_or_a_foreign_deal_is_refused_with_the_field_named(cast: Cast) -> None:
    mine = make_opportunity(make_account(cast.north), owner=cast.bob)
    theirs = make_opportunity(make_account(cast.south), owner=cast.carol)
    with pytest.raises(ValidationError) as bad:
        services.submit_forecast(actor=cast.bob, period_start=TODAY, categories={mine.pk: "maybe"})
    assert "categories" in bad.value.message_dict
    with pytest.raises(ValidationError) as foreign:
        services.submit_forecast(
            actor=cast.bob, period_start=TODAY, categories={theirs.pk: "commit"}
        )
    assert str(theirs.pk) in foreign.value.message_dict["categories"][0]
    with pytest.raises(PermissionDenied):
        services.submit_forecast(
            actor=cast.alice, owner=cast.bob, period_start=TODAY, categories={}
        )
    assert not Submission.objects.exists()


def test_only_a_manager_of_the_team_adjusts_and_only_with_a_reason(cast: Cast) -> None:
    submission = make_forecast(cast.bob, QUARTERS[0], "100000")
    with pytest.raises(PermissionDenied):
        services.adjust_forecast(
            actor=cast.alice, submission=submission, commit=Decimal(1), reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.adjust_forecast(
            actor=cast.erin, submission=submission, commit=Decimal(1), reason="x"
        )
    with pytest.raises(ValidationError) as empty:
        services.adjust_forecast(
            actor=cast.dave, submission=submission, commit=Decimal(80000), reason="  "
        )
    assert "reason" in empty.value.message_dict
    services.adjust_forecast(
        actor=cast.dave, submission=submission, commit=Decimal(80000), reason="Slipping POC"
    )
    assert submission.adjusted_commit == Decimal(80000)


def test_only_an_se_on_the_deal_gives_technical_confidence(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), owner=cast.bob)
    deal.sales_engineers.add(cast.alice)
    start, _ = quarter_of(deal.close_date)
    line = services.submit_forecast(actor=cast.bob, period_start=start, categories={}).lines.get()
    with pytest.raises(PermissionDenied):
        services.rate_confidence(actor=cast.bob, line=line, confidence=80)
    with pytest.raises(ValidationError):
        services.rate_confidence(actor=cast.alice, line=line, confidence=101)
    services.rate_confidence(actor=cast.alice, line=line, confidence=65, note="SSO works")
    line.refresh_from_db()
    assert (line.se_confidence, line.se, line.se_note) == (65, cast.alice, "SSO works")
    # The next submission carries the confidence over.
    again = services.submit_forecast(actor=cast.bob, period_start=start, categories={})
    assert again.lines.get().se_confidence == 65


def test_a_snapshot_is_taken_once_a_week_and_rerunning_changes_nothing(cast: Cast) -> None:
    account = make_account(cast.north)
    make_opportunity(account, owner=cast.bob, amount="12000")
    make_opportunity(account, owner=cast.bob, stage=Stage.WON)
    first = services.take_snapshot(week=date(2025, 1, 15))
    assert (first.week, first.created, first.unchanged, first.lines) == (date(2025, 1, 13), 3, 0, 1)
    again = services.take_snapshot(week=date(2025, 1, 17))
    assert (again.created, again.unchanged, again.lines) == (0, 3, 0)
    assert Snapshot.objects.count() == 3
    line = SnapshotLine.objects.get()
    assert (line.amount, line.stage, line.owner) == (Decimal("12000"), Stage.DISCOVERY, cast.bob)


def test_changing_a_close_date_or_amount_records_the_change(cast: Cast) -> None:
    deal = make_opportunity(
        make_account(cast.north), owner=cast.bob, amount="10000", close=date(2025, 2, 1)
    )
    update_opportunity(actor=cast.bob, opportunity=deal, changes={"close_date": date(2025, 3, 15)})
    update_opportunity(actor=cast.bob, opportunity=deal, changes={"name": "Renamed"})
    update_opportunity(actor=cast.bob, opportunity=deal, changes={"amount": Decimal("8000")})
    changes = list(TermsChange.objects.filter(opportunity=deal))
    assert len(changes) == 2
    assert (changes[0].from_close_date, changes[0].to_close_date, changes[0].pushed) == (
        date(2025, 2, 1),
        date(2025, 3, 15),
        True,
    )
    assert (changes[1].from_amount, changes[1].to_amount) == (Decimal("10000"), Decimal("8000"))


def test_the_api_submits_adjusts_rates_and_reports_accuracy(cast: Cast) -> None:
    from tests.test_api import bearer, call

    deal = make_opportunity(make_account(cast.north), owner=cast.bob, amount="20000")
    deal.sales_engineers.add(cast.alice)
    start, _ = quarter_of(deal.close_date)
    made = call(
        "post",
        "/api/forecasts/submissions",
        bearer(cast.bob),
        {"period_start": start.isoformat(), "categories": {str(deal.pk): "commit"}},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["commit_total"], body["lines"][0]["category"]) == ("20000.00", "commit")
    sid, line = body["id"], body["lines"][0]["id"]
    bad = call(
        "post", "/api/forecasts/submissions", bearer(cast.bob),
        {"period_start": start.isoformat(), "categories": {str(deal.pk): "maybe"}},
    )  # fmt: skip
    assert bad.status_code == 422
    refused = call(
        "post", f"/api/forecasts/submissions/{sid}/adjustments", bearer(cast.alice),
        {"commit": "1", "reason": "x"},
    )  # fmt: skip
    assert refused.status_code == 403
    adjusted = call(
        "post", f"/api/forecasts/submissions/{sid}/adjustments", bearer(cast.dave),
        {"commit": "15000", "reason": "Security review pending"},
    )  # fmt: skip
    assert adjusted.status_code == 201
    rated = call(
        "put", f"/api/forecasts/lines/{line}/confidence", bearer(cast.alice), {"confidence": 70}
    )
    assert rated.json()["se_confidence"] == 70
    hidden = call("get", f"/api/forecasts/submissions/{sid}", bearer(cast.carol))
    assert hidden.status_code == 404
    listed = call("get", "/api/forecasts/submissions", bearer(cast.dave)).json()
    assert listed["items"][0]["adjusted_commit"] == "15000.00"
    assert call("post", "/api/forecasts/snapshots", bearer(cast.bob), {}).status_code == 403
    snap = call("post", "/api/forecasts/snapshots", bearer(cast.dave), {}).json()
    assert (snap["created"], snap["lines"]) == (3, 1)
    assert call("get", "/api/forecasts/accuracy?level=galaxy", bearer(cast.bob)).status_code == 422


def test_the_api_accuracy_ranks_the_seed_managers(cast: Cast) -> None:
    from tests.test_api import bearer, call

    _seed_two_managers(cast)
    body = call("get", "/api/forecasts/accuracy?level=manager&periods=3", bearer(cast.root)).json()
    # Quarters are the last ones closed before today, so seed relative to today's quarters.
    assert body["level"] == "manager"
    assert len(body["period_labels"]) == 3


def test_the_accuracy_page_draws_the_trend_and_ranks_managers(cast: Cast) -> None:
    from django.test import Client

    from tests.conftest import PASSWORD

    _seed_two_managers(cast, closed_quarters(timezone.localdate(), 3))
    client = Client()
    client.login(username="root", password=PASSWORD)
    page = client.get("/forecasts/accuracy/?level=manager")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Attainment of forecast per quarter" in html
    assert html.index("Erin Tester</td>") < html.index("Dave Tester</td>")
    assert '<td class="num">27%</td>' in html  # Dave's MAPE, 0.8 / 3
    forecast = client.get("/forecasts/")
    assert forecast.status_code == 200


def test_the_cli_takes_the_weekly_snapshot_once_and_says_so(cast: Cast, capsys: Any) -> None:
    from presales.cli import main as presales

    make_opportunity(make_account(cast.north), owner=cast.bob)
    assert presales(["forecast", "snapshot", "--week", "2025-01-15"]) == 0
    first = " ".join(capsys.readouterr().out.split())
    assert "Week of 2025-01-13: 3 team snapshot(s) taken with 1 open deal(s); 0 already" in first
    assert presales(["forecast", "snapshot", "--week", "2025-01-13"]) == 0
    again = " ".join(capsys.readouterr().out.split())
    assert "0 team snapshot(s) taken with 0 open deal(s); 3 already taken" in again
    assert presales(["forecast", "snapshot", "--week", "soon"]) == 2
    assert Snapshot.objects.count() == 3
