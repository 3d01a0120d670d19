"""Skills: the matrix with self and manager levels side by side, one SE's evidence from the
records and from the data, demand against supply; figures computed by hand on a fixture."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from presales.activities.models import Activity, Kind
from presales.deals.models import Stage, StageChange
from presales.people.models import Role
from presales.team.models import SERequest, Skill, SkillEvidence, SkillLevel
from presales.team.skills import demand_and_supply, matrix_json, person_skills, team_matrix
from tests.conftest import (
    PASSWORD,
    Cast,
    make_account,
    make_activity,
    make_opportunity,
    make_product,
    make_user,
)

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _skills() -> tuple[Skill, Skill, Skill]:
    return (
        Skill.objects.create(name="Kubernetes", category=Skill.Category.DOMAIN),
        Skill.objects.create(name="GTX Pro", category=Skill.Category.PRODUCT),
        Skill.objects.create(name="Finance", category=Skill.Category.INDUSTRY),
    )


def test_the_matrix_puts_self_and_manager_side_by_side(cast: Cast) -> None:
    kube, gtx, _ = _skills()
    sam = make_user("sam", Role.SE, team=cast.north)
    SkillLevel.objects.create(user=cast.alice, skill=kube, self_level=4, manager_level=2)
    SkillLevel.objects.create(user=cast.alice, skill=gtx, self_level=2, manager_level=3)
    SkillLevel.objects.create(user=sam, skill=kube, self_level=3)
    SkillLevel.objects.create(user=cast.carol, skill=gtx, self_level=4)  # South: not shown

    matrix = team_matrix(cast.north)
    assert matrix.people == [cast.alice, sam]
    assert [s.name for s in matrix.skills] == ["GTX Pro", "Kubernetes"]  # product, then domain
    alice_row = matrix.row(cast.alice)
    assert alice_row[1] is not None and alice_row[1].apart  # 4 against 2
    assert alice_row[0] is not None and not alice_row[0].apart  # 2 against 3
    assert matrix.row(sam)[0] is None
    data = matrix_json(matrix)
    assert data["people"][1]["levels"] == {
        "Kubernetes": {"self": 3, "manager": None, "apart": False}
    }
    assert [s.name for s in team_matrix(cast.north, Skill.Category.DOMAIN).skills] == ["Kubernetes"]

    page = _client("dave").get(f"/team/skills/?team={cast.north.pk}").content.decode()
    assert "4 / 2" in page and "3 / –" in page and "Carol" not in page


def test_evidence_from_records_and_from_the_data(cast: Cast) -> None:
    _, gtx, finance = _skills()
    product = make_product("GTX Pro")
    SkillLevel.objects.create(user=cast.alice, skill=gtx, self_level=3)
    SkillLevel.objects.create(user=cast.alice, skill=finance, manager_level=2)
    bank = make_account(cast.north, "Bank", sector="Finance")
    open_deal = make_opportunity(bank, stage=Stage.DEMO)
    open_deal.products.add(product)
    won = make_opportunity(bank, stage=Stage.WON)
    won.products.add(product)
    won.sales_engineers.add(cast.alice)
    StageChange.objects.create(
        opportunity=won, from_stage=Stage.DEMO, to_stage=Stage.POC, changed_at=timezone.now()
    )
    won_no_poc = make_opportunity(bank, stage=Stage.WON)
    won_no_poc.products.add(product)
    won_no_poc.sales_engineers.add(cast.alice)
    past = timezone.now() - timedelta(days=3)
    for status in (Activity.Status.HELD, Activity.Status.HELD, Activity.Status.CANCELLED):
        make_activity(
            account=bank,
            opportunity=open_deal,
            participants=[cast.alice],
            kind=Kind.DEMO,
            starts_at=past,
            status=status,
        )
    SkillEvidence.objects.create(
        user=cast.alice,
        skill=gtx,
        kind=SkillEvidence.Kind.CERTIFICATION,
        title="GTX Certified Engineer",
        earned_on=timezone.localdate() - timedelta(days=400),
        expires_on=timezone.localdate() - timedelta(days=35),
    )

    rows = {r.skill.name: r for r in person_skills(cast.alice)}
    assert rows["GTX Pro"].demos_held == 2  # the cancelled demo is no evidence
    assert rows["GTX Pro"].pocs_won == 1  # the other won deal had no POC
    assert rows["Finance"].deals_won == 2  # both won deals are on a Finance account
    assert rows["GTX Pro"].recorded[0].expired

    page = _client("alice").get(f"/team/skills/people/{cast.alice.pk}/").content.decode()
    assert "2 demos held" in page and "1 POC won" in page and "expired" in page
    assert "2 deals won in the industry" in page


def test_demand_against_supply_by_hand(cast: Cast) -> None:
    kube, gtx, _ = _skills()
    sam = make_user("sam", Role.SE, team=cast.north)
    SkillLevel.objects.create(user=cast.alice, skill=kube, self_level=4, manager_level=2)
    SkillLevel.objects.create(user=sam, skill=kube, self_level=3)
    SkillLevel.objects.create(user=sam, skill=gtx, self_level=2, manager_level=4)
    today = timezone.localdate()
    for status in (SERequest.Status.OPEN, SERequest.Status.ACCEPTED, SERequest.Status.FULFILLED):
        req = SERequest.objects.create(
            kind="poc",
            summary="POC on the cluster",
            team=cast.north,
            starts_on=today,
            ends_on=today,
            status=status,
        )
        req.skills.add(kube)
    bank = make_account(cast.north, "Bank", sector="Finance")
    product = make_product("GTX Pro")
    for stage in (Stage.DEMO, Stage.POC, Stage.LOST):
        make_opportunity(bank, stage=stage).products.add(product)

    rows = {r.skill.name: r for r in demand_and_supply(cast.north)}
    # Kubernetes: two open requests (the fulfilled one is done); Sam proficient by his own
    # word (no manager level), Alice only "some" since her manager says 2.
    assert (rows["Kubernetes"].requests, rows["Kubernetes"].deals) == (2, 0)
    assert rows["Kubernetes"].supply == [sam] and rows["Kubernetes"].some == [cast.alice]
    # GTX Pro: two open deals with the product; Sam is 4 by his manager.
    assert (rows["GTX Pro"].deals, rows["GTX Pro"].supply) == (2, [sam])
    # Finance: the two open deals are on a Finance account and nobody has the skill.
    assert rows["Finance"].deals == 2 and rows["Finance"].short
    assert next(iter(rows)) == "Finance"  # shortages first
    page = _client("alice").get(f"/team/skills/demand/?team={cast.north.pk}").content.decode()
    assert "nobody proficient" in page


def test_self_and_manager_assess_on_the_page_and_bad_input_is_refused(cast: Cast) -> None:
    kube, gtx, _ = _skills()
    url = f"/team/skills/people/{cast.alice.pk}/assess/"
    alice = _client("alice")
    done = alice.post(url, {"add_skill": str(kube.pk), "add_level": "3"})
    assert done.status_code == 302
    assert SkillLevel.objects.get(user=cast.alice, skill=kube).self_level == 3
    bad = alice.post(url, {f"level-{kube.pk}": "9", "add_skill": str(gtx.pk), "add_level": "2"})
    assert bad.status_code == 422 and "1 (aware) to 4 (expert)" in bad.content.decode()
    assert not SkillLevel.objects.filter(user=cast.alice, skill=gtx).exists()  # nothing saved
    # Alice cannot set her manager's column; Bob (a rep of her team) cannot either.
    assert alice.post(url, {"as": "manager", f"level-{kube.pk}": "4"}).status_code == 403
    assert _client("bob").post(url, {"as": "manager", f"level-{kube.pk}": "4"}).status_code == 403
    dave = _client("dave")  # Alice's manager
    assert dave.post(url, {"as": "manager", f"level-{kube.pk}": "2"}).status_code == 302
    row = SkillLevel.objects.get(user=cast.alice, skill=kube)
    assert (row.self_level, row.manager_level) == (3, 2)
    # Carol, of another team, does not see Alice's skills at all.
    assert _client("carol").get(f"/team/skills/people/{cast.alice.pk}/").status_code == 404


def test_evidence_in_the_future_is_refused_and_what_was_typed_is_kept(cast: Cast) -> None:
    kube, _, _ = _skills()
    url = f"/team/skills/people/{cast.alice.pk}/evidence/"
    alice = _client("alice")
    tomorrow = str(timezone.localdate() + timedelta(days=1))
    values = {"skill": kube.pk, "kind": "training", "title": "CKA bootcamp", "earned_on": tomorrow}
    bad = alice.post(url, values)
    assert bad.status_code == 422
    assert "in the future" in bad.content.decode() and "CKA bootcamp" in bad.content.decode()
    values["earned_on"] = str(timezone.localdate() - timedelta(days=10))
    assert alice.post(url, values).status_code == 302
    assert SkillEvidence.objects.get(user=cast.alice).title == "CKA bootcamp"
    assert SkillLevel.objects.filter(user=cast.alice, skill=kube).exists()
