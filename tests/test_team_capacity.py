"""Capacity from recorded work, computed by hand on a small fixture."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from presales.activities.models import Activity, Kind
from presales.deals.models import Stage
from presales.people.models import Role
from presales.team.capacity import State, capacity_json, team_capacity, week_start
from presales.team.models import CapacityPolicy, SERequest
from tests.conftest import Cast, make_account, make_activity, make_opportunity, make_user

pytestmark = pytest.mark.django_db


def _at(day_offset: int, hour: int = 10) -> datetime:
    monday = week_start(timezone.localdate())
    return datetime.combine(
        monday + timedelta(days=day_offset), time(hour), tzinfo=timezone.get_current_timezone()
    )


def _alices_month(cast: Cast) -> None:
    account = make_account(cast.north, "Northwind")
    who = [cast.alice]
    make_activity(account=account, participants=who, starts_at=_at(-7), minutes=120)
    make_activity(account=account, participants=who, starts_at=_at(-14), minutes=90, kind=Kind.DEMO)
    make_activity(
        account=account,
        participants=who,
        starts_at=_at(-21),
        minutes=60,
        kind=Kind.INTERNAL,
        customer_facing=False,
        subject="Prepare the demo script",
    )
    make_activity(
        participants=who,
        starts_at=_at(-20),
        minutes=180,
        kind=Kind.INTERNAL,
        customer_facing=False,
        subject="Flight to Berlin",
    )
    make_activity(
        participants=who,
        starts_at=_at(-3),
        minutes=120,
        kind=Kind.OUT_OF_BAND,
        customer_facing=False,
        subject="Help support with the licence server",
    )
    # Not counted: cancelled, and before the four weeks.
    make_activity(
        account=account,
        participants=who,
        starts_at=_at(-10),
        minutes=300,
        status=Activity.Status.CANCELLED,
    )
    make_activity(account=account, participants=who, starts_at=_at(-56), minutes=240)
    # The calendar ahead: one hour next week.
    make_activity(account=account, participants=who, starts_at=_at(8), minutes=60)
    for stage in (Stage.POC, Stage.DISCOVERY, Stage.WON):
        make_opportunity(account, stage=stage).sales_engineers.add(cast.alice)
    SERequest.objects.create(
        kind="demo",
        summary="Demo for the CFO",
        account=account,
        team=cast.north,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        assignee=cast.alice,
        status=SERequest.Status.ACCEPTED,
    )


def test_one_ses_capacity_matches_the_hand_computation(cast: Cast) -> None:
    _alices_month(cast)
    sam = make_user("sam", Role.SE, team=cast.north)
    CapacityPolicy.objects.create(
        team=cast.north, stretched_hours=20, capacity_hours=30, stretched_deals=3, capacity_deals=5
    )
    report = team_capacity(team=cast.north)
    assert [r.user for r in report.rows] == [cast.alice, sam]  # bob is a rep, carol in South
    alice = report.rows[0].figures
    # 2 h meeting + 1.5 h demo + 1 h preparation + 3 h travel + 2 h out-of-band = 9.5 h
    assert alice["hours_per_week"].value == pytest.approx(9.5 / 4, abs=0.05)
    assert alice["customer_facing_hours"].value == 3.5
    assert alice["customer_facing_share"].value == pytest.approx(3.5 / 9.5, abs=0.001)
    assert (alice["customer_facing_share"].n, alice["customer_facing_share"].population) == (
        3.5,
        9.5,
    )
    assert alice["preparation_hours"].value == 1.0
    assert alice["travel_hours"].value == 3.0
    assert alice["out_of_band_hours"].value == 2.0
    assert alice["pocs_running"].value == 1
    assert alice["deals_supported"].value == 2  # the won deal is not open
    assert alice["requests_open"].value == 1
    assert report.rows[0].next_weeks == [0.0, 1.0, 0.0, 0.0]
    # 2 deals + 1 request reach the stretched threshold of 3; 2.4 h a week is far from 20.
    assert report.rows[0].state == State.STRETCHED
    assert report.rows[1].state == State.AVAILABLE
    # The reference is the team median: of Alice's 2.4 and Sam's 0.
    assert alice["hours_per_week"].reference == pytest.approx(1.2, abs=0.05)
    assert [r.user for r in report.next_in_line] == [sam, cast.alice]

    data = capacity_json(report)
    first = data["ses"][0]
    assert first["user"] == "alice" and first["state"] == "stretched"
    assert first["customer_facing_share"]["n"] == 3.5
    assert first["customer_facing_share"]["N"] == 9.5
    assert first["travel_hours"]["reference"] == 1.5
    assert "n" not in first["travel_hours"]


def test_capacity_takes_the_same_queries_for_two_or_twelve_ses(cast: Cast) -> None:
    _alices_month(cast)

    def count() -> int:
        with CaptureQueriesContext(connection) as seen:
            team_capacity(team=cast.north)
        return len(seen)

    few = count()
    for i in range(10):
        se = make_user(f"se{i}", Role.SE, team=cast.north)
        make_activity(participants=[se], starts_at=_at(-5), kind=Kind.DEMO)
        make_opportunity(make_account(cast.north), stage=Stage.POC).sales_engineers.add(se)
    assert count() == few


def test_a_policy_whose_capacity_is_below_stretched_is_refused(cast: Cast) -> None:
    from django.core.exceptions import ValidationError

    policy = CapacityPolicy(team=cast.north, stretched_hours=30, capacity_hours=20)
    with pytest.raises(ValidationError, match="above the stretched"):
        policy.full_clean()


def test_the_capacity_page_shows_the_hand_computed_row(cast: Cast) -> None:
    from django.test import Client

    from tests.conftest import PASSWORD

    _alices_month(cast)
    CapacityPolicy.objects.create(
        team=cast.north, stretched_hours=20, capacity_hours=30, stretched_deals=3, capacity_deals=5
    )
    client = Client()
    assert client.login(username="dave", password=PASSWORD)
    page = client.get(f"/team/capacity/?team={cast.north.pk}").content.decode()
    row = page[page.index(f'<tr id="se-{cast.alice.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-state="stretched"' in row
    # 2.4 h a week; 3.5 h customer-facing, 37% of 9.5 h; 1 h preparation, 3 h travel, 2 h OOB.
    assert "2.4 h" in row and "37% of 9.5 h" in row
    assert ">1.0 h<" in row and ">3.0 h<" in row and ">2.0 h<" in row
    assert "2 deals and requests open" not in row and "3 deals and requests open" in row
    heat = page[page.index('id="heat-map"') :]
    assert 'title="1.0 h booked"' in heat  # next week's hour on the calendar
