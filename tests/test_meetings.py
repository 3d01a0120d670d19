"""Meetings: the planner, the five-minute debrief, commitments, exports, reports."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from presales.activities.models import Activity
from presales.cli import main as presales
from presales.meetings import export, services, similarity
from presales.meetings.models import Commitment, Debrief, RaisedGap, Report, Topic
from presales.meetings.planner import build_plan
from presales.notes.models import Note
from tests.conftest import (
    Cast,
    make_account,
    make_activity,
    make_commitment,
    make_contact,
    make_note,
    make_opportunity,
)
from tests.test_api import bearer, call


@pytest.fixture
def loop(cast: Cast) -> dict[str, Any]:
    """A deal with a meeting that just ended and a follow-up next week."""
    account = make_account(cast.north, "Northwind Trading")
    deal = make_opportunity(account, owner=cast.bob, name="Northwind rollout")
    deal.sales_engineers.add(cast.alice)
    ciso = make_contact(
        account,
        "Whitfield",
        first_name="Dana",
        title="CISO",
        deal_role="gatekeeper",
        needs="SSO and audit logs",
    )
    now = timezone.now()
    held = make_activity(
        opportunity=deal,
        participants=[cast.alice, cast.bob],
        subject="Security review",
        starts_at=now - timedelta(hours=2),
    )
    held.contacts.add(ciso)
    follow_up = make_activity(
        opportunity=deal,
        participants=[cast.alice, cast.bob],
        subject="Security follow-up",
        starts_at=now + timedelta(days=7),
    )
    follow_up.contacts.add(ciso)
    return {"account": account, "deal": deal, "held": held, "next": follow_up, "ciso": ciso}


def debrief(cast: Cast, loop: dict[str, Any]) -> None:
    services.record_debrief(
        actor=cast.alice,
        activity=loop["held"],
        fields={"went_right": "The audit log demo", "next_steps": "Send the pen-test summary"},
        commitments=[
            {
                "what": "Send the SOC 2 report",
                "promised_by": "Alice",
                "promised_to": "Dana Whitfield",
                "due_on": timezone.localdate() + timedelta(days=3),
            }
        ],
        gaps=["SCIM provisioning for Okta", "  "],
        notes_text="Dana wants audit logs exported to Splunk",
    )


def test_a_debrief_records_commitments_gaps_and_notes_and_marks_the_meeting_held(
    cast: Cast, loop: dict[str, Any]
) -> None:
    debrief(cast, loop)
    loop["held"].refresh_from_db()
    assert loop["held"].status == Activity.Status.HELD
    commitment = Commitment.objects.get()
    assert (commitment.account, commitment.opportunity, commitment.activity) == (
        loop["account"],
        loop["deal"],
        loop["held"],
    )
    assert (commitment.owner, commitment.promised_to) == (cast.alice, "Dana Whitfield")
    assert [g.text for g in RaisedGap.objects.all()] == ["SCIM provisioning for Okta"]
    note = Note.objects.get(activity=loop["held"])
    assert (note.account, note.opportunity) == (loop["account"], loop["deal"])


def test_the_next_meetings_plan_shows_the_commitment_the_new_notes_and_the_gap(
    cast: Cast, loop: dict[str, Any]
) -> None:
    make_note("Old note from last year", author=cast.bob, account=loop["account"])
    Note.objects.filter(body__startswith="Old").update(
        created_at=timezone.now() - timedelta(days=300)
    )
    debrief(cast, loop)
    plan = build_plan(activity=loop["next"], viewer=cast.bob)
    assert plan.last_meeting == loop["held"]
    assert [c.what for c in plan.commitments.open] == ["Send the SOC 2 report"]
    assert [(n.text, n.new) for n in plan.notes] == [
        ("Dana wants audit logs exported to Splunk", True),
        ("Old note from last year", False),
    ]
    assert [g.text for g in plan.gaps] == ["SCIM provisioning for Okta"]
    assert [d.next_steps for d in plan.debriefs] == ["Send the pen-test summary"]
    assert [(a.name, a.title, a.needs) for a in plan.attendees] == [
        ("Dana Whitfield", "CISO", "SSO and audit logs")
    ]
    # "Security" in the subject, "audit" in the notes, and the story beats after security.
    why = {t.name: t.why for t in plan.topics}
    assert why["Security"] == "mentions “security”"
    assert why["Audit"] == "mentions “audit”"
    assert why["Compliance"] == why["CVEs"] == why["Access control"] == "often follows Security"


def test_the_plan_sorts_commitments_into_overdue_open_and_kept_since_the_last_meeting(
    cast: Cast, loop: dict[str, Any]
) -> None:
    today = timezone.localdate()
    account = loop["account"]
    make_commitment(account, "Late one", due_on=today - timedelta(days=2))
    make_commitment(account, "Future one", due_on=today + timedelta(days=9))
    kept = make_commitment(account, "Kept one")
    services.resolve_commitment(actor=cast.alice, commitment=kept, status="kept")
    old = make_commitment(
        account, "Kept long ago", status="kept", resolved_at=timezone.now() - timedelta(days=60)
    )
    Activity.objects.filter(pk=loop["held"].pk).update(status="held")
    plan = build_plan(activity=loop["next"], viewer=cast.alice)
    c = plan.commitments
    assert [x.what for x in c.overdue] == ["Late one"]
    assert [x.what for x in c.open] == ["Future one"]
    assert [x.what for x in c.kept_since_last] == ["Kept one"]
    assert c.broken_since_last == []
    assert Commitment.objects.get(pk=old.pk).is_overdue is False


def test_a_debrief_before_the_meeting_or_by_an_outsider_is_refused(
    cast: Cast, loop: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError):
        services.record_debrief(actor=cast.alice, activity=loop["next"], fields={})
    from presales.core.access import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.record_debrief(actor=cast.carol, activity=loop["held"], fields={})
    with pytest.raises(ValidationError):
        services.record_debrief(actor=cast.alice, activity=loop["held"], fields={"bogus": "x"})


def test_a_second_attendee_adds_to_the_debrief_without_erasing_it(
    cast: Cast, loop: dict[str, Any]
) -> None:
    debrief(cast, loop)
    services.record_debrief(
        actor=cast.bob,
        activity=loop["held"],
        fields={"went_right": "", "feedback_rep_to_se": "On SSO you dwelt on our weak spot"},
    )
    saved = Debrief.objects.get(activity=loop["held"])
    assert (saved.author, saved.went_right) == (cast.alice, "The audit log demo")
    assert saved.feedback_rep_to_se == "On SSO you dwelt on our weak spot"


def test_meetings_without_a_debrief_after_24_hours_reach_the_attendees_dashboard(
    cast: Cast,
) -> None:
    account = make_account(cast.north)
    now = timezone.now()
    late = make_activity(
        account=account,
        participants=[cast.alice],
        subject="Pricing call",
        starts_at=now - timedelta(hours=26),
        status="held",
    )
    make_activity(
        account=account,
        participants=[cast.alice],
        subject="Fresh call",
        starts_at=now - timedelta(hours=20),
        status="held",
    )
    assert list(services.undebriefed_for(cast.alice, now=now)) == [late]
    assert list(services.undebriefed_for(cast.bob, now=now)) == []
    web = Client()
    web.force_login(cast.alice)
    page = web.get("/").content.decode()
    assert "Pricing call" in page and "Fresh call" not in page
    services.record_debrief(actor=cast.alice, activity=late, fields={"went_right": "ok"})
    assert not services.undebriefed_for(cast.alice, now=now).exists()


def test_the_markdown_and_the_one_page_pdf_carry_the_plan(cast: Cast, loop: dict[str, Any]) -> None:
    debrief(cast, loop)
    services.save_plan(
        actor=cast.alice,
        activity=loop["next"],
        outcomes="Date for the SOC 2 review\n- Name the buyer",
    )
    plan = build_plan(activity=loop["next"], viewer=cast.alice)
    text = export.to_markdown(plan)
    assert text.startswith("# Plan: Security follow-up")
    assert (
        "## Outcomes this call must obtain\n\n- Date for the SOC 2 review\n- Name the buyer" in text
    )
    assert "- Open: Alice to Dana Whitfield: Send the SOC 2 report" in text
    assert "SCIM provisioning for Okta" in text
    pdf = export.to_pdf(plan)
    assert pdf.startswith(b"%PDF-")
    assert b"/Count 1" in pdf


def test_a_long_plan_still_prints_on_one_page(cast: Cast, loop: dict[str, Any]) -> None:
    for i in range(60):
        make_note(f"Note {i} " + "with many words " * 20, author=cast.bob, account=loop["account"])
        make_commitment(loop["account"], f"Promise {i} " + "long " * 30)
    pdf = export.to_pdf(build_plan(activity=loop["next"], viewer=cast.alice))
    assert b"/Count 1" in pdf


def test_the_cli_writes_the_plan_as_markdown_or_pdf(
    cast: Cast, loop: dict[str, Any], tmp_path: Path, capsys: Any
) -> None:
    debrief(cast, loop)
    md, pdf = tmp_path / "plan.md", tmp_path / "plan.pdf"
    assert presales(["plan", str(loop["next"].pk), "--output", str(md)]) == 0
    assert "Send the SOC 2 report" in md.read_text()
    assert presales(["plan", str(loop["next"].pk), "--format", "pdf", "--output", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert presales(["plan", "999999"]) == 2
    assert "No activity with id 999999." in capsys.readouterr().err
    assert presales(["plan", str(loop["next"].pk), "--user", "carol"]) == 2


def test_the_api_plans_debriefs_and_lists_commitments(cast: Cast, loop: dict[str, Any]) -> None:
    auth = bearer(cast.alice)
    held = loop["held"].pk
    body = {
        "went_right": "Demo landed",
        "same_page": "partly",
        "commitments": [{"what": "Share the roadmap", "due_on": "2030-01-31"}],
        "gaps": ["Offline mode"],
        "notes": "They run two data centres",
    }
    saved = call("put", f"/api/activities/{held}/debrief", auth, body)
    assert saved.status_code == 200, saved.content
    out = saved.json()
    assert (out["same_page"], [g["text"] for g in out["gaps"]]) == ("partly", ["Offline mode"])
    assert out["commitments"][0]["promised_by"] == "Alice Tester"
    bad = call(
        "put",
        f"/api/activities/{held}/debrief",
        auth,
        {"commitments": [{"what": "x", "due_on": "someday"}]},
    )
    assert bad.status_code == 422
    plan = call("get", f"/api/activities/{loop['next'].pk}/plan", auth).json()
    assert [c["what"] for c in plan["commitments"]["open"]] == ["Share the roadmap"]
    assert plan["gaps"] == ["Offline mode"]
    listed = call("get", f"/api/commitments?account_id={loop['account'].pk}", auth).json()
    assert listed["count"] == 1
    kept = call(
        "patch", f"/api/commitments/{listed['items'][0]['id']}", auth, {"status": "kept"}
    ).json()
    assert kept["status"] == "kept" and kept["resolved_at"] is not None
    assert call("get", f"/api/activities/{held}/plan", bearer(cast.carol)).status_code == 404
    export_md = call("get", f"/api/activities/{loop['next'].pk}/plan/export?format=md", auth)
    assert export_md["Content-Type"].startswith("text/markdown")


def test_a_team_topic_answer_shows_in_the_plan(cast: Cast, loop: dict[str, Any]) -> None:
    topic = services.create_topic(
        actor=cast.alice,
        fields={"name": "Security", "keywords": "security", "answer": "SOC 2 Type II, yearly"},
    )
    assert topic.team == cast.north
    plan = build_plan(activity=loop["next"], viewer=cast.alice)
    security = next(t for t in plan.topics if t.name == "Security")
    assert security.answer == "SOC 2 Type II, yearly"
    shared = Topic.objects.get(team__isnull=True, name="Audit")
    from presales.core.access import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.update_topic(actor=cast.alice, topic=shared, changes={"answer": "x"})


def test_similar_meetings_are_ranked_by_shared_words() -> None:
    ranked = similarity.related(
        "security review with the CISO",
        [(1, "pricing workshop"), (2, "CISO security questions"), (3, "security roadmap")],
    )
    assert [key for key, _ in ranked] == [2, 3]
    assert ranked[0][1] == pytest.approx(2 / (3 * 3) ** 0.5)


def test_reports_are_drafts_until_published_then_the_team_reads_them(cast: Cast) -> None:
    account = make_account(cast.north)
    open_deal = make_opportunity(account)
    with pytest.raises(ValidationError):
        services.create_report(
            actor=cast.alice,
            fields={
                "kind": "win_loss",
                "title": "t",
                "summary": "s",
                "opportunity_id": open_deal.pk,
            },
        )
    won = make_opportunity(account, stage="won")
    report = services.create_report(
        actor=cast.alice,
        fields={
            "kind": "win_loss",
            "title": "Why we won",
            "summary": "POC",
            "opportunity_id": won.pk,
        },
    )
    assert call("get", f"/api/reports/{report.pk}", bearer(cast.bob)).status_code == 404
    services.publish_report(actor=cast.alice, report=report)
    assert (
        call("get", f"/api/reports/{report.pk}", bearer(cast.bob)).json()["title"] == "Why we won"
    )
    assert call("get", f"/api/reports/{report.pk}", bearer(cast.carol)).status_code == 404
    visit = make_activity(
        account=account,
        participants=[cast.alice],
        status="held",
        starts_at=timezone.now() - timedelta(days=1),
    )
    trip = services.create_report(
        actor=cast.alice,
        fields={
            "kind": "trip",
            "title": "Oslo",
            "summary": "Two visits",
            "activity_ids": [visit.pk],
        },
    )
    assert (trip.account, list(trip.activities.all())) == (account, [visit])
    assert Report.objects.count() == 2
