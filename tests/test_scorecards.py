"""Metrics, goals, lints and payouts against a hand-checked quarter (see scorecard_data)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from presales.scorecards import services
from presales.scorecards.analytics import scorecard
from presales.scorecards.lints import lint_goals
from presales.scorecards.metrics import catalog, measure
from presales.scorecards.models import BonusPlan, CustomMetric, Goal, Pillar
from presales.scorecards.payout import payout
from presales.scorecards.periods import Quarter, Span
from tests import scorecard_data
from tests.conftest import Cast, make_goal

Q2 = Quarter(2024, 2)
SPAN = Span.of(Q2)

EXPECTED = {
    "customer_facing_time": (70.0, 5),
    "demos_delivered": (1.0, 1),
    "pocs_run": (1.0, 1),
    "pocs_won": (1.0, 1),
    "collateral_published": (2.0, 2),
    "win_loss_reports": (1.0, 1),
    "trip_reports": (1.0, 1),
    "feature_requests": (2.0, 2),
    "debrief_completion": (33.3, 3),
    "customer_satisfaction": (70.0, 2),
    "win_rate_with_se": (66.7, 3),
    "average_opportunity_age": (45.0, 2),
    "pipeline_growth": (50.0, 2),
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_metric_matches_the_hand_checked_quarter(cast: Cast, key: str) -> None:
    scorecard_data.build(cast)
    m = measure(key, [cast.alice.pk], SPAN)
    assert (m.value, m.sample) == EXPECTED[key]


def test_every_metric_has_a_unit_and_a_readable_definition(db: None) -> None:
    metrics = catalog()
    assert set(EXPECTED) | {"forecast_accuracy"} <= set(metrics)
    for metric in metrics.values():
        assert metric.unit and len(metric.definition) > 40


def test_forecast_accuracy_says_it_has_no_data_until_forecasts_exist(cast: Cast) -> None:
    m = measure("forecast_accuracy", [cast.alice.pk], SPAN)
    assert (m.value, m.sample, m.note) == (None, 0, "No data until forecasts exist.")


def test_a_quarter_without_activity_has_no_rate_rather_than_zero(cast: Cast) -> None:
    m = measure("debrief_completion", [cast.carol.pk], SPAN)
    assert (m.value, m.sample) == (None, 0)


def test_periods_parse_and_step_back_across_years() -> None:
    q = Quarter.parse("2024-q1")
    assert (q.start.isoformat(), q.end.isoformat()) == ("2024-01-01", "2024-03-31")
    assert q.previous().label == "2023-Q4"
    assert [d.isoformat() for d in q.month_ends()] == ["2024-01-31", "2024-02-29", "2024-03-31"]
    with pytest.raises(ValidationError):
        Quarter.parse("2024-Q5")


def test_scorecard_shows_goal_with_last_period_median_and_milestones(cast: Cast) -> None:
    scorecard_data.build(cast)
    make_goal(cast.alice, metric="demos_delivered", target=Decimal("3"), weight=Decimal("100"))
    card = scorecard(person=cast.alice, quarter=Q2, with_catalog=False)
    (goal,) = card.goals
    assert (goal.figure.value, goal.figure.sample) == (1.0, 1)
    assert (goal.figure.last_period, goal.figure.last_period_sample) == (0.0, 0)
    # alice is North's only SE, so the median is hers over one person.
    assert (goal.figure.team_median, goal.figure.team_median_of) == (1.0, 1)
    assert goal.attainment == 33.3
    # Straight line 1, 2, 3 demos; the demo was on 10 April.
    assert [(m.target, m.value, m.met) for m in goal.milestones] == [
        (1.0, 1.0, True),
        (2.0, 1.0, False),
        (3.0, 1.0, False),
    ]
    assert [p.period for p in goal.trend] == ["2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]


def test_payout_applies_threshold_cap_and_what_if(cast: Cast) -> None:
    scorecard_data.build(cast)
    BonusPlan.objects.create(owner=cast.alice, year=2024, quarter=2, target_bonus=Decimal("10000"))
    demos = make_goal(
        cast.alice, metric="demos_delivered", target=Decimal("2"), weight=Decimal("60")
    )
    make_goal(cast.alice, metric="debrief_completion", target=Decimal("25"), weight=Decimal("40"))
    result = payout(person=cast.alice, quarter=Q2)
    # Demos: 1 of 2 = 50 % (at the threshold) -> 10,000 x 0.6 x 0.5 = 3,000.
    # Debriefs: 33.3 / 25 = 133.2 % -> 10,000 x 0.4 x 1.332 = 5,328.
    assert [line.amount for line in result.lines] == [Decimal("3000.00"), Decimal("5328.00")]
    assert result.total == Decimal("8328.00")
    # What if the demos goal reached 200 %: capped at 150 % -> 9,000.
    what_if = payout(person=cast.alice, quarter=Q2, what_if={demos.pk: Decimal("200")})
    assert what_if.lines[0].counted == Decimal("150")
    assert what_if.total == Decimal("14328.00") and what_if.what_if
    # Below the threshold a goal pays nothing.
    low = payout(person=cast.alice, quarter=Q2, what_if={demos.pk: Decimal("49.9")})
    assert low.lines[0].amount == Decimal("0.00")


def test_lints_fire_on_a_crafted_goal_set(cast: Cast) -> None:
    scorecard_data.build(cast)
    goals = [make_goal(cast.alice, weight=Decimal("10")) for _ in range(12)]
    goals.append(
        make_goal(
            cast.alice,
            pillar=Pillar.PROCESS,
            why="",
            title="Tidy CRM",
            metric="feature_requests",
            weight=Decimal("5"),
            target=Decimal("1"),
        )
    )
    goals.append(
        make_goal(
            cast.alice,
            pillar=Pillar.CUSTOMER,
            title="Happy customers",
            metric="forecast_accuracy",
            weight=Decimal("5"),
        )
    )
    codes = [
        (lint.code, lint.goal_id)
        for lint in lint_goals(goals=goals, people=[cast.alice.pk], quarter=Q2)
    ]
    assert ("too_many_goals", None) in codes
    assert ("weights_not_100", None) in codes  # 120 + 5 + 5 = 130
    assert ("business_heavy", None) in codes  # 120 of 130 = 92 %
    assert ("no_why", goals[12].pk) in codes
    assert ("metric_no_data", goals[13].pk) in codes
    assert ("no_why", goals[0].pk) not in codes


def test_a_balanced_goal_set_has_no_lints(cast: Cast) -> None:
    scorecard_data.build(cast)
    goals = [
        make_goal(
            cast.alice,
            pillar=Pillar.BUSINESS,
            metric="demos_delivered",
            target=Decimal("1"),
            weight=Decimal("40"),
        ),
        make_goal(
            cast.alice,
            pillar=Pillar.PROCESS,
            metric="debrief_completion",
            target=Decimal("40"),
            weight=Decimal("30"),
        ),
        make_goal(
            cast.alice,
            pillar=Pillar.ENABLEMENT,
            metric="collateral_published",
            target=Decimal("2"),
            weight=Decimal("30"),
        ),
    ]
    assert lint_goals(goals=goals, people=[cast.alice.pk], quarter=Q2) == []


def test_a_target_far_above_the_persons_history_is_called_not_achievable(cast: Cast) -> None:
    scorecard_data.build(cast)
    # Q3 2024 looks back on Q2 where alice delivered 1 demo; 5 is more than 1.5 x 1.
    check = services.save_goal(
        actor=cast.dave,
        fields={
            "owner": cast.alice,
            "year": 2024,
            "quarter": 3,
            "pillar": "business",
            "title": "Five demos",
            "metric": "demos_delivered",
            "target": Decimal("5"),
            "weight": Decimal("50"),
            "why": "Pipeline",
        },
    )
    assert [w.code for w in check.warnings] == ["not_achievable"]
    assert "best of the last 1 quarter(s) with data (1)" in check.warnings[0].message


def test_saving_a_goal_without_a_catalog_metric_is_refused(cast: Cast) -> None:
    fields = {
        "owner": cast.alice,
        "year": 2024,
        "quarter": 3,
        "pillar": "business",
        "title": "Know the product",
        "metric": "",
        "target": Decimal("1"),
        "weight": Decimal("10"),
    }
    with pytest.raises(ValidationError) as err:
        services.save_goal(actor=cast.dave, fields=fields)
    assert "correlated result" in str(err.value)
    with pytest.raises(ValidationError):
        services.save_goal(actor=cast.dave, fields={**fields, "metric": "vibes"})
    assert not Goal.objects.exists()


def test_only_the_manager_or_the_person_sets_goals(cast: Cast) -> None:
    from presales.core.access import PermissionDenied

    fields = {
        "owner": cast.alice,
        "year": 2024,
        "quarter": 3,
        "pillar": "business",
        "title": "Demos",
        "metric": "demos_delivered",
        "target": Decimal("1"),
        "weight": Decimal("10"),
        "why": "x",
    }
    services.save_goal(actor=cast.alice, fields=fields)
    with pytest.raises(PermissionDenied):
        services.save_goal(actor=cast.carol, fields=fields)
    with pytest.raises(PermissionDenied):
        services.save_goal(actor=cast.erin, fields=fields)


def test_declared_metrics_count_and_rate_from_allowed_conditions(cast: Cast) -> None:
    scorecard_data.build(cast)
    services.save_custom_metric(
        actor=cast.root,
        fields={
            "key": "hands-on",
            "name": "Hands-on sessions",
            "unit": "count",
            "definition": "Demos and POCs held",
            "source": "activities",
            "aggregate": "count",
        },
        conditions=[{"field": "kind", "lookup": "in", "value": "demo, poc"}],
    )
    services.save_custom_metric(
        actor=cast.root,
        fields={
            "key": "closed-won-share",
            "name": "Won share",
            "unit": "%",
            "definition": "Won of deals closing in the period",
            "source": "opportunities",
            "aggregate": "rate",
        },
        conditions=[{"part": "numerator", "field": "stage", "lookup": "exact", "value": "won"}],
    )
    services.save_custom_metric(
        actor=cast.root,
        fields={
            "key": "minutes-demo",
            "name": "Demo minutes",
            "unit": "minutes",
            "definition": "Minutes of demos held",
            "source": "activities",
            "aggregate": "sum",
            "value_field": "minutes",
        },
        conditions=[{"field": "kind", "lookup": "exact", "value": "demo"}],
    )
    hands_on = measure("hands-on", [cast.alice.pk], SPAN)
    assert (hands_on.value, hands_on.sample) == (2.0, 2)  # the demo and the POC
    won = measure("closed-won-share", [cast.alice.pk], SPAN)
    assert (won.value, won.sample) == (66.7, 3)  # D1 and D3 of D1, D2, D3
    assert measure("minutes-demo", [cast.alice.pk], SPAN).value == 60.0


@pytest.mark.parametrize(
    ("condition", "field"),
    [
        ({"field": "owner__password", "lookup": "exact", "value": "x"}, "field"),
        ({"field": "kind", "lookup": "regex", "value": ".*"}, "lookup"),
        ({"field": "kind", "lookup": "exact", "value": "party"}, "value"),
        ({"field": "customer_facing", "lookup": "exact", "value": "maybe"}, "value"),
    ],
)
def test_declared_metric_conditions_outside_the_allow_list_are_refused(
    cast: Cast, condition: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as err:
        services.save_custom_metric(
            actor=cast.root,
            fields={"key": "bad", "name": "Bad", "definition": "d", "source": "activities"},
            conditions=[condition],
        )
    assert field in err.value.message_dict
    assert not CustomMetric.objects.exists()
