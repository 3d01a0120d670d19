"""The scorecards and incentives API: goals with the SMART check, figures, payout, SPIFFs."""

from __future__ import annotations

from decimal import Decimal

from presales.scorecards.models import BonusPlan, Goal
from tests import scorecard_data
from tests.conftest import Cast, make_goal, make_product
from tests.test_api import bearer, call

GOAL = {
    "period": "2024-Q2",
    "pillar": "process",
    "title": "Debrief every customer meeting",
    "metric": "debrief_completion",
    "target": "90",
    "weight": "40",
    "why": "Debriefs are how the team learns.",
}


def test_manager_creates_a_goal_and_reads_it_back_with_its_figure(cast: Cast) -> None:
    scorecard_data.build(cast)
    dave = bearer(cast.dave)
    made = call("post", "/api/scorecards/goals", dave, {**GOAL, "owner_id": cast.alice.pk})
    assert made.status_code == 201, made.content
    assert made.json()["goal"]["period"] == "2024-Q2"
    card = call("get", f"/api/scorecards/people/{cast.alice.pk}?period=2024-Q2", dave).json()
    (goal,) = card["goals"]
    assert (goal["figure"]["value"], goal["figure"]["sample"]) == (33.3, 3)
    assert goal["attainment"] == 37.0  # 33.3 / 90
    assert {lint["code"] for lint in card["lints"]} == {"weights_not_100"}


def test_goal_with_an_unknown_metric_or_period_answers_422(cast: Cast) -> None:
    dave = bearer(cast.dave)
    bad = call(
        "post",
        "/api/scorecards/goals",
        dave,
        {**GOAL, "owner_id": cast.alice.pk, "metric": "vibes"},
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"][0]["field"] == "metric"
    bad = call(
        "post", "/api/scorecards/goals", dave, {**GOAL, "owner_id": cast.alice.pk, "period": "Q9"}
    )
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "period"
    assert not Goal.objects.exists()


def test_an_se_cannot_set_goals_for_a_colleague_and_cannot_see_their_scorecard(cast: Cast) -> None:
    carol = bearer(cast.carol)
    refused = call("post", "/api/scorecards/goals", carol, {**GOAL, "owner_id": cast.alice.pk})
    assert refused.status_code == 403
    assert call("get", f"/api/scorecards/people/{cast.alice.pk}", carol).status_code == 404
    goal = make_goal(cast.alice)
    assert (
        call("patch", f"/api/scorecards/goals/{goal.pk}", carol, {"target": "3"}).status_code == 404
    )


def test_payout_and_what_if_over_the_api(cast: Cast) -> None:
    scorecard_data.build(cast)
    BonusPlan.objects.create(owner=cast.alice, year=2024, quarter=2, target_bonus=Decimal("10000"))
    demos = make_goal(cast.alice, target=Decimal("2"), weight=Decimal("60"))
    make_goal(cast.alice, metric="debrief_completion", target=Decimal("25"), weight=Decimal("40"))
    alice = bearer(cast.alice)
    measured = call("get", f"/api/scorecards/people/{cast.alice.pk}/payout?period=2024-Q2", alice)
    assert Decimal(measured.json()["total"]) == Decimal("8328.00")
    url = f"/api/scorecards/people/{cast.alice.pk}/payout/what-if"
    assumed = call("post", url, alice, {"period": "2024-Q2", "attainments": {str(demos.pk): "100"}})
    assert Decimal(assumed.json()["total"]) == Decimal("11328.00")  # 6,000 + 5,328
    assert (
        call(
            "post", url, alice, {"period": "2024-Q2", "attainments": {str(demos.pk): "-5"}}
        ).status_code
        == 422
    )


def test_alice_may_not_set_her_own_bonus_plan_but_dave_may(cast: Cast) -> None:
    url = f"/api/scorecards/people/{cast.alice.pk}/bonus-plan"
    body = {"period": "2024-Q2", "target_bonus": "5000"}
    assert call("put", url, bearer(cast.alice), body).status_code == 403
    saved = call("put", url, bearer(cast.dave), body)
    assert saved.status_code == 200 and Decimal(saved.json()["threshold_pct"]) == 50


def test_team_scoreboard_over_the_api_carries_references(cast: Cast) -> None:
    scorecard_data.build(cast)
    board = call(
        "get", f"/api/scorecards/teams/{cast.north.pk}?period=2024-Q2", bearer(cast.alice)
    ).json()
    (alice,) = board["people"]
    rate = next(f for f in alice["figures"] if f["key"] == "win_rate_with_se")
    assert (rate["value"], rate["sample"], rate["last_period"], rate["team_median"]) == (
        66.7,
        3,
        None,
        66.7,
    )
    assert (
        call("get", f"/api/scorecards/teams/{cast.north.pk}", bearer(cast.carol)).status_code == 404
    )


def test_admin_creates_a_spiff_and_sees_its_flags(cast: Cast) -> None:
    scorecard_data.build(cast)
    gtx = make_product("GTX Pro")
    body = {
        "name": "Q2 GTX",
        "product_ids": [gtx.pk],
        "starts_on": "2024-04-01",
        "ends_on": "2024-06-30",
        "rep_amount": "300",
        "se_amount": "200",
    }
    assert call("post", "/api/incentives/spiffs", bearer(cast.alice), body).status_code == 403
    made = call("post", "/api/incentives/spiffs", bearer(cast.root), body)
    assert made.status_code == 201, made.content
    report = made.json()["report"]
    # Won GTX Pro deals: D1 (106 days) and D3 (19 days): median 62.5 < 91-day window.
    assert report["cycle"] == {"median_days": 62.5, "sample": 2}
    assert report["flags"] == []
    # D1 and D3 closed in the window: bob 2 x 300, alice 2 x 200.
    earned = {(e["person"], Decimal(e["amount"])) for e in report["earnings"]}
    assert earned == {("Bob Tester", Decimal(600)), ("Alice Tester", Decimal(400))}


def test_buckets_over_the_api(cast: Cast) -> None:
    scorecard_data.build(cast)
    gtx = make_product("GTX Pro")
    body = {"owner_id": cast.alice.pk, "product_id": gtx.pk, "period": "2024-Q2", "target": "20000"}
    assert call("post", "/api/incentives/buckets", bearer(cast.carol), body).status_code == 422
    made = call("post", "/api/incentives/buckets", bearer(cast.dave), body)
    assert made.status_code == 201
    assert (made.json()["booked"], made.json()["attainment"], made.json()["sample"]) == (
        "25000.00",
        "125.0",
        2,
    )


def test_metric_catalog_lists_definitions(cast: Cast) -> None:
    metrics = call("get", "/api/scorecards/metrics", bearer(cast.alice)).json()
    forecast = next(m for m in metrics if m["key"] == "forecast_accuracy")
    assert "No data until forecasts exist" in forecast["definition"]
