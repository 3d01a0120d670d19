"""The text service: index, hybrid search, labels and corrections, themes, similar deals.

The meaning model loads once per test process (presales.texts.embedding keeps it), so only the
first test that encodes pays the few seconds.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from presales.deals.models import Stage
from presales.products.models import Competitor
from presales.texts import embedding, rules, vectors
from presales.texts.models import LabelCorrection, Text, TextVector
from presales.texts.services import (
    correct_label,
    evaluate_labels,
    group_texts,
    index_texts,
    search_texts,
    similar_deals,
)
from tests.conftest import Cast, make_account, make_activity, make_note, make_opportunity


@pytest.fixture(autouse=True)
def _fresh_vector_cache() -> None:
    # Each test's database is rolled back; the process-wide matrix must not outlive it.
    vectors.invalidate()


needs_model = pytest.mark.skipif(
    not embedding.available(), reason="the meaning extra (presales[meaning]) is not installed"
)

# Six notes about different things; the query below shares no word with the one it must find.
NOTES = [
    "The CFO froze all discretionary spending until January.",
    "Demo of the reporting module went well; they loved the dashboards.",
    "Asked for a Salesforce connector and single sign-on with Okta.",
    "Their warehouse scanners crash twice a day and pickers lose orders.",
    "Kickoff agenda: introductions, goals, timeline, next steps.",
    "Sent the pricing sheet with volume discounts to procurement.",
]


def at(day: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(day))


def write(cast: Cast, bodies: list[str], **where: Any) -> list[Any]:
    """Notes by alice on a North account unless told otherwise (a South account: by carol)."""
    account = where.pop("account", None) or make_account(cast.north, "Northwind")
    author = where.pop("author", cast.alice if account.team_id != cast.south.pk else cast.carol)
    return [make_note(b, author=author, account=account, **where) for b in bodies]


def ids_of(result: Any) -> list[str]:
    return [h.text.body for h in result.hits]


@needs_model
def test_search_by_meaning_finds_a_paraphrase_that_shares_no_word_with_the_query(
    cast: Cast,
) -> None:
    write(cast, NOTES)
    index_texts()
    result = search_texts(actor=cast.alice, query="budget freeze, no money to buy")
    assert result.mode == "hybrid" and result.notice == ""
    assert ids_of(result)[0] == NOTES[0]
    assert result.hits[0].words_rank is None and result.hits[0].meaning_rank == 1


@needs_model
def test_hybrid_ranking_puts_a_text_with_the_words_and_the_meaning_first(cast: Cast) -> None:
    write(cast, NOTES)
    index_texts()
    result = search_texts(actor=cast.alice, query="scanners crashing in the warehouse")
    top = result.hits[0]
    assert top.text.body == NOTES[3]
    assert top.meaning_rank == 1 and top.words_rank == 1
    assert "<mark>scanners</mark>" in top.snippet and "<mark>crash</mark>" in top.snippet


def test_search_shows_only_texts_the_user_may_see(cast: Cast) -> None:
    write(cast, ["Kubernetes cluster upgrade on the north side"])
    write(cast, ["Kubernetes rollout in the south"], account=make_account(cast.south))
    index_texts()
    alice = ids_of(search_texts(actor=cast.alice, query="kubernetes"))
    carol = ids_of(search_texts(actor=cast.carol, query="kubernetes"))
    paula = ids_of(search_texts(actor=cast.paula, query="kubernetes"))
    assert alice == ["Kubernetes cluster upgrade on the north side"]
    assert carol == ["Kubernetes rollout in the south"]
    assert sorted(paula) == sorted(alice + carol)


def test_search_filters_by_account_author_kind_and_dates(cast: Cast) -> None:
    north, other = make_account(cast.north, "North Co"), make_account(cast.north, "Other Co")
    old = make_note("Firewall review with the network team", author=cast.alice, account=north)
    Text.objects.all().delete()
    old.created_at = at("2026-01-10T09:00")
    old.save()
    make_note("Firewall rules for the pilot", author=cast.bob, account=north)
    make_note("Firewall questions from Other Co", author=cast.alice, account=other)
    make_activity(account=north, subject="Firewall workshop", participants=[cast.alice])
    index_texts()

    def found(**filters: Any) -> list[str]:
        return sorted(ids_of(search_texts(actor=cast.alice, query="firewall", **filters)))

    assert len(found()) == 4
    assert found(account_id=other.pk) == ["Firewall questions from Other Co"]
    assert found(author_id=cast.bob.pk) == ["Firewall rules for the pilot"]
    assert found(kind="activity") == ["Firewall workshop"]
    assert found(written_before=at("2026-02-01T00:00")) == ["Firewall review with the network team"]
    assert "Firewall review with the network team" not in found(
        written_after=at("2026-02-01T00:00")
    )


def test_bad_search_input_is_refused_with_field_errors(cast: Cast) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as short:
        search_texts(actor=cast.alice, query="a")
    assert "q" in short.value.message_dict
    with pytest.raises(ValidationError) as kind:
        search_texts(actor=cast.alice, query="firewall", kind="email")
    assert "kind" in kind.value.message_dict


def test_a_lean_install_searches_words_only_and_says_so(cast: Cast, settings: Any) -> None:
    settings.TEXT_MODEL = "off"
    write(cast, NOTES)
    report = index_texts()
    assert report.meaning is False and report.encoded == 0
    assert not TextVector.objects.exists()
    result = search_texts(actor=cast.alice, query="pricing discounts")
    assert result.mode == "words" and "turned off" in result.notice
    assert ids_of(result) == [NOTES[5]]
    assert ids_of(search_texts(actor=cast.alice, query="budget freeze")) == []


@needs_model
def test_search_says_when_nothing_is_encoded_yet(cast: Cast) -> None:
    write(cast, NOTES)  # the save signal indexes words and labels, not vectors
    result = search_texts(actor=cast.alice, query="pricing discounts")
    assert "presales index" in result.notice
    assert ids_of(result) == [NOTES[5]]


@needs_model
def test_index_encodes_only_new_or_changed_texts_and_forgets_deleted_ones(cast: Cast) -> None:
    notes = write(cast, NOTES[:3])
    first = index_texts()
    assert (first.added, first.encoded) == (0, 3)  # the save signal added the rows already
    again = index_texts()
    assert (again.added, again.changed, again.encoded, again.labelled) == (0, 0, 0, 0)
    notes[0].body = "The CFO lifted the spending freeze."
    notes[0].save()
    notes[2].delete()
    make_note("A brand new note", author=cast.alice, account=notes[1].account)
    third = index_texts()
    assert third.encoded == 2 and Text.objects.count() == 3
    text = Text.objects.get(kind="note", object_id=notes[0].pk)
    assert text.vector.content_hash == text.content_hash


@needs_model
def test_index_catches_up_with_bulk_writes_that_sent_no_signal(cast: Cast) -> None:
    from presales.notes.models import Note

    account = make_account(cast.north)
    Note.objects.bulk_create([Note(body=b, account=account) for b in NOTES[:2]])
    assert Text.objects.count() == 0
    report = index_texts()
    assert (report.added, report.encoded) == (2, 2)


@needs_model
def test_index_resumes_after_an_interruption_without_redoing_finished_batches(
    cast: Cast,
) -> None:
    write(cast, NOTES)
    calls = {"n": 0}

    def stop_after_first_batch(step: str, done: int, total: int) -> None:
        if step == "encode" and done > 0:
            calls["n"] += 1
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        index_texts(batch_size=2, progress=stop_after_first_batch)
    assert TextVector.objects.count() == 2
    rest = index_texts(batch_size=2)
    assert rest.encoded == 4 and TextVector.objects.count() == 6


@needs_model
def test_a_different_model_name_reindexes_every_text(cast: Cast, monkeypatch: Any) -> None:
    write(cast, NOTES[:3])
    index_texts()
    monkeypatch.setattr(embedding, "MODEL_NAME", "another-model")
    report = index_texts()
    assert report.encoded == 3
    assert set(TextVector.objects.values_list("model_name", flat=True)) == {"another-model"}


def test_saving_a_note_or_activity_updates_its_text_at_once(cast: Cast) -> None:
    note = write(cast, ["First draft"])[0]
    activity = make_activity(
        account=note.account, subject="Security review", description="SOC 2 questions"
    )
    assert Text.objects.get(kind="activity").body == "Security review\nSOC 2 questions"
    note.body = "Second draft"
    note.save()
    assert Text.objects.get(kind="note").body == "Second draft"
    activity.delete()
    assert not Text.objects.filter(kind="activity").exists()


WEDNESDAY = date(2026, 3, 4)


@pytest.mark.parametrize(
    ("body", "label", "expected"),
    [
        ("Procurement told us the budget is frozen until April.", "budget_freeze", "yes"),
        ("Budget is approved by the CFO; no concerns.", "budget_freeze", "no"),
        ("Our champion Maria resigned last week.", "champion_left", "yes"),
        ("Go-live slipped to the third quarter.", "timeline_slip", "yes"),
        ("The CISO is worried about data residency in the EU.", "security_objection", "yes"),
        ("Security review passed, legal can start.", "security_objection", "no"),
        ("Asked whether we support SAML; we don't yet.", "product_gap", "yes"),
        ("Their nightly exports fail and the team re-types the data by hand.", "flavor", "problem"),
        ("They want to launch a loyalty programme in two new markets.", "flavor", "opportunity"),
        ("Lunch with the account team.", "flavor", "none"),
    ],
)
def test_rules_label_crafted_texts(body: str, label: str, expected: str) -> None:
    assert rules.predict(body, WEDNESDAY)[label] == expected


@pytest.mark.parametrize(
    ("body", "who", "what", "due"),
    [
        ("We will send the SOC 2 report by Friday.", "us", "send the SOC 2 report", "2026-03-06"),
        ("I'll share the deck tomorrow.", "us", "share the deck", "2026-03-05"),
        ("Priya will set up the sandbox within 3 business days.", "Priya", "set up the sandbox",
         "2026-03-09"),
        ("Marco from their side will send the specs by 12 March.", "Marco", "send the specs",
         "2026-03-12"),
        ("We'll run the pilot by end of month.", "us", "run the pilot", "2026-03-31"),
    ],
)  # fmt: skip
def test_commitments_name_who_what_and_the_due_date_from_the_texts_date(
    body: str, who: str, what: str, due: str
) -> None:
    [commitment] = rules.commitments(body, WEDNESDAY)
    assert (commitment["who"], commitment["what"], commitment["due"]) == (who, what, due)


def test_competitors_come_from_the_competitor_table(cast: Cast) -> None:
    Competitor.objects.create(name="Quillstone")
    note = write(cast, ["They also looked at quillstone and at Helix."])[0]
    text = Text.objects.get(kind="note", object_id=note.pk)
    assert text.labels["competitors"] == ["Quillstone"]


@needs_model
def test_a_correction_wins_on_its_text_and_teaches_a_paraphrase(cast: Cast) -> None:
    corrected, paraphrase, unrelated = write(
        cast,
        [
            "They are not allowed to send any data to a public cloud, so the whole idea stalls.",
            "No customer data may go to a public cloud provider; the project stalls on that.",
            "Great demo of the dashboards to the finance team.",
        ],
    )
    index_texts()
    texts = {t.object_id: t for t in Text.objects.all()}
    assert texts[paraphrase.pk].labels["security_objection"] == "no"  # the rules miss it
    correct_label(
        actor=cast.alice, text=texts[corrected.pk], label="security_objection", value="yes"
    )
    texts = {t.object_id: t for t in Text.objects.all()}
    assert texts[corrected.pk].labels["security_objection"] == "yes"
    assert texts[corrected.pk].labels["corrected"] == ["security_objection"]
    assert texts[paraphrase.pk].labels["security_objection"] == "yes"
    assert texts[paraphrase.pk].labels["corrected"] == []
    assert texts[unrelated.pk].labels["security_objection"] == "no"
    assert LabelCorrection.objects.get().corrected_by == cast.alice


def test_a_correction_is_refused_for_an_unknown_value(cast: Cast) -> None:
    from django.core.exceptions import ValidationError

    note = write(cast, ["Anything"])[0]
    text = Text.objects.get(object_id=note.pk)
    with pytest.raises(ValidationError) as error:
        correct_label(actor=cast.alice, text=text, label="flavor", value="maybe")
    assert "value" in error.value.message_dict


def test_evaluation_scores_precision_and_recall_by_hand(tmp_path: Any) -> None:
    rows = [
        {"text": "Budget is frozen.", "risks": ["budget_freeze"]},
        {"text": "Budget is frozen for now.", "risks": []},
        {"text": "The spending cut hurts.", "risks": ["budget_freeze"]},
        {"text": "Demo went well.", "risks": []},
    ]
    path = tmp_path / "set.jsonl"
    path.write_text(
        "\n".join(json.dumps({"date": "2026-03-04", "flavor": "none", **row}) for row in rows)
    )
    score = {s.label: s for s in evaluate_labels(path=path).scores}["budget_freeze"]
    # Predicted yes on rows 1 and 2 (one right), missed row 3: precision 1/2, recall 1/2.
    assert (score.true_positives, score.false_positives, score.false_negatives) == (1, 1, 1)
    assert score.precision == 0.5 and score.recall == 0.5


def test_shipped_evaluation_set_has_300_texts_and_the_rules_find_most_risks() -> None:
    evaluation = evaluate_labels()
    assert evaluation.texts >= 300
    scores = {s.label: s for s in evaluation.scores}
    assert all(scores[name].support >= 20 for name in ("budget_freeze", "commitment"))
    assert (scores["budget_freeze"].precision or 0) >= 0.8
    held_out = evaluate_labels(part="held-out")
    assert 100 <= held_out.texts < evaluation.texts


SSO = [
    "They need single sign-on with Azure AD before anyone can log in.",
    "SSO through Okta is mandatory for every tool they buy.",
    "Identity team insists on SAML login and SCIM user provisioning.",
]
PRICE = [
    "Our price is twice what they pay today; finance pushed back hard.",
    "The quote was too expensive compared with their current vendor.",
    "They asked for a 40% discount to match the cheaper competitor.",
]


@needs_model
def test_themes_group_texts_that_say_the_same_thing(cast: Cast) -> None:
    write(cast, SSO + PRICE)
    index_texts()
    result = group_texts(actor=cast.alice, themes=2)
    assert result.sample == 6 and result.population == 6
    groups = sorted(sorted(m.body for m in t.members) for t in result.themes)
    assert groups == sorted([sorted(SSO), sorted(PRICE)])
    assert all(t.count == 3 and t.share == 0.5 for t in result.themes)


@needs_model
def test_similar_deals_rank_the_closed_deal_that_reads_alike_first(cast: Cast) -> None:
    account = make_account(cast.north)
    lost = make_opportunity(make_account(cast.north), name="Lost on SSO", stage=Stage.LOST)
    won = make_opportunity(make_account(cast.north), name="Won on price", stage=Stage.WON)
    hidden = make_opportunity(make_account(cast.south), name="South SSO", stage=Stage.LOST)
    same_account = make_opportunity(account, name="Same account", stage=Stage.LOST)
    current = make_opportunity(account, name="Open deal")
    write(cast, SSO[:2], account=lost.account, opportunity=lost)
    write(cast, PRICE, account=won.account, opportunity=won)
    write(cast, SSO[2:], account=hidden.account, opportunity=hidden)
    write(cast, SSO[2:], account=account, opportunity=same_account)
    write(cast, ["Security team wants Okta single sign-on for all users."], opportunity=current)
    index_texts()
    result = similar_deals(actor=cast.alice, opportunity=current)
    # Not the South deal (invisible to alice), not the deal at the same account.
    assert [d.opportunity.name for d in result.deals] == ["Lost on SSO", "Won on price"]
    assert result.deals[0].theirs.body == SSO[1]
    assert result.closed_deals_compared == 2


def test_a_week_old_note_is_still_found_after_time_passes(cast: Cast) -> None:
    note = write(cast, ["Renewal paperwork"])[0]
    note.created_at = timezone.now() - timedelta(days=7)
    note.save()
    assert ids_of(search_texts(actor=cast.alice, query="renewal paperwork")) == [
        "Renewal paperwork"
    ]


def test_similar_texts_without_the_model_match_shared_words_and_skip_the_text_itself(
    cast: Cast, settings: Any
) -> None:
    from presales.texts.services import similar_texts

    settings.TEXT_MODEL = "off"
    notes = write(cast, ["Okta single sign-on is mandatory", "Okta sign-on for admins", "Pricing"])
    text = Text.objects.get(object_id=notes[0].pk)
    assert [h.text.body for h in similar_texts(actor=cast.alice, text=text)] == [
        "Okta sign-on for admins"
    ]


def test_themes_of_lost_deals_group_only_texts_on_lost_deals(cast: Cast, settings: Any) -> None:
    settings.TEXT_MODEL = "off"
    account = make_account(cast.north)
    lost = make_opportunity(account, name="Lost", stage=Stage.LOST)
    won = make_opportunity(account, name="Won", stage=Stage.WON)
    write(cast, ["Lost on price, too expensive", "Price was twice the rival's"], opportunity=lost)
    write(cast, ["Won thanks to the SSO story"], opportunity=won)
    result = group_texts(actor=cast.alice, scope="lost")
    assert (result.sample, result.population) == (2, 2)
    members = sorted(m.body for t in result.themes for m in t.members)
    assert members == ["Lost on price, too expensive", "Price was twice the rival's"]
    gaps = group_texts(actor=cast.alice, scope="gaps")
    assert gaps.population == 0 and gaps.themes == []
