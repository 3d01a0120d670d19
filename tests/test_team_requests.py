"""Requests for SE help: routing, the ranking of candidates, and the way from ask to fulfilled;
out-of-band work by hand; managers find their people's out-of-band activities."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from presales.activities.models import Kind
from presales.core.access import PermissionDenied
from presales.deals.models import Stage
from presales.people.models import Role
from presales.team.assignment import rank_candidates
from presales.team.models import (
    CapacityPolicy,
    OutOfBandSource,
    Profile,
    RoutingRule,
    SERequest,
    Skill,
    SkillLevel,
)
from presales.team.outofband import out_of_band_json, team_out_of_band
from presales.team.requesting import (
    accept_request,
    assign_request,
    create_request,
    fulfil_request,
    service_levels,
)
from presales.team.services import log_out_of_band
from tests.conftest import PASSWORD, Cast, make_account, make_activity, make_opportunity, make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _ask(cast: Cast, deal: object, **extra: object) -> SERequest:
    values = {
        "kind": "demo",
        "summary": "Kubernetes demo for the platform team",
        "starts_on": TODAY() + timedelta(days=3),
        "ends_on": TODAY() + timedelta(days=4),
        "opportunity_id": deal.pk,  # type: ignore[attr-defined]
    }
    values.update(extra)
    return create_request(actor=cast.bob, **values)  # type: ignore[arg-type]


def test_the_ranking_puts_the_skilled_nearby_available_se_who_knows_the_account_first(
    cast: Cast,
) -> None:
    sam = make_user("sam", Role.SE, team=cast.north)
    tina = make_user("tina", Role.SE, team=cast.north)
    account = make_account(cast.north, "Northwind")
    deal = make_opportunity(account, owner=cast.bob)
    kube, german = (
        Skill.objects.create(name="Kubernetes", category="domain"),
        Skill.objects.create(name="German", category="language"),
    )
    SkillLevel.objects.create(user=cast.alice, skill=kube, self_level=2, manager_level=4)
    SkillLevel.objects.create(user=cast.alice, skill=german, self_level=3)
    SkillLevel.objects.create(user=sam, skill=kube, self_level=4, manager_level=2)
    SkillLevel.objects.create(user=tina, skill=kube, manager_level=4)
    SkillLevel.objects.create(user=tina, skill=german, manager_level=4)
    Profile.objects.create(user=cast.alice, time_zone="Europe/Paris")
    Profile.objects.create(user=sam, time_zone="America/Los_Angeles")
    Profile.objects.create(user=tina, time_zone="Europe/Berlin")
    for _ in range(2):
        make_activity(
            account=account, participants=[cast.alice], starts_at=timezone.now() - timedelta(7)
        )
    # Tina would match best on paper, but she is at capacity.
    CapacityPolicy.objects.create(
        team=cast.north, stretched_hours=20, capacity_hours=30, stretched_deals=2, capacity_deals=3
    )
    for _ in range(3):
        make_opportunity(make_account(cast.north), stage=Stage.POC).sales_engineers.add(tina)

    request = _ask(cast, deal, skills=["kubernetes", "German"], customer_time_zone="Europe/Berlin")
    ranked = rank_candidates(request=request)

    assert [c.user.username for c in ranked] == ["alice", "tina", "sam"]
    alice, tina_c, sam_c = ranked
    # Alice: skills (4 + 3) / 8, available, 0 h from Berlin, 2 meetings of 5.
    assert alice.score == pytest.approx(40 * 7 / 8 + 30 * 1 + 15 * 1 + 15 * 2 / 5, abs=0.1)
    assert alice.reasons[0] == "skills: Kubernetes 4/4, German 3/4"
    assert "knows the account: 2 meeting(s), 0 deal(s)" in alice.reasons
    assert tina_c.state == "at capacity" and tina_c.parts["load"] == 0
    assert sam_c.parts["skills"] == pytest.approx(2 / 8)  # the manager's 2 beats his own 4
    assert any("9 h from the customer" in r for r in sam_c.reasons)


def test_routing_rules_send_a_request_to_the_most_specific_team(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), owner=cast.bob)
    assert _ask(cast, deal).team == cast.north  # no rule: the deal's team
    RoutingRule.objects.create(region=None, kind="", team=cast.west)
    RoutingRule.objects.create(region=cast.north.region, kind="poc", team=cast.south)
    assert _ask(cast, deal, kind="poc").team == cast.south
    assert _ask(cast, deal, kind="demo").team == cast.west


def test_a_request_goes_from_ask_to_fulfilled_and_counts_on_time(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), owner=cast.bob)
    request = _ask(cast, deal, urgency="high")
    assert request.status == SERequest.Status.OPEN and request.requested_by == cast.bob
    with pytest.raises(PermissionDenied):
        assign_request(actor=cast.carol, request=request, se=cast.alice)
    with pytest.raises(ValidationError, match="not on North"):
        assign_request(actor=cast.dave, request=request, se=cast.carol)
    assign_request(actor=cast.dave, request=request, se=cast.alice)
    assert request.status == SERequest.Status.ASSIGNED and request.answered_on_time
    assert deal.sales_engineers.filter(pk=cast.alice.pk).exists()
    with pytest.raises(PermissionDenied):
        accept_request(actor=cast.carol, request=request)
    accept_request(actor=cast.alice, request=request)
    fulfil_request(actor=cast.alice, request=request)
    request.refresh_from_db()
    assert request.status == SERequest.Status.FULFILLED and request.fulfilled_on_time
    levels = service_levels(SERequest.objects.all())
    assert (levels["answered"].n, levels["answered"].population) == (1, 1)
    assert (levels["fulfilled"].n, levels["fulfilled"].population) == (1, 1)


def test_a_request_needs_a_deal_or_account_and_ordered_dates(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), owner=cast.bob)
    with pytest.raises(ValidationError, match="Name the deal"):
        _ask(cast, deal, opportunity_id=None)
    with pytest.raises(ValidationError, match="end before"):
        _ask(cast, deal, ends_on=TODAY() - timedelta(days=9))
    with pytest.raises(ValidationError, match="Unknown skill"):
        _ask(cast, deal, skills=["Juggling"])
    south_deal = make_opportunity(make_account(cast.south))
    with pytest.raises(ValidationError):  # bob cannot see South's deal
        _ask(cast, south_deal)
    assert SERequest.objects.count() == 0


def test_out_of_band_share_departments_and_repeats_match_the_hand_computation(
    cast: Cast,
) -> None:
    now = timezone.now()
    make_activity(
        account=make_account(cast.north), participants=[cast.alice], starts_at=now - timedelta(3)
    )  # 1 h customer-facing
    for days, minutes in ((2, 90), (9, 30)):
        log_out_of_band(
            actor=cast.alice,
            department="Support",
            problem="Reset the licence server for the EMEA trial",
            minutes=minutes,
            day=TODAY() - timedelta(days=days),
        )
    log_out_of_band(
        actor=cast.dave,
        se=cast.alice,
        department="Marketing",
        problem="Review the webinar slides",
        minutes=60,
        day=TODAY() - timedelta(days=4),
    )
    with pytest.raises(PermissionDenied):
        log_out_of_band(
            actor=cast.carol, se=cast.alice, department="X", problem="Y", minutes=5, day=TODAY()
        )
    with pytest.raises(ValidationError, match="which department"):
        log_out_of_band(actor=cast.alice, department=" ", problem="Y", minutes=5, day=TODAY())

    report = team_out_of_band(team=cast.north, since=TODAY() - timedelta(days=30))
    alice = report.rows[0]
    # 90 + 30 + 60 min out-of-band of 4 h recorded (with the 1 h meeting).
    assert (alice.hours, alice.recorded_hours, alice.requests) == (3.0, 4.0, 3)
    assert alice.share == pytest.approx(0.75)
    assert report.departments == [("Support", 2, 2.0), ("Marketing", 1, 1.0)]
    assert report.problems[0].count == 2
    assert "licence" in report.problems[0].label or "licence" in report.problems[0].examples[0]
    data = out_of_band_json(report)["ses"][0]
    assert data["user"] == "alice" and data["hours"] == 3.0 and data["requests"] == 3
    assert (data["share"]["n"], data["share"]["N"]) == (3.0, 4.0)
    assert OutOfBandSource.objects.count() == 3


def test_a_manager_filtering_activities_by_out_of_band_finds_their_peoples(cast: Cast) -> None:
    make_activity(
        participants=[cast.alice],
        kind=Kind.OUT_OF_BAND,
        customer_facing=False,
        subject="Pulled in by finance for the renewal export",
    )
    client = Client()
    client.login(username="dave", password=PASSWORD)
    page = client.get("/activities/", {"kind": "out_of_band"}).content.decode()
    assert "Pulled in by finance for the renewal export" in page
    client.login(username="carol", password=PASSWORD)
    page = client.get("/activities/", {"kind": "out_of_band"}).content.decode()
    assert "Pulled in by finance" not in page
