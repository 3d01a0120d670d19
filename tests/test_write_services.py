"""The rules behind the browser's write paths: meetings scheduled, changed and cancelled; the
stage owned by the deal owner with proposals from everyone else; debriefs and circles that
record only what was said."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from presales.accounts.models import Contact
from presales.activities import services as activities
from presales.activities.models import Activity, Kind
from presales.core import access
from presales.deals import stages
from presales.deals.models import Opportunity, Stage, StageChange, StageProposal
from presales.deals.services import can_change_stage, update_opportunity
from presales.meetings import services as meetings
from presales.meetings.models import Debrief
from presales.qualification import analytics
from presales.qualification import services as qualification
from presales.qualification.models import CirclesRating
from tests.conftest import Cast, make_account, make_activity, make_opportunity


def _deal(cast: Cast, **extra: object):  # type: ignore[no-untyped-def]
    deal = make_opportunity(make_account(cast.north, "Northwind"), owner=cast.bob, **extra)
    deal.sales_engineers.add(cast.alice)
    return deal


# -- meetings ------------------------------------------------------------------------------------


def test_a_scheduled_meeting_keeps_where_it_happens_and_its_attendees(cast: Cast) -> None:
    deal = _deal(cast)
    contact = Contact.objects.create(account=deal.account, last_name="Okafor")
    start = timezone.now() + timedelta(days=2)
    meeting = activities.create_activity(
        actor=cast.alice,
        fields={
            "kind": Kind.POC,
            "subject": "POC kickoff",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
            "opportunity_id": deal.pk,
            "participant_ids": [cast.alice.pk, cast.bob.pk],
            "contact_ids": [contact.pk],
            "location": "https://meet.example.com/poc",
        },
    )
    assert meeting.account == deal.account
    assert meeting.location == "https://meet.example.com/poc"
    assert set(meeting.participants.all()) == {cast.alice, cast.bob}
    assert list(meeting.contacts.all()) == [contact]
    assert meeting.customer_facing


def test_rescheduling_cannot_end_a_meeting_before_it_starts(cast: Cast) -> None:
    meeting = make_activity(account=make_account(cast.north), participants=[cast.alice])
    with pytest.raises(ValidationError) as refused:
        activities.update_activity(
            actor=cast.alice,
            activity=meeting,
            changes={"ends_at": meeting.starts_at - timedelta(minutes=5)},
        )
    assert "ends_at" in refused.value.message_dict
    meeting.refresh_from_db()
    assert meeting.ends_at > meeting.starts_at


def test_changing_the_kind_carries_whether_the_meeting_faces_the_customer(cast: Cast) -> None:
    meeting = make_activity(account=make_account(cast.north), participants=[cast.alice])
    activities.update_activity(actor=cast.alice, activity=meeting, changes={"kind": Kind.INTERNAL})
    assert not meeting.customer_facing


def test_a_planned_meeting_is_cancelled_but_a_held_one_is_not(cast: Cast) -> None:
    account = make_account(cast.north)
    planned = make_activity(account=account, participants=[cast.alice])
    activities.cancel_activity(actor=cast.alice, activity=planned)
    planned.refresh_from_db()
    assert planned.status == Activity.Status.CANCELLED
    held = make_activity(
        account=account,
        participants=[cast.alice],
        starts_at=timezone.now() - timedelta(days=1),
        status=Activity.Status.HELD,
    )
    with pytest.raises(ValidationError):
        activities.cancel_activity(actor=cast.alice, activity=held)
    held.refresh_from_db()
    assert held.status == Activity.Status.HELD


def test_a_user_cannot_cancel_a_meeting_of_a_team_they_do_not_see(cast: Cast) -> None:
    meeting = make_activity(account=make_account(cast.north), participants=[cast.alice])
    with pytest.raises(access.PermissionDenied):
        activities.cancel_activity(actor=cast.carol, activity=meeting)


# -- the stage belongs to the deal owner ----------------------------------------------------------


def test_the_owner_and_managers_change_the_stage_and_the_se_does_not(cast: Cast) -> None:
    deal = _deal(cast)
    assert can_change_stage(cast.bob, deal)
    assert can_change_stage(cast.dave, deal)  # alice's manager sees team North
    assert can_change_stage(cast.root, deal)
    assert not can_change_stage(cast.alice, deal)
    assert not can_change_stage(cast.carol, deal)
    with pytest.raises(access.PermissionDenied):
        update_opportunity(actor=cast.alice, opportunity=deal, changes={"stage": Stage.WON})
    deal.refresh_from_db()
    assert deal.stage == Stage.DISCOVERY


def test_closing_a_deal_needs_a_confirmation_and_is_recorded_with_who(cast: Cast) -> None:
    deal = _deal(cast)
    with pytest.raises(ValidationError) as asked:
        stages.change_stage(actor=cast.bob, opportunity=deal, to_stage=Stage.WON)
    assert "confirm_close" in asked.value.message_dict
    assert deal.name in asked.value.message_dict["confirm_close"][0]
    deal.refresh_from_db()
    assert deal.stage == Stage.DISCOVERY
    stages.change_stage(actor=cast.bob, opportunity=deal, to_stage=Stage.WON, confirm_close=True)
    change = StageChange.objects.get(opportunity=deal, to_stage=Stage.WON)
    assert (change.from_stage, change.changed_by) == (Stage.DISCOVERY, cast.bob)


def test_an_open_move_needs_no_confirmation(cast: Cast) -> None:
    deal = _deal(cast)
    stages.change_stage(actor=cast.bob, opportunity=deal, to_stage=Stage.DEMO)
    deal.refresh_from_db()
    assert deal.stage == Stage.DEMO


def test_the_se_proposes_and_the_owner_accepts_so_the_history_names_both(cast: Cast) -> None:
    deal = _deal(cast)
    proposal = stages.propose_stage(
        actor=cast.alice, opportunity=deal, to_stage=Stage.POC, reason="Success criteria agreed"
    )
    deal.refresh_from_db()
    assert deal.stage == Stage.DISCOVERY  # a proposal moves nothing
    assert list(stages.proposals_waiting_for(cast.bob)) == [proposal]
    assert list(stages.proposals_waiting_for(cast.alice)) == []
    with pytest.raises(access.PermissionDenied):
        stages.decide_proposal(actor=cast.alice, proposal=proposal, accept=True)
    stages.decide_proposal(actor=cast.bob, proposal=proposal, accept=True)
    deal.refresh_from_db()
    proposal.refresh_from_db()
    assert deal.stage == Stage.POC
    assert proposal.status == StageProposal.Status.ACCEPTED
    assert proposal.decided_by == cast.bob
    assert proposal.stage_change is not None
    assert (proposal.stage_change.changed_by, proposal.stage_change.to_stage) == (
        cast.bob,
        Stage.POC,
    )
    assert list(stages.proposals_waiting_for(cast.bob)) == []


def test_accepting_a_proposal_to_close_asks_the_owner_to_confirm(cast: Cast) -> None:
    deal = _deal(cast)
    proposal = stages.propose_stage(actor=cast.alice, opportunity=deal, to_stage=Stage.LOST)
    with pytest.raises(ValidationError) as asked:
        stages.decide_proposal(actor=cast.bob, proposal=proposal, accept=True)
    assert "confirm_close" in asked.value.message_dict
    proposal.refresh_from_db()
    assert proposal.status == StageProposal.Status.OPEN
    stages.decide_proposal(actor=cast.bob, proposal=proposal, accept=True, confirm_close=True)
    deal.refresh_from_db()
    assert deal.stage == Stage.LOST


def test_a_declined_proposal_leaves_the_stage_and_cannot_be_decided_twice(cast: Cast) -> None:
    deal = _deal(cast)
    proposal = stages.propose_stage(actor=cast.alice, opportunity=deal, to_stage=Stage.DEMO)
    stages.decide_proposal(actor=cast.bob, proposal=proposal, accept=False)
    deal.refresh_from_db()
    assert deal.stage == Stage.DISCOVERY
    with pytest.raises(ValidationError):
        stages.decide_proposal(actor=cast.bob, proposal=proposal, accept=True)


def test_a_new_proposal_replaces_the_proposers_open_one(cast: Cast) -> None:
    deal = _deal(cast)
    first = stages.propose_stage(actor=cast.alice, opportunity=deal, to_stage=Stage.DEMO)
    second = stages.propose_stage(actor=cast.alice, opportunity=deal, to_stage=Stage.POC)
    first.refresh_from_db()
    assert first.status == StageProposal.Status.WITHDRAWN
    assert list(stages.proposals_waiting_for(cast.bob)) == [second]


def test_the_owner_is_told_to_change_the_stage_rather_than_propose(cast: Cast) -> None:
    deal = _deal(cast)
    with pytest.raises(ValidationError):
        stages.propose_stage(actor=cast.bob, opportunity=deal, to_stage=Stage.DEMO)
    with pytest.raises(access.PermissionDenied):
        stages.propose_stage(actor=cast.carol, opportunity=deal, to_stage=Stage.DEMO)


def test_an_se_cannot_take_the_deal_over_to_move_its_stage(cast: Cast) -> None:
    deal = _deal(cast)
    with pytest.raises(access.PermissionDenied):
        update_opportunity(actor=cast.alice, opportunity=deal, changes={"owner_id": cast.alice.pk})
    deal.refresh_from_db()
    assert deal.owner == cast.bob


# -- debriefs record only what was said ----------------------------------------------------------


def _held(cast: Cast) -> Activity:
    return make_activity(
        account=make_account(cast.north),
        participants=[cast.alice, cast.bob],
        starts_at=timezone.now() - timedelta(hours=2),
    )


def test_an_empty_debrief_leaves_same_page_unanswered_and_a_later_answer_overwrites(
    cast: Cast,
) -> None:
    meeting = _held(cast)
    meetings.record_debrief(
        actor=cast.alice, activity=meeting, fields={"went_right": "Demo landed", "same_page": ""}
    )
    debrief = Debrief.objects.get(activity=meeting)
    assert debrief.same_page == Debrief.SamePage.UNANSWERED
    assert debrief.get_same_page_display() == "Unanswered"
    meetings.record_debrief(actor=cast.bob, activity=meeting, fields={"same_page": "partly"})
    meetings.record_debrief(actor=cast.alice, activity=meeting, fields={"same_page": "no"})
    debrief.refresh_from_db()
    assert debrief.same_page == "no"
    assert debrief.went_right == "Demo landed"  # an empty field never erases


def test_the_author_edits_the_debrief_and_may_take_an_answer_back(cast: Cast) -> None:
    meeting = _held(cast)
    meetings.record_debrief(
        actor=cast.alice, activity=meeting, fields={"went_right": "x", "same_page": "yes"}
    )
    meetings.record_debrief(
        actor=cast.alice,
        activity=meeting,
        fields={"went_right": "Security review passed", "same_page": ""},
        replace=True,
    )
    debrief = Debrief.objects.get(activity=meeting)
    assert (debrief.went_right, debrief.same_page) == ("Security review passed", "")


def test_only_the_author_edits_a_debrief_in_place(cast: Cast) -> None:
    meeting = _held(cast)
    meetings.record_debrief(actor=cast.alice, activity=meeting, fields={"went_right": "x"})
    with pytest.raises(access.PermissionDenied):
        meetings.record_debrief(
            actor=cast.bob, activity=meeting, fields={"went_right": ""}, replace=True
        )
    assert Debrief.objects.get(activity=meeting).went_right == "x"


# -- three circles: empty means unrated ----------------------------------------------------------


def test_circles_with_an_empty_overlap_are_stored_unrated(cast: Cast) -> None:
    deal = _deal(cast)
    rating = qualification.record_circles(
        actor=cast.alice, opportunity=deal, fields={"they_do": "Ship parts", "overlap": None}
    )
    assert rating.overlap is None
    with pytest.raises(ValidationError):
        qualification.record_circles(
            actor=cast.alice, opportunity=deal, fields={"they_do": "  ", "overlap": None}
        )
    assert CirclesRating.objects.filter(opportunity=deal).count() == 1


def test_an_unrated_first_rating_does_not_count_as_early_overlap(cast: Cast) -> None:
    deal = _deal(cast, stage=Stage.WON)
    qualification.record_circles(
        actor=cast.alice, opportunity=deal, fields={"they_do": "Ship parts", "overlap": None}
    )
    result = analytics.circles_analysis(Opportunity.objects.all())
    assert sum(g.closed for g in result.groups) == 0
