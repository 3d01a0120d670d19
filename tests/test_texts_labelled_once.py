"""Texts labelled by the rules (words first) and encoded later are not predicted again when no
correction anywhere could change their labels; with a correction they are."""

from __future__ import annotations

from typing import Any

import pytest

from presales.texts import embedding, rules, vectors
from presales.texts.models import Text
from presales.texts.services import correct_label, index_texts
from tests.conftest import Cast, make_account, make_note

pytestmark = pytest.mark.skipif(
    not embedding.available(), reason="the meaning extra (presales[meaning]) is not installed"
)

BODIES = [
    "The CFO froze all discretionary spending until January.",
    "Asked for a Salesforce connector and single sign-on with Okta.",
    "Their warehouse scanners crash twice a day and pickers lose orders.",
]


@pytest.fixture(autouse=True)
def _fresh_vector_cache() -> None:
    vectors.invalidate()


def _count_predictions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = rules.predict

    def counting(body: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        seen.append(body)
        return original(body, *args, **kwargs)

    monkeypatch.setattr(rules, "predict", counting)
    return seen


def _write(cast: Cast) -> None:
    account = make_account(cast.north, "Northwind")
    for body in BODIES:
        make_note(body, author=cast.alice, account=account)


def test_meaning_after_words_keeps_the_labels_without_predicting_again(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(cast)
    index_texts(meaning=False)
    before = {t.pk: (t.labels, t.predicted) for t in Text.objects.all()}
    assert all(t.labelled_hash.endswith(":r") for t in Text.objects.all())
    predicted = _count_predictions(monkeypatch)
    report = index_texts()
    assert report.encoded == len(BODIES)
    assert predicted == []
    texts = list(Text.objects.all())
    assert all(t.labelled_hash == f"{t.content_hash}:m" for t in texts)
    assert {t.pk: (t.labels, t.predicted) for t in texts} == before


def test_with_a_correction_the_texts_are_labelled_again(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(cast)
    index_texts(meaning=False)
    first = Text.objects.get(body=BODIES[0])
    correct_label(actor=cast.alice, text=first, label="flavor", value="opportunity")
    predicted = _count_predictions(monkeypatch)
    index_texts()
    assert sorted(predicted) == sorted(BODIES)
    texts = list(Text.objects.all())
    assert all(t.labelled_hash == f"{t.content_hash}:m" for t in texts)
    assert Text.objects.get(pk=first.pk).labels["flavor"] == "opportunity"
