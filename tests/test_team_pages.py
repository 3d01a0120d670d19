"""The out-of-band page: an SE logs a request, bad input keeps what was typed, the manager
hands the recurring problem to a czar and its scoreboard counts the requests since."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from presales.team.models import ProblemOwner
from presales.team.outofband import team_out_of_band
from tests.conftest import PASSWORD, Cast

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_out_of_band_is_logged_handed_over_and_scored_on_the_page(cast: Cast) -> None:
    alice = _client("alice")
    url = f"/team/out-of-band/{cast.north.pk}/log/"
    yesterday = str(timezone.localdate() - timedelta(days=1))
    bad = alice.post(url, {"department": "Support", "problem": "Reset the licence server"})
    assert bad.status_code == 422
    assert "Reset the licence server" in bad.content.decode()  # nothing typed is lost
    for minutes in ("45", "75"):
        done = alice.post(
            url,
            {
                "department": "Support",
                "problem": "Reset the licence server",
                "minutes": minutes,
                "day": yesterday,
            },
        )
        assert done.status_code == 302
    page = alice.get("/team/out-of-band/", {"team": cast.north.pk}).content.decode()
    assert "2.0 h" in page and "Support" in page and "2 times" in page
    assert 'id="hand-over"' not in page  # an SE does not hand problems over

    dave = _client("dave")
    refused = alice.post(
        f"/team/out-of-band/{cast.north.pk}/hand-over/",
        {"problem": "Licence server", "keywords": "licence", "czar": cast.alice.pk},
    )
    assert refused.status_code == 403
    handed = dave.post(
        f"/team/out-of-band/{cast.north.pk}/hand-over/",
        {
            "problem": "Licence server resets",
            "keywords": "licence server",
            "czar": cast.alice.pk,
            "goal": "Support resets it themselves",
            "handed_over_on": str(timezone.localdate() - timedelta(days=14)),
        },
    )
    assert handed.status_code == 302
    assert ProblemOwner.objects.get().czar == cast.alice
    page = dave.get("/team/out-of-band/", {"team": cast.north.pk}).content.decode()
    assert "Licence server resets" in page and "a week since" in page
    board = team_out_of_band(team=cast.north).scoreboards[0]
    assert sum(n for _, n in board.weekly) == 2 and board.since_per_week > 0
    assert dave.get("/team/out-of-band/", {"team": cast.south.pk}).status_code == 404
