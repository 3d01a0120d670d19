"""Search filters its candidates by the ids of the texts a user may see, kept per user until
something that decides visibility changes: the answer must be exactly the permission rule's."""

from __future__ import annotations

import pytest

from presales.accounts.models import Account
from presales.activities.models import Activity
from presales.texts import visibility
from presales.texts.access import texts_for
from presales.texts.models import Text
from presales.texts.services import index_texts, search_texts
from presales.texts.visibility import Visibility, ranked_visible
from tests.conftest import Cast, make_account, make_activity, make_note


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
