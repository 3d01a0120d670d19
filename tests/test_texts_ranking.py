"""The fused ranking: a paraphrase found by meaning keeps its place against texts that merely
share a word with the query, while an exact name or code still comes first by words."""

from __future__ import annotations

from typing import Any

import pytest

from presales.texts import embedding, fusion, vectors
from presales.texts.models import TextVector
from presales.texts.services import encode_pending, index_texts, meaning_coverage, search_texts
from tests.conftest import Cast, make_account, make_note

needs_model = pytest.mark.skipif(
    not embedding.available(), reason="the meaning extra (presales[meaning]) is not installed"
)

PARAPHRASED = "Their finance director put every software purchase on ice until the merger closes."
# Each holds one word of the query below, and none of them is about what it asks.
WORD_SHARERS = [
    "Spending on snacks for the workshop came out of the events line.",
    "Pending items from the kickoff: send the agenda and the deck.",
    "Acquisition of new customers is what their marketing team is measured on.",
    "The halted slide in the demo came from a broken projector cable.",
    "Spending time with their architects paid off during the design review.",
]
QUERY = "spending halted pending acquisition"


@pytest.fixture(autouse=True)
def _fresh_vector_cache() -> None:
    vectors.invalidate()


def bodies(result: Any) -> list[str]:
    return [h.text.body for h in result.hits]


@needs_model
def test_a_paraphrase_found_by_meaning_stays_above_texts_sharing_single_words(
    cast: Cast,
) -> None:
    account = make_account(cast.north, "Northwind")
    for body in [*WORD_SHARERS, PARAPHRASED]:
        make_note(body, author=cast.alice, account=account)
    index_texts()
    result = search_texts(actor=cast.alice, query=QUERY)
    assert bodies(result)[0] == PARAPHRASED
    assert result.hits[0].words_rank is None and result.hits[0].meaning_rank == 1


@needs_model
def test_an_exact_account_name_comes_first_by_words(cast: Cast) -> None:
    account = make_account(cast.north, "Northwind")
    close_in_meaning = [
        "The contract runs out in March and they want to extend it for two more years.",
        "Extending the subscription for another term is on the agenda with procurement.",
        "They will sign the extension of the licence agreement if the price holds.",
    ]
    named = "Quiet call with Zentrovix; nothing new on their side."
    for body in [*close_in_meaning, named]:
        make_note(body, author=cast.alice, account=account)
    index_texts()
    for query in ("Zentrovix", "Zentrovix renewal"):
        result = search_texts(actor=cast.alice, query=query)
        assert bodies(result)[0] == named, query
        assert result.hits[0].words_rank == 1


@needs_model
def test_a_ticket_code_with_a_hyphen_is_found_first_by_words(cast: Cast) -> None:
    account = make_account(cast.north, "Northwind")
    make_note(
        "Escalation about login failures, tracked as INC-4821.", author=cast.alice, account=account
    )
    make_note(
        "Escalation about login failures after the upgrade; no ticket yet.",
        author=cast.alice,
        account=account,
    )
    make_note(
        "Login failures again, tracked as INC-7730 on their side.",
        author=cast.alice,
        account=account,
    )
    index_texts()
    result = search_texts(actor=cast.alice, query="INC-4821")
    assert bodies(result)[0].endswith("INC-4821.")


def test_words_score_only_when_the_query_words_really_occur() -> None:
    weights = fusion.idf_weights(
        {"zentrovix": 1, "security": 400, "audit": 300, "renewal": 0}, 1000
    )
    # A word no text holds weighs most and no text can hold it.
    assert weights["renewal"] == max(weights.values())
    assert fusion.coverage({"zentrovix", "security", "audit"}, weights) < 0.75
    all_present = fusion.idf_weights({"zentrovix": 1, "security": 400, "audit": 300}, 1000)
    assert fusion.coverage({"zentrovix", "security", "audit"}, all_present) == pytest.approx(1.0)
    one_common = fusion.coverage({"security"}, all_present)
    only_name = fusion.coverage({"zentrovix"}, all_present)
    assert one_common < 0.25 < only_name
    strong_meaning = fusion.Candidate(1, similarity=0.55, meaning_rank=1)
    one_word = fusion.Candidate(2, similarity=0.3, meaning_rank=2, words_rank=1)
    one_word.coverage = one_common
    assert [c.pk for c in fusion.fuse([one_word, strong_meaning])] == [1, 2]
    # The former rank fusion put the text found by both lists first.
    assert [c.pk for c in fusion.fuse_by_rank([strong_meaning, one_word])] == [2, 1]


def test_the_only_query_word_the_texts_hold_is_not_a_full_match() -> None:
    # "vessels at sea with intermittent connectivity": only "connectivity" occurs anywhere.
    weights = fusion.idf_weights(
        {"vessels": 0, "sea": 0, "intermittent": 0, "connectivity": 120}, 2000
    )
    sharer = fusion.Candidate(1, similarity=0.33, meaning_rank=5, words_rank=1)
    sharer.coverage = fusion.coverage({"connectivity"}, weights)
    paraphrase = fusion.Candidate(2, similarity=0.47, meaning_rank=1)
    assert sharer.coverage < 0.2
    assert [c.pk for c in fusion.fuse([sharer, paraphrase])] == [2, 1]


SHIPS = "The pilot has to run on cargo ships whose satellite link drops for hours at a time."
CONNECTIVITY_SHARERS = [
    "Connectivity of the reporting module to their data warehouse is next on the list.",
    "They asked about connectivity to their single sign-on provider.",
    "Connectivity tests for the new office printers passed on Tuesday.",
]


