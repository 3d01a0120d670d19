"""The SE team through the API and the CLI: ask, assign, accept; capacity and out-of-band JSON."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from presales.activities.models import Kind
from presales.team.models import SERequest
from tests.conftest import Cast, make_account, make_activity, make_opportunity
from tests.test_api import bearer, call

pytestmark = pytest.mark.django_db


def test_a_request_is_asked_assigned_and_accepted_through_the_api(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), owner=cast.bob)
    day = str(timezone.localdate() + timedelta(days=2))
    body = {"kind": "poc", "summary": "POC for SSO", "starts_on": day, "ends_on": day}
    refused = call("post", "/api/requests", bearer(cast.bob), {**body, "ends_on": "2000-01-01"})
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"][0]["field"] in {"ends_on", "opportunity_id"}
    made = call("post", "/api/requests", bearer(cast.bob), {**body, "opportunity_id": deal.pk})
    assert made.status_code == 201 and made.json()["team_id"] == cast.north.pk
    pk = made.json()["id"]
    assert call("get", f"/api/requests/{pk}", bearer(cast.carol)).status_code == 404
    forbidden = call(
        "post", f"/api/requests/{pk}/assign", bearer(cast.bob), {"se_id": cast.alice.pk}
    )
    assert forbidden.status_code == 403
    assigned = call(
        "post", f"/api/requests/{pk}/assign", bearer(cast.dave), {"se_id": cast.alice.pk}
    )
    assert assigned.json()["assignee_id"] == cast.alice.pk
    accepted = call("post", f"/api/requests/{pk}/accept", bearer(cast.alice))
    assert accepted.json()["status"] == "accepted"
    listed = call("get", "/api/requests?mine=true", bearer(cast.alice)).json()
    assert [r["id"] for r in listed["items"]] == [pk]


def test_capacity_and_out_of_band_json_follow_the_contract(cast: Cast) -> None:
    make_activity(
        participants=[cast.alice],
        kind=Kind.OUT_OF_BAND,
        customer_facing=False,
        starts_at=timezone.now() - timedelta(days=2),
        minutes=90,
    )
    capacity = call("get", f"/api/team/capacity/{cast.north.pk}", bearer(cast.dave)).json()
    alice = capacity["ses"][0]
    assert alice["user"] == "alice" and alice["state"] == "available"
    assert alice["out_of_band_hours"]["value"] == 1.5
    assert alice["customer_facing_share"] == {
        "value": 0.0,
        "unit": "share",
        "n": 0.0,
        "N": 1.5,
        "reference": 0.0,
    }
    oob = call("get", f"/api/team/out-of-band/{cast.north.pk}", bearer(cast.dave)).json()
    assert oob["ses"][0]["hours"] == 1.5 and oob["ses"][0]["share"]["value"] == 1.0
    assert call("get", f"/api/team/capacity/{cast.south.pk}", bearer(cast.alice)).status_code == 404


def test_the_cli_lists_capacity_as_json_and_adds_a_request(cast: Cast, capsys: Any) -> None:
    from presales.cli import main

    deal = make_opportunity(make_account(cast.north), owner=cast.bob)
    day = str(timezone.localdate())
    assert main(["team", "capacity", "--team", "north", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["team"] == "North" and data[0]["ses"][0]["user"] == "alice"
    assert main(["team", "capacity", "--team", "Nowhere"]) == 2
    code = main(
        ["request", "add", "Demo for the board", "--kind", "demo", "--deal", str(deal.pk),
         "--from", day, "--user", "bob"]
    )  # fmt: skip
    assert code == 0
    assert SERequest.objects.get().requested_by == cast.bob
    assert main(["request", "list", "--user", "dave", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert listed[0]["summary"] == "Demo for the board" and listed[0]["team"] == "North"
    assert main(["team", "oob", "--since", "yesterday"]) == 2


def test_skills_time_out_and_coverage_through_the_api(cast: Cast) -> None:
    from presales.deals.models import Stage
    from presales.team.models import Skill, SkillLevel, TimeOutOfField

    kube = Skill.objects.create(name="Kubernetes", category=Skill.Category.DOMAIN)
    SkillLevel.objects.create(user=cast.alice, skill=kube, self_level=4, manager_level=2)
    today = timezone.localdate()
    TimeOutOfField.objects.create(
        user=cast.alice,
        kind="lab",
        title="Lab day",
        starts_on=today,
        ends_on=today,
        hours=6,
        status="requested",
    )
    make_opportunity(make_account(cast.north), stage=Stage.NEGOTIATION, name="Big one")

    skills = call("get", f"/api/team/skills/{cast.north.pk}", bearer(cast.dave)).json()
    assert skills["people"][0]["levels"]["Kubernetes"] == {"self": 4, "manager": 2, "apart": True}
    demand = call("get", f"/api/team/skills/{cast.north.pk}/demand", bearer(cast.alice)).json()
    assert demand["skills"] == [
        {
            "skill": "Kubernetes",
            "category": "domain",
            "requests": 0,
            "deals": 0,
            "demand": 0,
            "supply": [],
            "some": ["alice"],
            "short": False,
        }
    ]
    plan = call("get", f"/api/team/time-out/{cast.north.pk}", bearer(cast.alice)).json()
    assert plan["ses"][0]["waiting"] == 6 and plan["entries"][0]["title"] == "Lab day"
    assert call("get", f"/api/team/time-out/{cast.north.pk}", bearer(cast.carol)).status_code == 404
    coverage = call("get", "/api/team/coverage", bearer(cast.bob)).json()
    assert [d["name"] for d in coverage["late_stage_without_se"]] == ["Big one"]
    assert (
        call("get", "/api/team/coverage", bearer(cast.carol)).json()["late_stage_without_se"] == []
    )
