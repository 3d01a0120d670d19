"""Labels on every text, and corrections that teach later predictions.

A prediction is the rules' answer (``presales.texts.rules``) unless a text corrected by a user
is close in meaning (cosine >= ``LEARN_FROM_CORRECTION``): then that correction's value wins
for that label. A text's own corrections always win over its prediction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from presales.core import access
from presales.people.models import User
from presales.products.models import Competitor
from presales.texts import embedding, rules, vectors
from presales.texts.models import LABEL_VALUES, LabelCorrection, Text

LEARN_FROM_CORRECTION = 0.75
BATCH = 500
Progress = Callable[[str, int, int], None]


def labelled_mark(text: Text, *, used_meaning: bool) -> str:
    return f"{text.content_hash}:{'m' if used_meaning else 'r'}"


def _examples() -> dict[str, tuple[np.ndarray, list[str]]]:
    """Per label, the vectors of corrected texts and the values users gave them."""
    by_label: dict[str, list[tuple[int, str]]] = {}
    for text_id, label, value in LabelCorrection.objects.values_list("text_id", "label", "value"):
        by_label.setdefault(label, []).append((text_id, value))
    if not by_label or not embedding.available():
        return {}
    found = vectors.vectors_for([pk for pairs in by_label.values() for pk, _ in pairs])
    examples = {}
    for label, pairs in by_label.items():
        kept = [(found[pk], value) for pk, value in pairs if pk in found]
        if kept:
            examples[label] = (np.vstack([v for v, _ in kept]), [value for _, value in kept])
    return examples


def _effective(predicted: dict[str, Any], own: dict[str, str]) -> dict[str, Any]:
    labels = dict(predicted)
    labels.update(own)
    labels["corrected"] = sorted(own)
    return labels


def _predict(
    batch: list[Text], names: list[str], examples: dict[str, tuple[np.ndarray, list[str]]]
) -> None:
    """Set ``predicted``, ``labels`` and ``labelled_hash`` of these texts in memory; a text not
    stored yet (no pk) has neither corrections nor a vector."""
    stored = [t.pk for t in batch if t.pk is not None]
    own: dict[int, dict[str, str]] = {}
    for text_id, label, value in LabelCorrection.objects.filter(text_id__in=stored).values_list(
        "text_id", "label", "value"
    ):
        own.setdefault(text_id, {})[label] = value
    meaning = embedding.available()
    found = vectors.vectors_for(stored) if meaning and stored else {}
    for text in batch:
        predicted = rules.predict(text.body, text.written_at.date(), names)
        vector = found.get(text.pk) if text.pk is not None else None
        if vector is not None:
            for label, (matrix, values) in examples.items():
                sims = matrix @ vector
                best = int(np.argmax(sims))
                if sims[best] >= LEARN_FROM_CORRECTION:
                    predicted[label] = values[best]
        text.predicted = predicted
        text.labels = _effective(predicted, own.get(text.pk, {}) if text.pk is not None else {})
        text.labelled_hash = labelled_mark(text, used_meaning=vector is not None)


def predict_labels(texts: list[Text]) -> None:
    """Labels of a few texts, in memory, for the caller to store with its own write."""
    if texts:
        _predict(texts, list(Competitor.objects.values_list("name", flat=True)), _examples())


_LABEL_FIELDS = ("predicted", "labels", "labelled_hash")


def _store_labels(batch: list[Text]) -> None:
    """Write these texts' labels: one prepared UPDATE run for the whole batch (a bulk update's
    CASE over every row costs more to build than the write itself)."""
    quote = connection.ops.quote_name
    by_name = {f.name: f for f in Text._meta.concrete_fields}
    fields = [by_name[name] for name in _LABEL_FIELDS]
    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    key = quote(by_name["id"].column)
    sql = f"UPDATE {quote(Text._meta.db_table)} SET {sets} WHERE {key} = %s"  # noqa: S608
    rows = [
        [f.get_db_prep_save(getattr(text, f.attname), connection) for f in fields] + [text.pk]
        for text in batch
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def label_texts(*, texts: QuerySet[Text], progress: Progress | None = None) -> int:
    """Predict the labels of these texts and store them with their corrections; how many."""
    names = list(Competitor.objects.values_list("name", flat=True))
    examples = _examples()
    total = texts.count()
    done = 0
    last = 0
    while True:
        batch = list(texts.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            break
        _predict(batch, names, examples)
        with transaction.atomic():
            _store_labels(batch)
        last = batch[-1].pk
        done += len(batch)
        if progress:
            progress("label", done, total)
    return done


@transaction.atomic
def correct_label(*, actor: User, text: Text, label: str, value: str) -> Text:
    """Record a user's correction of one label; it applies now and teaches similar texts."""
    access.require(access.can_see(actor, text), "You cannot see this text.")
    if label not in LABEL_VALUES:
        raise ValidationError(
            {"label": f"Unknown label {label!r}; use one of {list(LABEL_VALUES)}"}
        )
    if value not in LABEL_VALUES[label]:
        raise ValidationError({"value": f"{label} takes one of {list(LABEL_VALUES[label])}."})
    LabelCorrection.objects.update_or_create(
        text=text,
        label=label,
        defaults={"value": value, "corrected_by": actor, "corrected_at": timezone.now()},
    )
    vector = vectors.vectors_for([text.pk]).get(text.pk)
    if vector is not None:
        close = [
            pk
            for pk, _ in vectors.nearest(vector, allowed=None, k=500, minimum=LEARN_FROM_CORRECTION)
        ]
        label_texts(texts=Text.objects.filter(pk__in=[*close, text.pk]))
    else:
        label_texts(texts=Text.objects.filter(pk=text.pk))
    text.refresh_from_db()
    return text
