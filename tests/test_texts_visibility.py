"""Search filters its candidates by the ids of the texts a user may see, kept per user until
something that decides visibility changes: the answer must be exactly the permission rule's."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from presales.accounts.models import Account
from presales.activities.models import Activity
from presales.deals.models import Stage
from presales.people.models import User
from presales.texts import decides, visibility
from presales.texts.access import texts_for
from presales.texts.models import Text
from presales.texts.services import index_texts, search_texts
from presales.texts.visibility import Visibility, ranked_visible
from tests.conftest import Cast, make_account, make_activity, make_note, make_opportunity


@pytest.fixture
def texts(cast: Cast) -> list[int]:
    north = make_account(cast.north, "Northwind")
    south = make_account(cast.south, "Southwind")
    for i in range(12):
        make_note(f"Southwind reporting backlog item {i}", author=cast.carol, account=south)
    make_note("Northwind reporting backlog", author=cast.alice, account=north)
    make_note("A note alice wrote on the south account", author=cast.alice, account=south)
    make_activity(account=south, subject="Southwind reporting workshop", participants=[cast.alice])
    make_activity(account=south, subject="Southwind reporting review")
    index_texts(meaning=False)
    return list(Text.objects.order_by("pk").values_list("pk", flat=True))


def rule(cast_user: object) -> set[int]:
    return set(texts_for(cast_user).values_list("pk", flat=True))  # type: ignore[arg-type]


def test_candidates_seen_are_exactly_those_the_rule_allows(cast: Cast, texts: list[int]) -> None:
    for user in (cast.alice, cast.carol, cast.bob, cast.root):
        expected = rule(user)
        assert Visibility(user, {}).among(texts) == expected, user.username
    alice_sees = rule(cast.alice)
    # Her own note on another team's account and the meeting she attended, not the rest.
    assert len(alice_sees) == 3 and len(alice_sees) < len(texts)


def test_the_kept_answer_follows_a_change_of_account_team(cast: Cast, texts: list[int]) -> None:
    before = Visibility(cast.alice, {}).among(texts)
    assert Visibility(cast.alice, {}).ids is visibility.allowed_ids(cast.alice)  # kept
    south = Account.objects.get(name="Southwind")
    south.team = cast.north
    south.save()
    after = Visibility(cast.alice, {}).among(texts)
    assert after == rule(cast.alice)
    assert len(after) > len(before)  # the Southwind texts came into her team's view


def test_the_kept_answer_follows_a_new_participant(cast: Cast, texts: list[int]) -> None:
    review = Activity.objects.get(subject="Southwind reporting review")
    text = Text.objects.get(kind="activity", object_id=review.pk).pk
    assert text not in Visibility(cast.alice, {}).among(texts)
    review.participants.add(cast.alice)
    assert text in Visibility(cast.alice, {}).among(texts)


def test_the_kept_answer_follows_a_commit_in_another_process(cast: Cast, texts: list[int]) -> None:
    kept = visibility.allowed_ids(cast.alice)
    assert visibility.allowed_ids(cast.alice) is kept
    visibility._touch_marker()  # what another web process does when its write commits
    assert visibility.allowed_ids(cast.alice) is not kept


def test_filters_apply_to_the_candidates(cast: Cast, texts: list[int]) -> None:
    kinds = Visibility(cast.root, {"kind": "activity"}).among(texts)
    assert kinds == set(Text.objects.filter(kind="activity").values_list("pk", flat=True))
    assert len(kinds) == 2


def test_ranked_candidates_are_asked_for_again_until_enough_are_visible(
    cast: Cast, texts: list[int]
) -> None:
    asked: list[int] = []

    def ranked(n: int) -> list[int]:
        asked.append(n)
        return texts[::-1][:n]

    visibility._shares.clear()  # no share remembered from an earlier search
    found = ranked_visible(ranked, 3, Visibility(cast.alice, {}), first=2)
    assert set(found) == rule(cast.alice)
    # At least k; then, 2 of 3 visible, enough more for the third at that share with a margin.
    assert asked == [3, 6]


def test_search_as_a_user_who_sees_few_texts_finds_only_those(cast: Cast, texts: list[int]) -> None:
    hits = search_texts(actor=cast.alice, query="Southwind reporting").hits
    assert {h.text.pk for h in hits} <= rule(cast.alice)
    assert [h.text.body for h in hits] == [
        "Southwind reporting workshop",  # both words, and a meeting she attended
        "Northwind reporting backlog",  # one word, on her team's account
    ]
    everyone = search_texts(actor=cast.root, query="Southwind reporting").hits
    assert len(everyone) == 15  # every text holding a word, none hidden from an admin


def test_a_new_note_is_found_by_its_authors_next_search_without_listing_anew(
    cast: Cast, texts: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = visibility.allowed_ids(cast.alice)
    visibility.allowed_ids(cast.carol)
    before = visibility.version()
    north = Account.objects.get(name="Northwind")
    note = make_note("Zebrafish telemetry pilot agreed", author=cast.alice, account=north)
    text = Text.objects.get(kind="note", object_id=note.pk).pk
    assert visibility.version() == before  # a new note changes what no one else sees
    if connection.vendor == "sqlite":  # the new text alone is checked, nothing listed anew

        def listing(user: object) -> None:
            raise AssertionError("listed anew")

        monkeypatch.setattr(visibility, "texts_for", listing)
    hits = search_texts(actor=cast.alice, query="zebrafish telemetry").hits
    assert [h.text.pk for h in hits] == [text]
    assert set(visibility.allowed_ids(cast.alice)) == set(kept) | {text}
    assert not search_texts(actor=cast.carol, query="zebrafish telemetry").hits


def test_a_deal_moved_to_another_team_leaves_a_former_members_search(cast: Cast) -> None:
    north = make_account(cast.north, "Northwind")
    deal = make_opportunity(north, name="Quokka rollout")
    note = make_note("Quokka rollout needs the SSO bridge", author=cast.bob, opportunity=deal)
    index_texts(meaning=False)
    text = Text.objects.get(kind="note", object_id=note.pk).pk
    assert [h.text.pk for h in search_texts(actor=cast.alice, query="quokka").hits] == [text]
    assert not search_texts(actor=cast.carol, query="quokka").hits
    deal.team = cast.south
    deal.save()
    assert not search_texts(actor=cast.alice, query="quokka").hits
    assert [h.text.pk for h in search_texts(actor=cast.carol, query="quokka").hits] == [text]


def test_only_writes_that_decide_who_sees_what_move_the_version(
    cast: Cast, texts: list[int]
) -> None:
    north = Account.objects.get(name="Northwind")
    deal = make_opportunity(north, name="Quokka rollout")
    note = make_note("A note on the deal", author=cast.alice, opportunity=deal)
    before = visibility.version()
    note.body = "A note on the deal, edited"
    note.save()
    deal.stage = Stage.PROPOSAL
    deal.amount = deal.amount + 1
    deal.save()
    cast.alice.first_name = "Alicia"
    cast.alice.save()
    with transaction.atomic():  # as a request saves a meeting, its text written after
        make_activity(account=north, subject="A new meeting", participants=[cast.alice])
    assert visibility.version() == before
    note.opportunity = None
    note.account = Account.objects.get(name="Southwind")
    note.save()
    assert visibility.version() != before
    moved = visibility.version()
    Activity.objects.get(subject="Southwind reporting review").participants.add(cast.bob)
    assert visibility.version() != moved


def test_listing_what_a_user_sees_reads_only_columns_that_move_the_version(
    cast: Cast, texts: list[int]
) -> None:
    """A rule that comes to read another column fails here until ``decides`` names it."""
    tables = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}
    declared: dict[str, set[str] | None] = {"texts_text": None}
    for table, model in tables.items():
        fields = decides.decided_by(model)
        if fields is not False:
            columns = {model._meta.pk.column}
            for name in fields or ():
                columns.add(model._meta.get_field(name).column)  # type: ignore[union-attr]
            declared[table] = None if fields is None else columns
    read: list[str] = []
    for user in (cast.alice, cast.bob, cast.carol, cast.dave, cast.erin):
        fresh = User.objects.get(pk=user.pk)  # nothing kept from an earlier rule
        with CaptureQueriesContext(connection) as queries:
            list(texts_for(fresh).values_list("pk", flat=True))
        read += [q["sql"] for q in queries.captured_queries]
    assert read
    for sql in (q.split(" ORDER BY ")[0] for q in read):  # an order decides nothing
        named = re.findall(r'(?:FROM|JOIN) "(\w+)"(?: (\w+))?', sql)
        assert {table for table, _ in named} <= set(declared), sql
        bound: dict[str, set[str]] = {}
        for table, alias in named:
            bound.setdefault(alias or table, set()).add(table)
        for alias, column in re.findall(r'"?(\w+)"?\."(\w+)"', sql):
            choices = [declared[t] for t in bound.get(alias, {alias}) if t in declared]
            assert any(c is None or column in c for c in choices), (alias, column, sql)
