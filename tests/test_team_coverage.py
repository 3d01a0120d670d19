"""Coverage: SE-to-rep ratios per region and per line of business, and late-stage deals with no
SE, computed by hand on a fixture."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from presales.activities.models import Activity
from presales.deals.access import opportunities_for
from presales.deals.models import Opportunity, Stage
from presales.people.models import Role
from presales.team.coverage import by_line, by_region, coverage_json, late_without_se
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


def _world(cast: Cast) -> dict[str, Opportunity]:
    make_user("rita", Role.REP, team=cast.north)
    make_user("ron", Role.REP, team=cast.north)
    make_user("rick", Role.REP, team=cast.south)
    make_user("gone", Role.REP, team=cast.north, is_active=False)
    account = make_account(cast.north, "Initech")
    gtx, nova = make_product("GTX Pro"), make_product("Nova Edge")
    deals = {
        "named": make_opportunity(account, stage=Stage.PROPOSAL, owner=cast.bob, amount="500"),
        "met": make_opportunity(account, stage=Stage.NEGOTIATION, owner=cast.bob),
        "bare": make_opportunity(account, stage=Stage.PROPOSAL, owner=cast.bob, amount="900"),
        "cancelled": make_opportunity(account, stage=Stage.POC, amount="100"),
        "early": make_opportunity(account, stage=Stage.DISCOVERY),
        "won": make_opportunity(account, stage=Stage.WON),
    }
    deals["named"].sales_engineers.add(cast.alice)
    deals["named"].products.add(gtx)
    deals["bare"].products.add(gtx, nova)
    deals["won"].products.add(nova)
    make_activity(opportunity=deals["met"], account=account, participants=[cast.alice])
    make_activity(
        opportunity=deals["cancelled"],
        account=account,
        participants=[cast.alice],
        status=Activity.Status.CANCELLED,
        starts_at=timezone.now() + timedelta(days=2),
    )
    # A rep at a meeting is no SE involvement.
    make_activity(opportunity=deals["bare"], account=account, participants=[cast.bob])
    return deals


def test_coverage_by_hand(cast: Cast) -> None:
    deals = _world(cast)
    everything = Opportunity.objects.all()
    regions = {r.name: r for r in by_region(everything)}
    # East (North): Alice; Bob, Rita and Ron (the inactive rep does not count).
    east = regions["East"]
    assert (east.ses, east.reps, east.ratio) == (1, 3, "1 : 3.0")
    # Five open deals, two with an SE (named; at a meeting).
    assert (east.open_deals, east.deals_with_se) == (5, 2)
    far = regions["Far"]
    assert (far.ses, far.reps, far.ratio, far.open_deals) == (1, 1, "1 : 1.0", 0)

    lines = {r.name: r for r in by_line(everything)}
    # GTX: the named and the bare deal; one SE (Alice), one rep (Bob), one of two covered.
    assert (lines["GTX"].ses, lines["GTX"].reps) == (1, 1)
    assert (lines["GTX"].open_deals, lines["GTX"].deals_with_se) == (2, 1)
    # Nova: only the bare deal is open (the won one is not).
    assert (lines["Nova"].ses, lines["Nova"].open_deals, lines["Nova"].ratio) == (0, 1, "no SE")

    late = list(late_without_se(everything))
    assert late == [deals["bare"], deals["cancelled"]]  # biggest first; early and won left out
    data = coverage_json(everything)
    assert [d["name"] for d in data["late_stage_without_se"]] == [
        deals["bare"].name,
        deals["cancelled"].name,
    ]
    east_json = next(r for r in data["by_region"] if r["name"] == "East")
    assert east_json["deals_with_se"] == {"n": 2, "N": 5} and east_json["reps_per_se"] == 3.0


def test_the_page_counts_only_the_deals_the_viewer_sees(cast: Cast) -> None:
    deals = _world(cast)
    assert not late_without_se(opportunities_for(cast.carol)).exists()
    client = Client()
    assert client.login(username="carol", password=PASSWORD)
    page = client.get("/team/coverage/").content.decode()
    assert deals["bare"].name not in page and "Every late-stage deal you can see" in page
    assert client.login(username="bob", password=PASSWORD)
    page = client.get("/team/coverage/").content.decode()
    late = page[page.index('id="late-without-se"') :]
    assert deals["bare"].name in late and deals["named"].name not in late
    assert "1 : 3.0" in page
