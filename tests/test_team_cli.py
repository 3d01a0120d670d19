"""``presales team skills|time-out|coverage``: tables by default, JSON with --json, exit 2 for
an unknown team."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from presales.cli import main
from presales.deals.models import Stage
from presales.people.models import Role
from presales.team.models import Skill, SkillLevel, TimeOutOfField
from tests.conftest import Cast, make_account, make_opportunity, make_user

pytestmark = pytest.mark.django_db


def test_skills_prints_levels_side_by_side_and_json(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    kube = Skill.objects.create(name="Kubernetes", category=Skill.Category.DOMAIN)
    SkillLevel.objects.create(user=cast.alice, skill=kube, self_level=4, manager_level=2)
    assert main(["team", "skills", "--team", "North"]) == 0
    shown = capsys.readouterr().out
    assert "Kubernetes" in shown and "4/2 !" in shown
    assert main(["team", "skills", "--team", "North", "--json"]) == 0
    (data,) = json.loads(capsys.readouterr().out)
    alice = next(p for p in data["people"] if p["user"] == "alice")
    assert alice["levels"]["Kubernetes"] == {"self": 4, "manager": 2, "apart": True}
    assert data["demand"]["team"] == "North"
    assert main(["team", "skills", "--team", "Nowhere"]) == 2


def test_time_out_lists_the_quarter_against_the_plan(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    today = timezone.localdate()
    TimeOutOfField.objects.create(
        user=cast.alice,
        kind=TimeOutOfField.Kind.TRAINING,
        title="CKA bootcamp",
        starts_on=today,
        ends_on=today + timedelta(days=1),
        hours=12,
        status=TimeOutOfField.Status.REQUESTED,
    )
    assert main(["team", "time-out", "--team", "North", "--json"]) == 0
    (data,) = json.loads(capsys.readouterr().out)
    alice = next(r for r in data["ses"] if r["user"] == "alice")
    assert (alice["waiting"], alice["spent"] + alice["ahead"]) == (12, 0)
    assert [e["title"] for e in data["entries"]] == ["CKA bootcamp"]
    assert main(["team", "time-out", "--team", "North"]) == 0
    shown = capsys.readouterr().out
    assert "CKA bootcamp" in shown and "12 h, waiting for" in shown


def test_coverage_names_the_late_deal_without_an_se(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    make_user("rita", Role.REP, team=cast.north)
    account = make_account(cast.north, "Initech")
    bare = make_opportunity(account, stage=Stage.PROPOSAL, owner=cast.bob, amount="900")
    covered = make_opportunity(account, stage=Stage.NEGOTIATION, owner=cast.bob)
    covered.sales_engineers.add(cast.alice)
    assert main(["team", "coverage", "--team", "North", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in data["late_stage_without_se"]] == [bare.pk]
    assert main(["team", "coverage", "--team", "North", "--user", "alice"]) == 0
    shown = capsys.readouterr().out
    assert "Late-stage deals with no SE (1)" in shown and bare.name in shown
    assert main(["team", "coverage", "--team", "Nowhere"]) == 2
