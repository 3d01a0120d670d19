"""The gaps' duplicate suggestions and the planner's similar meetings go through the text
service: a paraphrase finds its look-alike by meaning, only among what the user may see, and
words stand in for what the index does not cover yet."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from presales.gaps.similarity import suggest_similar
from presales.meetings.models import Debrief
from presales.meetings.planner import build_plan
from presales.texts import embedding, vectors
from presales.texts.services import index_texts
from tests.conftest import Cast, make_account, make_activity, make_gap
from tests.test_api import bearer, call

needs_model = pytest.mark.skipif(
    not embedding.available(), reason="the meaning extra (presales[meaning]) is not installed"
)

GAP_PARAPHRASE = "Use the smartphone application while disconnected"


@pytest.fixture(autouse=True)
def _fresh_vector_cache() -> None:
    vectors.invalidate()


@needs_model
def test_a_paraphrased_gap_title_finds_its_duplicate_and_never_another_teams(cast: Cast) -> None:
    offline = make_gap("Offline mode for the mobile app", team=cast.north)
    make_gap("Dark theme for the console", team=cast.north)
    theirs = make_gap("Offline mode for the mobile app, in the field", team=cast.south)
    index_texts()

    found = suggest_similar(actor=cast.alice, text=GAP_PARAPHRASE)
    assert found and found[0].gap == offline
    assert found[0].reason.startswith("close in meaning")
    assert theirs not in [s.gap for s in found]
    # The other team's owner finds their own gap the same way.
    carols = [s.gap for s in suggest_similar(actor=cast.carol, text=GAP_PARAPHRASE)]
    assert theirs in carols and offline not in carols

    api = call("get", f"/api/gaps/similar?text={quote(GAP_PARAPHRASE)}", bearer(cast.alice))
    titles = [row["title"] for row in api.json()]
    assert titles[0] == offline.title and theirs.title not in titles

    client = Client()
    client.force_login(cast.alice)
    hint = client.get("/gaps/similar/", {"title": GAP_PARAPHRASE}).content.decode()
    assert offline.title in hint and theirs.title not in hint


@needs_model
def test_words_speak_only_for_gaps_the_index_does_not_cover_yet(cast: Cast) -> None:
    make_gap("Dark theme for the console", team=cast.north)
    index_texts()
    # Saved after the index ran: words search sees it at once, meaning once it is encoded.
    fresh = make_gap("Parquet export of usage reports", team=cast.north)

    found = suggest_similar(actor=cast.alice, text="usage reports in Parquet")
    assert [s.gap for s in found] == [fresh]
    assert found[0].reason.startswith("shared words")
    # "console" is a shared word, but the covered gap is judged by meaning, and it is far.
    assert suggest_similar(actor=cast.alice, text="the console login is slow") == []


def _debriefed(
    account: object, subject: str, description: str, went_right: str, who: object
) -> object:
    meeting = make_activity(
        account=account,
        participants=[who],
        subject=subject,
        description=description,
        starts_at=timezone.now() - timedelta(days=30),
    )
    Debrief.objects.create(activity=meeting, author=who, went_right=went_right)
    return meeting


@needs_model
def test_a_paraphrased_meeting_finds_the_similar_past_meeting_of_the_team_only(
    cast: Cast,
) -> None:
    north = make_account(cast.north, "Northwind")
    south = make_account(cast.south, "Southwind")
    security = _debriefed(
        north,
        "Security review with their CISO",
        "Single sign-on, audit trails and where customer data is stored",
        "The walkthrough of the audit trail convinced the CISO",
        cast.alice,
    )
    _debriefed(
        north,
        "Pricing workshop",
        "Discounts for a three-year commitment",
        "Procurement accepted the tiered discount",
        cast.alice,
    )
    theirs = _debriefed(
        south,
        "Security review with the CISO",
        "Single sign-on, audit trails and data residency",
        "The CISO liked the audit trail",
        cast.carol,
    )
    index_texts()
    upcoming = make_activity(
        account=north,
        participants=[cast.alice],
        subject="Infosec assessment by the chief information security officer",
        description="Identity provider login, who read what, and the country the records live in",
    )

    plan = build_plan(activity=upcoming, viewer=cast.alice)
    shown = [s.activity for s in plan.similar]
    assert shown and shown[0] == security
    assert theirs not in shown
    assert plan.similar[0].went_right.startswith("The walkthrough")

    client = Client()
    client.force_login(cast.alice)
    page = client.get(f"/meetings/{upcoming.pk}/plan/").content.decode()
    assert "Similar past meetings" in page and "Security review with their CISO" in page
    assert "Security review with the CISO" not in page

    # A meeting debriefed after the index ran is found by its words until it is encoded.
    later = _debriefed(
        north,
        "Infosec assessment for the warehouse",
        "Chief information security officer wants the identity provider login",
        "Went fine",
        cast.alice,
    )
    shown = [s.activity for s in build_plan(activity=upcoming, viewer=cast.alice).similar]
    assert security in shown and later in shown and theirs not in shown
