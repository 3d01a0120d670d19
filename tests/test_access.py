from __future__ import annotations

from presales.accounts.access import accounts_for
from presales.activities.access import activities_for
from presales.core import access
from presales.deals.access import opportunities_for
from presales.deals.models import Opportunity
from presales.notes.access import notes_for
from tests.conftest import Cast, make_account, make_activity, make_note, make_opportunity


def _names(rows: object) -> set[str]:
    return {str(r) for r in rows}  # type: ignore[attr-defined]


def test_se_and_rep_see_their_teams_deals_and_not_another_teams(cast: Cast) -> None:
    north = make_opportunity(make_account(cast.north, "Northco"), name="North deal")
    make_opportunity(make_account(cast.south, "Southco"), name="South deal")
    for user in (cast.alice, cast.bob):
        assert _names(opportunities_for(user)) == {"North deal"}
        assert _names(accounts_for(user)) == {"Northco"}
    assert _names(opportunities_for(cast.carol)) == {"South deal"}
    assert access.can_see(cast.alice, north)
    assert not access.can_see(cast.carol, north)


def test_an_se_assigned_to_another_teams_deal_sees_that_deal_and_its_account(cast: Cast) -> None:
    south = make_opportunity(make_account(cast.south, "Southco"), name="South deal")
    south.sales_engineers.add(cast.alice)
    assert "South deal" in _names(opportunities_for(cast.alice))
    assert "Southco" in _names(accounts_for(cast.alice))
    assert not access.can_see(cast.bob, south)


def test_managers_see_the_teams_of_their_reports_and_the_teams_they_manage(cast: Cast) -> None:
    make_opportunity(make_account(cast.north), name="North deal")
    make_opportunity(make_account(cast.south), name="South deal")
    make_opportunity(make_account(cast.west), name="West deal")
    # dave manages alice (North) and sits in West; he does not manage South.
    assert _names(opportunities_for(cast.dave)) == {"North deal", "West deal"}
    # erin manages team South and nobody's reporting line.
    assert _names(opportunities_for(cast.erin)) == {"South deal"}


def test_product_manager_reads_everything_but_changes_no_deal(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north))
    make_opportunity(make_account(cast.south))
    assert opportunities_for(cast.paula).count() == 2
    assert access.can_see(cast.paula, deal)
    assert not access.can_change(cast.paula, deal)
    assert access.can_change(cast.bob, deal)
    assert access.can_change(cast.root, deal)


def test_activities_follow_their_deal_and_their_participants(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.south))
    make_activity(opportunity=deal, subject="South call")
    make_activity(subject="Alice internal", participants=[cast.alice], customer_facing=False)
    assert _names(activities_for(cast.alice)) == {"Alice internal"}
    assert _names(activities_for(cast.carol)) == {"South call"}
    assert activities_for(cast.root).count() == 2


def test_notes_are_visible_through_their_account_and_editable_by_author_or_manager(
    cast: Cast,
) -> None:
    account = make_account(cast.north)
    note = make_note("Met the CISO", author=cast.bob, account=account)
    assert notes_for(cast.alice).filter(pk=note.pk).exists()
    assert not notes_for(cast.carol).filter(pk=note.pk).exists()
    assert access.can_change(cast.bob, note)
    assert not access.can_change(cast.alice, note)
    assert access.can_change(cast.dave, note)
    assert not access.can_change(cast.erin, note)


def test_anonymous_users_see_nothing(cast: Cast) -> None:
    from django.contrib.auth.models import AnonymousUser

    make_opportunity(make_account(cast.north))
    assert opportunities_for(AnonymousUser()).count() == 0
    assert Opportunity.objects.count() == 1


def test_notes_on_internal_activities_are_seen_by_participants_only(cast: Cast) -> None:
    internal = make_activity(
        subject="Pricing prep", participants=[cast.alice], customer_facing=False
    )
    note = make_note("Draft the discount table", author=cast.dave, activity=internal)
    assert notes_for(cast.alice).filter(pk=note.pk).exists()
    assert notes_for(cast.dave).filter(pk=note.pk).exists()  # the author
    assert not notes_for(cast.bob).filter(pk=note.pk).exists()
    assert not notes_for(cast.carol).filter(pk=note.pk).exists()
