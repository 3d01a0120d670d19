"""Search checks its best candidates for visibility instead of listing every visible text:
the answer must be exactly the permission rule's, whichever way it is reached."""

from __future__ import annotations

import pytest

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


def test_listing_past_the_threshold_gives_the_same_answer(
    cast: Cast, texts: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = Visibility(cast.alice, {})
    first = checked.among(texts[:3])
    monkeypatch.setattr(visibility, "LIST_AFTER", 4)
    listed = Visibility(cast.alice, {})
    assert listed.among(texts[:3]) == first
    assert listed.listed is None
    assert listed.among(texts) == rule(cast.alice)
    assert listed.listed is not None


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
