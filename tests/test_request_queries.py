"""What a request asks the database, and that asking less changed no answer: validation that
trusts keys already read, a deal's related ids in one query, visible rows built once per
request, work after the commit run once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from presales.activities.services import create_activity
from presales.core import access, aftercommit
from presales.core.services import references, validate_and_save
from presales.deals.access import opportunities_for
from presales.deals.models import Opportunity
from presales.deals.services import update_opportunity
from presales.notes.models import Note
from presales.people.models import Role
from presales.products.models import Competitor, Product
from presales.texts.models import Text
from tests.conftest import Cast, make_account, make_activity, make_note, make_opportunity, make_user
from tests.test_api import bearer, call


def _lookups(queries: CaptureQueriesContext, table: str) -> list[str]:
    """The existence checks of a foreign key: ``SELECT 1 AS "a" FROM table WHERE id = …``."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT 1 AS "a"') and f'FROM "{table}"' in q["sql"]
    ]


def test_a_key_already_read_is_not_looked_up_again_but_a_missing_one_is_refused(
    cast: Cast,
) -> None:
    acme = make_account(cast.north, "Acme")
    with CaptureQueriesContext(connection) as queries:
        note = validate_and_save(Note(body="Met the CISO", author=cast.alice, account=acme))
    assert note.pk and _lookups(queries, "accounts_account") == []
    assert _lookups(queries, "people_user") == []
    # Only an id, nothing read: asked, and refused when the row is not there.
    with pytest.raises(ValidationError) as refused:
        validate_and_save(Note(body="Lost", author=cast.alice, account_id=acme.pk + 1000))
    assert "account" in refused.value.message_dict
    assert Note.objects.count() == 1


def test_keys_left_as_read_are_trusted_and_a_changed_key_is_checked(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), owner=cast.bob)
    deal = Opportunity.objects.get(pk=deal.pk)  # read, nothing held
    as_read = references(deal)
    assert as_read["account"] == deal.account_id and as_read["owner"] == cast.bob.pk
    deal.amount = 1234
    with CaptureQueriesContext(connection) as queries:
        validate_and_save(deal, as_read=as_read)
    assert _lookups(queries, "accounts_account") == _lookups(queries, "people_user") == []
    deal.owner_id = cast.bob.pk + 1000  # changed since read: looked up and refused
    with pytest.raises(ValidationError) as refused:
        validate_and_save(deal, as_read=as_read)
    assert "owner" in refused.value.message_dict
    assert Opportunity.objects.get(pk=deal.pk).owner_id == cast.bob.pk


def test_an_update_through_the_api_still_refuses_a_hidden_account(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), owner=cast.alice)
    hidden = make_account(cast.south, "Elsewhere")
    answer = call(
        "patch", f"/api/opportunities/{deal.pk}", bearer(cast.alice), {"account_id": hidden.pk}
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["fields"][0]["field"] == "account_id"
    kept = call("patch", f"/api/opportunities/{deal.pk}", bearer(cast.alice), {"amount": "5"})
    assert kept.status_code == 200 and kept.json()["account_id"] == deal.account_id


def test_a_product_manager_sees_a_deal_yet_cannot_change_it_even_just_read(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), owner=cast.bob)
    with pytest.raises(access.PermissionDenied):
        update_opportunity(actor=cast.paula, opportunity=deal, changes={"amount": 1}, seen=True)
    with pytest.raises(access.PermissionDenied):
        create_activity(
            actor=cast.paula,
            fields={
                "kind": "meeting",
                "subject": "Walkthrough",
                "starts_at": deal.created_at,
                "ends_at": deal.created_at,
                "account_id": deal.account_id,
                "opportunity_id": deal.pk,
            },
        )
    assert not deal.activities.exists()
    assert Opportunity.objects.get(pk=deal.pk).amount == deal.amount


def test_one_deal_lists_its_people_products_and_competitors_as_the_list_does(
    cast: Cast,
) -> None:
    deal = make_opportunity(make_account(cast.north), owner=cast.bob)
    zed = make_user("aaron", Role.SE, team=cast.north)
    deal.sales_engineers.add(cast.alice, zed)
    products = [
        Product.objects.create(name=name, series=series)
        for name, series in (("Vault", "B"), ("Atlas", "B"), ("Zephyr", "A"))
    ]
    deal.products.add(*products)
    rivals = [Competitor.objects.create(name=name) for name in ("Umbra", "Corvid")]
    deal.competitors.add(*rivals)
    other = make_opportunity(make_account(cast.north), owner=cast.bob)
    other.competitors.add(rivals[0])  # another deal's rows stay out
    token = bearer(cast.alice)
    sent: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):  # a request empties the captured query log
        one = call("get", f"/api/opportunities/{deal.pk}", token).json()
    listed = call("get", "/api/opportunities?page_size=50", bearer(cast.alice)).json()["items"]
    same = next(item for item in listed if item["id"] == deal.pk)
    assert one["sales_engineer_ids"] == [zed.pk, cast.alice.pk]  # Aaron before Alice
    assert one["product_ids"] == [products[2].pk, products[1].pk, products[0].pk]
    assert one["competitor_ids"] == [rivals[1].pk, rivals[0].pk]
    for key in ("sales_engineer_ids", "product_ids", "competitor_ids"):
        assert one[key] == same[key], key
    # Token, deal, its three relations together, its stage history.
    assert len([sql for sql in sent if "UNION ALL" in sql]) == 1
    assert not [sql for sql in sent if "INNER JOIN" in sql and "_competitors" in sql]
    empty = make_opportunity(make_account(cast.north), owner=cast.alice)
    bare = call("get", f"/api/opportunities/{empty.pk}", bearer(cast.alice)).json()
    assert bare["sales_engineer_ids"] == bare["product_ids"] == bare["competitor_ids"] == []


