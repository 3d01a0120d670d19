"""Qualification: the 4½ score, frameworks as data, stage gates, stakeholders, business issues."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from presales.core.access import PermissionDenied
from presales.deals.models import Stage, StageChange
from presales.deals.services import update_opportunity
from presales.qualification import services
from presales.qualification.models import Framework, GateOverride
from tests.conftest import (
    Cast,
    criterion,
    make_account,
    make_activity,
    make_contact,
    make_opportunity,
)
from tests.test_api import bearer, call


def evidence(cast: Cast, deal: object, key: str, supports: bool = True, text: str = "seen") -> None:
    services.record_evidence(
        actor=cast.alice,
        opportunity=deal,  # type: ignore[arg-type]
        criterion=criterion(key),
        text=text,
        supports=supports,
    )


def test_the_four_and_a_half_score_counts_the_project_as_a_half(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north))
    evidence(cast, deal, "knows-what-buying")
    evidence(cast, deal, "budget")
    evidence(cast, deal, "identified-project")
    evidence(cast, deal, "access-to-buyer", supports=False, text="Only met the IT manager")
    result = services.assess(deal)
    assert result.framework.slug == "four-and-a-half"
    assert (result.score, result.total) == (Decimal("2.5"), Decimal("4.5"))
    assert result.label == "2½ of 4½"
    assert result.percent == 56  # 2.5 / 4.5 = 55.6 %
    assert [c.key for c in result.missing] == ["access-to-buyer", "date-motivation"]
    states = {s.criterion.key: s.state for s in result.criteria}
    assert states["access-to-buyer"] == "against" and states["date-motivation"] == "missing"


def test_the_latest_evidence_decides_and_the_history_is_kept(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north))
    evidence(cast, deal, "budget", text="Budget approved in March")
    evidence(cast, deal, "budget", supports=False, text="Budget frozen by the CFO")
    status = next(s for s in services.assess(deal).criteria if s.criterion.key == "budget")
    assert not status.met
    assert status.evidence is not None and status.evidence.text == "Budget frozen by the CFO"
    assert status.evidence.recorded_by == cast.alice
    assert len(status.history) == 2


def test_evidence_needs_text_and_write_access(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north))
    with pytest.raises(ValidationError):
        evidence(cast, deal, "budget", text="   ")
    with pytest.raises(PermissionDenied):
        services.record_evidence(
            actor=cast.paula, opportunity=deal, criterion=criterion("budget"), text="x"
        )


@pytest.fixture
def gated(cast: Cast) -> None:
    """Team North chose "4½ things", which turns its stage gates on."""
    shipped = Framework.objects.get(slug="four-and-a-half")
    services.choose_framework(actor=cast.dave, team=cast.north, framework=shipped)


def test_a_team_that_never_chose_a_framework_is_scored_but_not_gated(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), stage=Stage.DEMO)
    update_opportunity(actor=cast.alice, opportunity=deal, changes={"stage": Stage.WON})
    assert services.assess(deal).label == "0 of 4½"
    assert not GateOverride.objects.exists()


def test_a_step_past_a_gate_with_missing_criteria_is_refused_then_recorded_when_confirmed(
    cast: Cast, gated: None
) -> None:
    deal = make_opportunity(make_account(cast.north), stage=Stage.DEMO)
    evidence(cast, deal, "knows-what-buying")
    with pytest.raises(ValidationError) as refused:
        update_opportunity(actor=cast.alice, opportunity=deal, changes={"stage": Stage.PROPOSAL})
    assert "confirm_gate" in refused.value.message_dict
    deal.refresh_from_db()
    assert deal.stage == Stage.DEMO
    assert not StageChange.objects.filter(opportunity=deal).exists()

    update_opportunity(
        actor=cast.alice,
        opportunity=deal,
        changes={"stage": Stage.PROPOSAL},
        confirm_gate=True,
    )
    deal.refresh_from_db()
    assert deal.stage == Stage.PROPOSAL
    override = GateOverride.objects.get(opportunity=deal)
    # Proposal gates buyer and budget; the ½ (project) is gated earlier, at POC.
    assert override.missing == [
        "We have access to the buyer",
        "They have the budget",
        "An identified project exists where our product plugs in",
    ]
    assert (override.from_stage, override.to_stage, override.confirmed_by) == (
        Stage.DEMO,
        Stage.PROPOSAL,
        cast.alice,
    )
    assert StageChange.objects.filter(opportunity=deal, to_stage=Stage.PROPOSAL).count() == 1


def test_moving_back_or_to_lost_or_with_the_evidence_is_never_gated(
    cast: Cast, gated: None
) -> None:
    deal = make_opportunity(make_account(cast.north), stage=Stage.NEGOTIATION)
    update_opportunity(actor=cast.alice, opportunity=deal, changes={"stage": Stage.DEMO})
    update_opportunity(actor=cast.alice, opportunity=deal, changes={"stage": Stage.LOST})
    other = make_opportunity(make_account(cast.north), stage=Stage.DEMO)
    for key in ("knows-what-buying", "access-to-buyer", "budget", "identified-project"):
        evidence(cast, other, key)
    update_opportunity(actor=cast.alice, opportunity=other, changes={"stage": Stage.PROPOSAL})
    assert not GateOverride.objects.exists()


def test_the_api_answers_a_gated_move_with_422_and_accepts_a_confirmed_one(
    cast: Cast, gated: None
) -> None:
    deal = make_opportunity(make_account(cast.north), stage=Stage.DISCOVERY)
    auth = bearer(cast.alice)
    refused = call("patch", f"/api/opportunities/{deal.pk}", auth, {"stage": "poc"})
    assert refused.status_code == 422
    field = refused.json()["error"]["fields"][0]
    assert field["field"] == "confirm_gate"
    assert "An identified project exists" in field["message"]
    done = call(
        "patch", f"/api/opportunities/{deal.pk}", auth, {"stage": "poc", "confirm_gate": True}
    )
    assert done.status_code == 200 and done.json()["stage"] == "poc"
    overrides = call("get", f"/api/opportunities/{deal.pk}/gate-overrides", auth).json()
    assert [o["missing"] for o in overrides] == [
        ["An identified project exists where our product plugs in"]
    ]


def test_the_api_records_evidence_and_returns_the_new_score(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north))
    auth = bearer(cast.alice)
    body = {"criterion_id": criterion("budget").pk, "text": "PO number 4711 issued"}
    response = call("post", f"/api/opportunities/{deal.pk}/evidence", auth, body)
    assert response.status_code == 201
    assert response.json()["label"] == "1 of 4½"
    wrong = {"criterion_id": criterion("metrics", "meddicc").pk, "text": "x"}
    answer = call("post", f"/api/opportunities/{deal.pk}/evidence", auth, wrong)
    assert answer.status_code == 422
    assert answer.json()["error"]["fields"][0]["field"] == "criterion_id"
    hidden = make_opportunity(make_account(cast.south))
    assert call("get", f"/api/opportunities/{hidden.pk}/qualification", auth).status_code == 404


def test_a_manager_picks_meddicc_for_the_team_and_the_score_follows(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north))
    meddicc = Framework.objects.get(slug="meddicc")
    with pytest.raises(PermissionDenied):
        services.choose_framework(actor=cast.alice, team=cast.north, framework=meddicc)
    services.choose_framework(actor=cast.dave, team=cast.north, framework=meddicc)
    services.record_evidence(
        actor=cast.alice, opportunity=deal, criterion=criterion("champion", "meddicc"), text="Ann"
    )
    result = services.assess(deal)
    assert (result.framework.name, result.score, result.total) == (
        "MEDDICC",
        Decimal(1),
        Decimal(7),
    )
    refused = call(
        "put", f"/api/teams/{cast.north.pk}/framework", bearer(cast.alice), {"framework_id": 1}
    )
    assert refused.status_code == 403


def test_a_team_copy_is_editable_and_leaves_the_shipped_framework_alone(cast: Cast) -> None:
    shipped = Framework.objects.get(slug="four-and-a-half")
    copy = services.copy_framework(actor=cast.dave, framework=shipped, team=cast.north)
    budget = copy.criteria.get(key="budget")
    services.update_criterion(
        actor=cast.dave, criterion=budget, changes={"weight": Decimal(2), "required_from_stage": ""}
    )
    services.add_criterion(
        actor=cast.dave, framework=copy, fields={"name": "Security review passed", "weight": "1"}
    )
    assert copy.total_weight == Decimal("6.5")
    assert shipped.total_weight == Decimal("4.5")
    with pytest.raises(PermissionDenied):
        services.update_criterion(actor=cast.dave, criterion=criterion("budget"), changes={})
    with pytest.raises(PermissionDenied):
        services.update_criterion(actor=cast.alice, criterion=budget, changes={})


def test_the_stakeholder_map_warns_about_the_buyer_and_a_silent_champion(cast: Cast) -> None:
    account = make_account(cast.north)
    deal = make_opportunity(account)
    make_contact(account, "Buyer", first_name="Bea", deal_role="economic_buyer")
    champion = make_contact(account, "Champ", first_name="Cy", deal_role="champion", title="IT")
    now = timezone.now()
    met = make_activity(opportunity=deal, starts_at=now - timedelta(days=40), status="held")
    met.contacts.add(champion)
    result = services.stakeholder_map(deal, now=now)
    assert result.warnings == [
        "No access to the economic buyer: Bea Buyer has not been in a meeting.",
        "Champion Cy Champ silent for 40 days.",
    ]
    row = next(r for r in result.rows if r.contact == champion)
    assert row.last_touch == met.starts_at and row.role_label == "Champion"
    services.set_stakeholder(
        actor=cast.alice,
        opportunity=deal,
        contact_id=champion.pk,
        sentiment="opposed",
        deal_role="technical_decision_maker",
    )
    again = services.stakeholder_map(deal, now=now)
    assert "No champion identified." in again.warnings
    assert "Cy Champ (Technical decision maker) is opposed." in again.warnings


def test_a_business_issue_is_confirmed_only_once_paraphrased(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north))
    auth = bearer(cast.alice)
    made = call(
        "post",
        f"/api/opportunities/{deal.pk}/business-issues",
        auth,
        {"customer_words": "Our nightly batch misses the 6am window"},
    ).json()
    refused = call("post", f"/api/business-issues/{made['id']}/confirm", auth, {})
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"][0]["field"] == "paraphrase"
    call("patch", f"/api/business-issues/{made['id']}", auth, {"paraphrase": "Batch too slow"})
    done = call(
        "post", f"/api/business-issues/{made['id']}/confirm", auth, {"confirmed_on": "2026-03-02"}
    ).json()
    assert (done["confirmed"], done["confirmed_on"]) == (True, "2026-03-02")


def test_the_workspace_page_asks_to_confirm_a_gated_stage_change(cast: Cast, gated: None) -> None:
    from django.test import Client

    deal = make_opportunity(make_account(cast.north), stage=Stage.DEMO)
    web = Client()
    web.force_login(cast.alice)
    page = web.get(f"/opportunities/{deal.pk}/workspace/")
    assert page.status_code == 200 and "0 of 4½" in page.content.decode()
    asked = web.post(f"/opportunities/{deal.pk}/workspace/stage/", {"stage": "proposal"})
    assert asked.status_code == 422
    assert "Move anyway and record the override" in asked.content.decode()
    done = web.post(
        f"/opportunities/{deal.pk}/workspace/stage/", {"stage": "proposal", "confirm_gate": "1"}
    )
    assert done.status_code == 302
    deal.refresh_from_db()
    assert deal.stage == Stage.PROPOSAL and GateOverride.objects.filter(opportunity=deal).exists()