@needs_model
def test_a_paraphrase_beats_texts_holding_the_queries_only_known_word(cast: Cast) -> None:
    account = make_account(cast.north, "Northwind")
    for body in [*CONNECTIVITY_SHARERS, SHIPS]:
        make_note(body, author=cast.alice, account=account)
    index_texts()
    result = search_texts(actor=cast.alice, query="vessels at sea with intermittent connectivity")
    assert bodies(result)[0] == SHIPS
    assert result.hits[0].words_rank is None
    assert {h.text.body for h in result.hits[1:4]} == set(CONNECTIVITY_SHARERS)


@needs_model
def test_encoding_goes_notes_first_and_coverage_counts_what_has_a_vector(cast: Cast) -> None:
    from tests.conftest import make_activity

    account = make_account(cast.north, "Northwind")
    make_activity(account=account, subject="Workshop on the reporting module")
    make_note("They want the reporting module in German.", author=cast.alice, account=account)
    index_texts(meaning=False)
    assert meaning_coverage() == (0, 2)
    steps: list[tuple[str, int, int, list[str]]] = []

    def progress(step: str, done: int, total: int) -> None:
        kinds = sorted(TextVector.objects.values_list("text__kind", flat=True))
        steps.append((step, done, total, kinds))

    assert encode_pending(batch_size=1, progress=progress) == 2
    assert steps == [
        ("encode", 0, 2, []),
        ("encode", 1, 2, ["note"]),
        ("encode", 2, 2, ["activity", "note"]),
    ]
    assert meaning_coverage() == (2, 2)


@needs_model
def test_debriefs_gaps_and_commitments_are_searchable_and_follow_their_rules(
    cast: Cast,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from presales.meetings.models import Commitment, Debrief
    from tests.conftest import make_activity, make_gap

    north = make_account(cast.north, "Northwind")
    south = make_account(cast.south, "Southwind")
    meeting = make_activity(account=north, participants=[cast.alice])
    Debrief.objects.create(
        activity=meeting, author=cast.alice, went_wrong="The sandbox crashed during the demo."
    )
    make_gap("Offline mode for the mobile app", team=cast.north, account=north)
    Commitment.objects.create(
        account=south,
        what="Send the penetration test summary",
        promised_by="Carol",
        due_on=timezone.localdate() + timedelta(days=7),
    )
    index_texts()
    kinds = {h.text.kind for h in search_texts(actor=cast.root, query="sandbox crashed").hits}
    assert "debrief" in kinds
    gap_hits = search_texts(actor=cast.alice, query="use the phone application without a network")
    assert gap_hits.hits[0].text.kind == "gap"
    assert gap_hits.hits[0].text.body.startswith("Offline mode for the mobile app")
    seen = search_texts(actor=cast.alice, query="penetration test summary").hits
    assert all(h.text.kind != "commitment" for h in seen)  # a South account: not alice's
    assert search_texts(actor=cast.carol, query="penetration test summary").hits[0].text.kind == (
        "commitment"
    )


@needs_model
def test_gap_duplicates_are_suggested_by_meaning_before_words(cast: Cast) -> None:
    from presales.gaps.similarity import suggest_similar
    from tests.conftest import make_gap

    offline = make_gap("Offline mode for the mobile app", team=cast.north)
    make_gap("Dark theme for the console", team=cast.north)
    index_texts()
    found = suggest_similar(
        actor=cast.alice, text="The mobile application must keep working offline"
    )
    assert found and found[0].gap == offline
    assert found[0].reason.startswith("close in meaning")


def test_the_words_each_candidate_holds_follow_the_indexes_stemming(cast: Cast) -> None:
    from django.db import connection

    from presales.texts import words
    from presales.texts.models import Text

    account = make_account(cast.north, "Northwind")
    bodies = [
        "Their scanners crashed twice during the pilot, tracked as INC-4821.",
        "The scanner crashes again; the pilots were annoyed.",
        "Nothing about hardware here, only pricing.",
        "INC 4821 is closed; INC-7730 is open.",
    ]
    for body in bodies:
        make_note(body, author=cast.alice, account=account)
    index_texts(meaning=False)
    ids = dict(Text.objects.values_list("body", "pk"))
    terms = words.fts_terms("scanner crashing pilots INC-4821 printer")
    assert terms == ["scanner", "crashing", "pilots", "inc 4821", "printer"]
    # Every text is a candidate but the last: its words are not looked at.
    candidates = [ids[b] for b in bodies[:3]]
    frequency, holds = words.term_presence(terms, candidates)
    expected = {
        ids[bodies[0]]: {"scanner", "crashing", "pilots", "inc 4821"},
        ids[bodies[1]]: {"scanner", "crashing", "pilots"},
        ids[bodies[2]]: set(),
    }
    counts = {"scanner": 2, "crashing": 2, "pilots": 2, "inc 4821": 2, "printer": 0}
    if connection.vendor != "sqlite":  # PostgreSQL's parser reads "INC-4821" as "inc", "-4821"
        expected = {pk: held - {"inc 4821"} for pk, held in expected.items()}
        holds = {pk: held - {"inc 4821"} for pk, held in holds.items()}
        counts["inc 4821"] = frequency["inc 4821"] = 1
    assert frequency == counts
    assert holds == expected
    # Asked again (the scratch table is emptied between searches), with other candidates.
    assert words.term_presence(["inc 4821"], [ids[bodies[3]]])[1] == {ids[bodies[3]]: {"inc 4821"}}