def test_visible_deals_are_built_once_per_user_and_handed_out_fresh(cast: Cast) -> None:
    mine = make_opportunity(make_account(cast.north), owner=cast.bob)
    first = opportunities_for(cast.alice)
    assert list(first) == [mine]  # evaluated: its cache must not leak into the next copy
    later = make_opportunity(make_account(cast.north), owner=cast.bob)
    second = opportunities_for(cast.alice)
    assert second is not first
    assert sorted(d.pk for d in second) == [mine.pk, later.pk]
    assert str(second.query) == str(first.query)
    # Another person, another role: their own rows.
    assert list(opportunities_for(cast.carol)) == []
    cast.alice.role = Role.ADMIN
    cast.alice.is_superuser = True
    assert opportunities_for(cast.alice).count() == 2


def test_now_runs_what_is_noted_once_and_the_commit_does_not_run_it_again(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    ran: list[set[Any]] = []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        aftercommit.later("counted", [1, 2], ran.append)
        aftercommit.later("counted", [2, ("note", 3)], ran.append)
        aftercommit.now("counted", ran.append)
        assert ran == [{1, 2, ("note", 3)}]
        aftercommit.later("counted", [4], ran.append)
    assert ran == [{1, 2, ("note", 3)}, {4}]
    aftercommit.now("counted", ran.append)  # outside a transaction: nothing is pending
    assert len(ran) == 2


def test_texts_of_several_kinds_are_synced_with_one_request_for_vectors(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    acme = make_account(cast.north, "Acme")
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        note = make_note("Asked about SCIM", author=cast.alice, account=acme)
        activity = make_activity(account=acme, subject="SCIM deep dive", participants=[cast.alice])
    # Run as the commit would; what they ask to run after it (the encoder's job) is caught.
    with django_capture_on_commit_callbacks(execute=False) as asked:
        for callback in callbacks:
            callback()
    kinds = set(Text.objects.values_list("kind", "object_id"))
    assert {("note", note.pk), ("activity", activity.pk)} <= kinds
    # The encoder is asked for once per commit, not once per kind of text.
    from presales.texts import embedding

    assert len(asked) == (1 if embedding.available() else 0)


def test_a_deals_notes_through_the_deal_are_exactly_those_the_full_rule_shows(
    cast: Cast,
) -> None:
    from presales.notes.access import notes_for, notes_on_deal

    shared = make_account(cast.south, "Shared")
    ours = make_opportunity(shared, team=cast.north, owner=cast.bob)
    theirs = make_opportunity(shared, team=cast.south, owner=cast.carol)
    for deal in (ours, theirs):
        make_note(f"Pricing on {deal.name}", author=cast.carol, opportunity=deal, account=shared)
    own = make_note("Alice's aside", author=cast.alice, opportunity=theirs, account=shared)
    met = make_activity(account=shared, opportunity=theirs, participants=[cast.alice])
    on_meeting = make_note(
        "Said at the meeting", author=cast.carol, opportunity=theirs, account=shared, activity=met
    )
    for user in (cast.alice, cast.bob, cast.carol, cast.dave, cast.erin, cast.paula, cast.root):
        for deal in (ours, theirs):
            narrowed = set(notes_on_deal(user, deal.pk))
            assert narrowed == set(notes_for(user).filter(opportunity_id=deal.pk)), (user, deal)
    assert set(notes_on_deal(cast.alice, theirs.pk)) == {own, on_meeting}
    assert len(notes_on_deal(cast.alice, ours.pk)) == 1
    answer = call("get", f"/api/notes?opportunity_id={theirs.pk}", bearer(cast.alice)).json()
    assert {item["id"] for item in answer["items"]} == {own.pk, on_meeting.pk}
    for wrong in (0, -1, 2**63):  # no such deal: nothing, or the out-of-range error
        refused = call("get", f"/api/notes?opportunity_id={wrong}", bearer(cast.alice))
        assert refused.status_code in (200, 422), wrong
        assert refused.status_code == 422 or refused.json()["items"] == [], wrong
