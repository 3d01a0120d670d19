"""A team that shares an account with another team: it sees the account, its contacts and the
account's own work, and nothing of the other team's deals (their meetings, plans, debriefs,
notes, commitments, reports, raised gaps); it cannot change any of it either."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from presales.activities.models import Activity
from presales.core import access
from presales.deals.models import Opportunity
from presales.meetings.models import Commitment, Debrief, MeetingPlan, RaisedGap, Report
from presales.notes.models import Note
from presales.people.services import create_token
from tests.conftest import (
    Cast,
    make_account,
    make_activity,
    make_commitment,
    make_contact,
    make_note,
    make_opportunity,
)


@dataclass
class Shared:
    own_deal: Opportunity  # North's deal on South's account
    other_deal: Opportunity  # South's deal on the same account
    meeting: Activity  # South's meeting on its deal
    debrief: Debrief
    plan: MeetingPlan
    commitment: Commitment
    note: Note
    report: Report
    account_meeting: Activity  # a meeting on the account, tied to no deal
    account_note: Note


@pytest.fixture
def shared(cast: Cast) -> Shared:
    account = make_account(cast.south, "Sharedco")
    make_contact(account, "Okafor")
    own = make_opportunity(account, team=cast.north, name="North on Sharedco")
    other = make_opportunity(account, team=cast.south, name="South on Sharedco")
    held = timezone.now() - timedelta(days=3)
    meeting = make_activity(
        opportunity=other, participants=[cast.carol], subject="South pricing call", starts_at=held
    )
    meeting.status = Activity.Status.HELD
    meeting.save()
    debrief = Debrief.objects.create(
        activity=meeting,
        author=cast.carol,
        went_right="They liked the roadmap",
        feedback_rep_to_se="Carol talked over the customer",
    )
    RaisedGap.objects.create(
        debrief=debrief, text="South wants offline mode", account=account, opportunity=other
    )
    plan = MeetingPlan.objects.create(
        activity=meeting, outcomes="Price agreed", prepared_by=cast.carol
    )
    commitment = make_commitment(account, "South sends the price list", opportunity=other)
    note = make_note(
        "South's walk-away price is 40k", author=cast.carol, account=account, opportunity=other
    )
    report = Report.objects.create(
        kind=Report.Kind.WIN_LOSS,
        title="South lost on price",
        summary="Too dear",
        account=account,
        opportunity=other,
        author=cast.carol,
        published_at=timezone.now(),
    )
    account_meeting = make_activity(account=account, subject="Sharedco annual review")
    account_note = make_note("Sharedco moved offices", author=cast.carol, account=account)
    return Shared(
        own, other, meeting, debrief, plan, commitment, note, report, account_meeting, account_note
    )


def _bearer(user: Any) -> dict[str, str]:
    _, plain = create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def _call(auth: dict[str, str], method: str, path: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = dict(auth)
    if body is not None:
        kwargs["data"] = json.dumps(body)
        kwargs["content_type"] = "application/json"
    return getattr(Client(), method)(path, **kwargs)


def test_the_other_teams_deal_work_is_not_visible_through_a_shared_account(
    cast: Cast, shared: Shared
) -> None:
    alice = cast.alice
    assert access.can_see(alice, shared.own_deal.account)
    assert access.can_see(alice, shared.account_meeting)
    assert access.can_see(alice, shared.account_note)
    for hidden in (
        shared.other_deal,
        shared.meeting,
        shared.debrief,
        shared.plan,
        shared.commitment,
        shared.note,
        shared.report,
        RaisedGap.objects.get(),
    ):
        assert not access.can_see(alice, hidden), hidden
        assert not access.can_change(alice, hidden), hidden
    # The team that owns the deal keeps every piece of it.
    for seen in (shared.meeting, shared.debrief, shared.plan, shared.commitment, shared.note):
        assert access.can_see(cast.carol, seen)


def test_the_api_answers_404_to_reads_and_writes_of_the_other_teams_deal_work(
    cast: Cast, shared: Shared
) -> None:
    auth = _bearer(cast.alice)
    meeting, commitment, note = shared.meeting.pk, shared.commitment.pk, shared.note.pk
    cells = [
        ("get", f"/api/activities/{meeting}", None),
        ("patch", f"/api/activities/{meeting}", {"subject": "Taken over"}),
        ("get", f"/api/activities/{meeting}/debrief", None),
        ("put", f"/api/activities/{meeting}/debrief", {"went_right": "Taken over"}),
        ("get", f"/api/activities/{meeting}/plan", None),
        ("put", f"/api/activities/{meeting}/plan", {"outcomes": "Taken over"}),
        ("get", f"/api/activities/{meeting}/plan/export", None),
        ("post", f"/api/activities/{meeting}/held", {}),
        ("patch", f"/api/commitments/{commitment}", {"what": "Taken over"}),
        ("get", f"/api/notes/{note}", None),
        ("patch", f"/api/notes/{note}", {"body": "Taken over"}),
        ("get", f"/api/reports/{shared.report.pk}", None),
    ]
    for method, path, body in cells:
        response = _call(auth, method, path, body)
        assert response.status_code == 404, (method, path, response.status_code)
    shared.debrief.refresh_from_db()
    assert shared.debrief.went_right == "They liked the roadmap"
    assert Activity.objects.get(pk=meeting).subject == "South pricing call"
    assert Commitment.objects.get(pk=commitment).what == "South sends the price list"


def test_lists_and_search_leave_out_the_other_teams_deal_work(cast: Cast, shared: Shared) -> None:
    auth = _bearer(cast.alice)
    account = shared.own_deal.account_id
    activities = _call(auth, "get", f"/api/activities?account_id={account}").json()["items"]
    assert [a["subject"] for a in activities] == ["Sharedco annual review"]
    notes = _call(auth, "get", "/api/notes").json()["items"]
    assert [n["body"] for n in notes] == ["Sharedco moved offices"]
    for listing in ("/api/commitments", "/api/raised-gaps", "/api/reports"):
        body = _call(auth, "get", listing).json()
        assert body["items"] == [] and body["count"] == 0, listing
    search = "/api/texts/search?q=walk-away+price"
    assert _call(auth, "get", search).json()["hits"] == []
    found = _call(_bearer(cast.carol), "get", search).json()["hits"]
    assert "walk-away" in json.dumps(found)


def test_the_account_page_and_the_planner_show_only_the_account_and_the_teams_own_work(
    cast: Cast, shared: Shared
) -> None:
    client = Client()
    client.force_login(cast.alice)
    page = client.get(f"/accounts/{shared.own_deal.account_id}/").content.decode()
    assert "Sharedco annual review" in page and "Okafor" in page
    for secret in ("South pricing call", "walk-away", "South sends the price list", "South on"):
        assert secret not in page, secret
    own_meeting = make_activity(opportunity=shared.own_deal, participants=[cast.alice])
    plan = client.get(f"/meetings/{own_meeting.pk}/plan/").content.decode()
    assert "Sharedco moved offices" in plan
    for secret in ("walk-away", "South sends the price list", "offline mode", "roadmap"):
        assert secret not in plan, secret


def test_the_owning_team_still_reads_and_changes_its_deal_work(cast: Cast, shared: Shared) -> None:
    auth = _bearer(cast.carol)
    meeting = shared.meeting.pk
    assert _call(auth, "get", f"/api/activities/{meeting}/debrief").status_code == 200
    response = _call(auth, "patch", f"/api/commitments/{shared.commitment.pk}", {"what": "Sent"})
    assert response.status_code == 200
    assert Commitment.objects.get(pk=shared.commitment.pk).what == "Sent"
    response = _call(auth, "put", f"/api/activities/{meeting}/plan", {"outcomes": "Signed"})
    assert response.status_code == 200 and response.json()["outcomes"] == ["Signed"]


def test_moving_an_account_or_deal_needs_both_teams_and_no_team_is_for_admins(
    cast: Cast,
) -> None:
    south_account = make_account(cast.south, "Southco")
    south_deal = make_opportunity(south_account, team=cast.south)
    south_deal.sales_engineers.add(cast.alice)  # alice supports it, so she sees it
    north_account = make_account(cast.north, "Northco")
    north_deal = make_opportunity(north_account, team=cast.north)
    auth = _bearer(cast.alice)
    north = cast.north.pk
    refused = [
        ("patch", f"/api/accounts/{north_account.pk}", {"team_id": None}),
        ("patch", f"/api/opportunities/{north_deal.pk}", {"team_id": None}),
        ("patch", f"/api/opportunities/{south_deal.pk}", {"team_id": north}),
        ("patch", f"/api/accounts/{north_account.pk}", {"team_id": cast.south.pk}),
    ]
    for method, path, body in refused:
        response = _call(auth, method, path, body)
        assert response.status_code == 403, (path, body, response.status_code)
        assert "only an administrator" in response.json()["error"]["message"]
    # Another team's account she does not see stays invisible.
    response = _call(auth, "patch", f"/api/accounts/{south_account.pk}", {"team_id": north})
    assert response.status_code in (403, 404)
    assert Opportunity.objects.get(pk=south_deal.pk).team_id == cast.south.pk
    assert Opportunity.objects.get(pk=north_deal.pk).team_id == north
    # dave manages alice (North) and sits in West: he may move between those teams.
    response = _call(
        _bearer(cast.dave),
        "patch",
        f"/api/opportunities/{north_deal.pk}",
        {"team_id": cast.west.pk},
    )
    assert response.status_code == 200 and response.json()["team_id"] == cast.west.pk
    root = _bearer(cast.root)
    response = _call(root, "patch", f"/api/accounts/{north_account.pk}", {"team_id": None})
    assert response.status_code == 200 and response.json()["team_id"] is None
