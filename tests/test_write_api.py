"""The API writes through the same rules as the pages: stage proposals, the owner's stage,
a debrief the author edits, circles left unrated, a cancelled meeting."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from presales.deals.models import Stage
from presales.meetings.models import Debrief
from tests.conftest import Cast, make_account, make_activity, make_opportunity
from tests.test_api import bearer, call


def test_the_se_proposes_over_the_api_and_the_owner_decides(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), owner=cast.bob)
    deal.sales_engineers.add(cast.alice)
    refused = call("patch", f"/api/opportunities/{deal.pk}", bearer(cast.alice), {"stage": "poc"})
    assert refused.status_code == 403
    proposed = call(
        "post",
        f"/api/opportunities/{deal.pk}/stage-proposals",
        bearer(cast.alice),
        {"to_stage": "won", "reason": "PO received"},
    )
    assert proposed.status_code == 201
    proposal = proposed.json()
    assert (proposal["status"], proposal["proposed_by_id"]) == ("open", cast.alice.pk)
    path = f"/api/stage-proposals/{proposal['id']}/decision"
    assert call("post", path, bearer(cast.alice), {"accept": True}).status_code == 403
    unconfirmed = call("post", path, bearer(cast.bob), {"accept": True})
    assert unconfirmed.status_code == 422
    assert unconfirmed.json()["error"]["fields"][0]["field"] == "confirm_close"
    accepted = call("post", path, bearer(cast.bob), {"accept": True, "confirm_close": True})
    assert accepted.json()["status"] == "accepted"
    deal.refresh_from_db()
    assert deal.stage == Stage.WON
    hidden = call("post", path, bearer(cast.carol), {"accept": False})
    assert hidden.status_code == 404


def test_the_author_takes_a_debrief_answer_back_over_the_api(cast: Cast) -> None:
    meeting = make_activity(
        account=make_account(cast.north),
        participants=[cast.alice],
        starts_at=timezone.now() - timedelta(hours=1),
    )
    path = f"/api/activities/{meeting.pk}/debrief"
    call("put", path, bearer(cast.alice), {"went_right": "ok", "same_page": "yes"})
    edited = call("patch", path, bearer(cast.alice), {"same_page": ""})
    assert edited.status_code == 200
    assert edited.json()["same_page"] == ""
    assert edited.json()["went_right"] == "ok"
    assert Debrief.objects.get(activity=meeting).same_page == ""


def test_circles_posted_without_an_overlap_are_unrated(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north))
    response = call(
        "post", f"/api/opportunities/{deal.pk}/circles", bearer(cast.alice), {"they_do": "Ship"}
    )
    assert response.status_code == 201
    assert response.json()["overlap"] is None


def test_a_meeting_is_cancelled_over_the_api_and_keeps_its_location(cast: Cast) -> None:
    meeting = make_activity(
        account=make_account(cast.north), participants=[cast.alice], location="Room 4"
    )
    response = call("post", f"/api/activities/{meeting.pk}/cancel", bearer(cast.alice))
    assert (response.json()["status"], response.json()["location"]) == ("cancelled", "Room 4")
