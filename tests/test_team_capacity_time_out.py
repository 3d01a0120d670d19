"""Approved time out of the field counts in capacity, computed by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from presales.people.models import Role
from presales.team.capacity import State, capacity_json, team_capacity, week_start
from presales.team.models import CapacityPolicy, TimeOutOfField
from tests.conftest import Cast, make_user

pytestmark = pytest.mark.django_db


def _away(user: object, first: int, last: int, hours: int, status: str) -> None:
    monday = week_start(timezone.localdate())
    TimeOutOfField.objects.create(
        user=user,
        kind=TimeOutOfField.Kind.TRAINING,
        title="Kubernetes training",
        starts_on=monday + timedelta(days=first),
        ends_on=monday + timedelta(days=last),
        hours=hours,
        status=status,
    )


def test_approved_time_out_counts_in_the_load_the_heat_map_and_the_weeks_ahead(
    cast: Cast,
) -> None:
    sam = make_user("sam", Role.SE, team=cast.north)
    CapacityPolicy.objects.create(
        team=cast.north, stretched_hours=5, capacity_hours=30, stretched_deals=3, capacity_deals=5
    )
    # Monday to Wednesday of last week: 24 h, all in that week.
    _away(cast.alice, -7, -5, 24, TimeOutOfField.Status.APPROVED)
    # Thursday next week to the Monday after: 12 h over Thursday, Friday and Monday.
    _away(cast.alice, 10, 14, 12, TimeOutOfField.Status.APPROVED)
    # Waiting, declined or another SE's: none of Alice's load.
    _away(cast.alice, -14, -14, 8, TimeOutOfField.Status.REQUESTED)
    _away(cast.alice, -21, -21, 8, TimeOutOfField.Status.DECLINED)
    _away(sam, 1, 1, 6, TimeOutOfField.Status.APPROVED)

    report = team_capacity(team=cast.north)
    alice, sams = report.rows
    assert alice.figures["time_out_hours"].value == 24.0
    assert alice.figures["hours_per_week"].value == 6.0  # 24 h over four weeks
    assert alice.past_weeks == [0.0, 0.0, 0.0, 24.0]
    assert alice.next_weeks == [0.0, 8.0, 4.0, 0.0]
    assert alice.figures["booked_next_four_weeks"].value == 12.0
    # Time out is load, not recorded work: the customer-facing share has nothing to divide.
    assert alice.figures["customer_facing_share"].value is None
    assert alice.state == State.STRETCHED  # 6 h a week, stretched from 5
    assert report.heat(alice.past_weeks[3]) == State.STRETCHED  # 24 h that week: from 5, below 30
    assert sams.next_weeks == [6.0, 0.0, 0.0, 0.0]  # this week, still ahead
    assert sams.figures["time_out_hours"].value == 0.0
    assert capacity_json(report)["ses"][0]["time_out_hours"] == {
        "value": 24.0,
        "unit": "hours",
        "reference": 12.0,
    }
