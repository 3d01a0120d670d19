"""Keeping the text index in step with its sources: rows, vectors and labels.

Every step works in batches, each committed on its own, and decides what to do from what is
stored (content hashes, the model name beside each vector): an interrupted run leaves whole
batches behind and the next run does only what is left.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from presales.core.bulk import insert_new
from presales.texts import embedding, vectors
from presales.texts.models import LabelCorrection, Text, TextVector
from presales.texts.services.labelling import label_texts, predict_labels
from presales.texts.sources import SourceRow, TextSource, registered

Progress = Callable[[str, int, int], None]
T = TypeVar("T")
SYNC_BATCH = 1000


@dataclass
class IndexReport:
    texts: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    encoded: int = 0
    labelled: int = 0
    model: str = ""
    meaning: bool = False
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)


def content_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


_META = ("written_at", "author_id", "account_id", "opportunity_id")


def _apply(text: Text, row: SourceRow, digest: str) -> bool:
    """Copy ``row`` onto ``text``; whether anything changed."""
    changed = text.content_hash != digest
    for name in _META:
        if getattr(text, name) != getattr(row, name):
            setattr(text, name, getattr(row, name))
            changed = True
    if text.content_hash != digest:
        text.body, text.content_hash = row.body, digest
    return changed


_LABELS = ("predicted", "labels", "labelled_hash")


def _sync_rows(
    source: TextSource, rows: list[SourceRow], report: IndexReport, *, label: bool = False
) -> None:
    """Store these rows' texts; with ``label``, their labels too, in the same short write (the
    reads and the predictions come first, so the write lock is held only for the writes)."""
    existing = {
        t.object_id: t
        for t in Text.objects.filter(kind=source.kind, object_id__in=[r.object_id for r in rows])
    }
    new: list[Text] = []
    changed: list[Text] = []
    for row in rows:
        digest = content_hash(row.body)
        text = existing.get(row.object_id)
        if text is None:
            new.append(
                Text(
                    kind=source.kind,
                    object_id=row.object_id,
                    body=row.body,
                    content_hash=digest,
                    written_at=row.written_at,
                    author_id=row.author_id,
                    account_id=row.account_id,
                    opportunity_id=row.opportunity_id,
                )
            )
        elif _apply(text, row, digest):
            text.indexed_at = timezone.now()
            changed.append(text)
    fields = ["body", "content_hash", "indexed_at", *_META]
    if label:
        seen = {r.object_id for r in rows}
        kept = [t for pk, t in existing.items() if pk in seen]
        before = {t.pk: [getattr(t, name) for name in _LABELS] for t in kept}
        predict_labels([*new, *kept])
        relabelled = [t for t in kept if [getattr(t, n) for n in _LABELS] != before[t.pk]]
        changed = list({t.pk: t for t in [*changed, *relabelled]}.values())
        fields += _LABELS
    with transaction.atomic():
        insert_new(Text, new, batch=500)
        Text.objects.bulk_update(changed, fields, batch_size=500)
    report.added += len(new)
    report.changed += len(changed)


def sync_objects(*, source: TextSource, object_ids: list[int]) -> None:
    """Bring the texts of these objects up to date now (words and labels; vectors later)."""
    rows = list(source.rows(object_ids))
    report = IndexReport()
    _sync_rows(source, rows, report, label=True)
    gone = set(object_ids) - {r.object_id for r in rows}
    if gone:
        forget_objects(source=source, object_ids=list(gone))


def forget_objects(*, source: TextSource, object_ids: list[int]) -> None:
    Text.objects.filter(kind=source.kind, object_id__in=object_ids).delete()
    vectors.invalidate()


def _sync_source(source: TextSource, report: IndexReport, progress: Progress) -> None:
    seen: set[int] = set()
    total = source.model._default_manager.count()
    for batch in _batched(source.rows(None), SYNC_BATCH):
        _sync_rows(source, batch, report)
        seen.update(r.object_id for r in batch)
        progress(f"read {source.model._meta.verbose_name_plural}", len(seen), total)
    stale = Text.objects.filter(kind=source.kind).exclude(object_id__in=seen)
    if len(seen) > 50_000:  # keep the IN list small on big tables: compare in Python instead
        stored = set(Text.objects.filter(kind=source.kind).values_list("object_id", flat=True))
        stale = Text.objects.filter(kind=source.kind, object_id__in=list(stored - seen))
    report.removed += stale.delete()[0]
    report.by_kind[source.kind] = len(seen)


def _store_vectors(texts: list[tuple[int, str]], matrix_rows: list[bytes], name: str) -> None:
    now = timezone.now()
    objs = [
        TextVector(
            text_id=pk,
            model_name=name,
            content_hash=digest,
            dimensions=embedding.DIMENSIONS,
            vector=blob,
            encoded_at=now,
        )
        for (pk, digest), blob in zip(texts, matrix_rows, strict=True)
    ]
    with transaction.atomic():
        TextVector.objects.bulk_create(
            objs,
            update_conflicts=True,
            unique_fields=["text"],
            update_fields=["model_name", "content_hash", "dimensions", "vector", "encoded_at"],
        )
        if vectors.pgvector_enabled():
            import numpy as np

            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO texts_pgvector (text_id, embedding) VALUES (%s, %s::vector) "
                    "ON CONFLICT (text_id) DO UPDATE SET embedding = EXCLUDED.embedding",
                    [
                        (pk, vectors.vector_literal(np.frombuffer(blob, dtype=np.float32)))
                        for (pk, _), blob in zip(texts, matrix_rows, strict=True)
                    ],
                )


def pending_vectors() -> Q:
    """Texts whose vector is missing, made by another model, or older than their content."""
    return (
        Q(vector__isnull=True)
        | ~Q(vector__model_name=embedding.model_name())
        | ~Q(vector__content_hash=F("content_hash"))
    )


# Which texts get their vectors first: what people search for most (notes, then debriefs),
# then the rest in the order the sources were registered.
ENCODE_FIRST = ("note", "debrief", "gap", "commitment", "activity")


def _drop_other_models(name: str) -> None:
    other_models = TextVector.objects.exclude(model_name=name)
    if other_models.exists():
        other_models.delete()
        if vectors.pgvector_enabled():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM texts_pgvector")


def _pending_in_order() -> list[int]:
    """Ids of the texts waiting for a vector, most useful kinds first, then by id."""
    kinds = [s.kind for s in registered()]
    order = [k for k in ENCODE_FIRST if k in kinds] + [k for k in kinds if k not in ENCODE_FIRST]
    pending = Text.objects.filter(pending_vectors())
    ids: list[int] = []
    for kind in order:
        ids.extend(pending.filter(kind=kind).order_by("pk").values_list("pk", flat=True))
    ids.extend(pending.exclude(kind__in=order).order_by("pk").values_list("pk", flat=True))
    return ids


def _repeated_digests(text_ids: list[int]) -> set[str]:
    """The content hashes that more than one of these texts share (a meeting subject such as
    "Weekly sync" recurs thousands of times in a team's calendar)."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for start in range(0, len(text_ids), 5000):
        chunk = text_ids[start : start + 5000]
        for digest in Text.objects.filter(pk__in=chunk).values_list("content_hash", flat=True):
            (repeated if digest in seen else seen).add(digest)
    return repeated


def encode_texts(
    *, text_ids: list[int], batch_size: int = 1024, progress: Progress | None = None
) -> int:
    """Encode these texts now, in committed batches of ``batch_size``; how many were encoded.

    A body is encoded once per run: texts with the same content hash get the same vector
    (the model maps equal input to equal output). Each batch is its own transaction, so an
    interrupted run keeps what it finished. The shared vector index is refreshed at the end
    (and by readers whenever they notice).
    """
    report_progress: Progress = progress or (lambda step, done, total: None)
    name = embedding.model_name()
    repeated = _repeated_digests(text_ids)
    known: dict[str, bytes] = {}
    done = 0
    report_progress("encode", 0, len(text_ids))
    for start in range(0, len(text_ids), batch_size):
        ids = text_ids[start : start + batch_size]
        batch = list(
            Text.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "content_hash", "body")
        )
        fresh: dict[str, str] = {}
        for _, digest, body in batch:
            if digest not in known:
                fresh.setdefault(digest, body)
        matrix = embedding.encode(list(fresh.values()))
        blobs = dict(zip(fresh, (row.tobytes() for row in matrix), strict=True))
        _store_vectors(
            [(pk, h) for pk, h, _ in batch],
            [blobs.get(h) or known[h] for _, h, _ in batch],
            name,
        )
        known.update((h, blob) for h, blob in blobs.items() if h in repeated)
        done += len(batch)
        report_progress("encode", start + len(ids), len(text_ids))
    vectors.invalidate()
    return done


def encode_pending(*, batch_size: int = 1024, progress: Progress | None = None) -> int:
    """Encode every text that lacks a current vector, most useful first (``ENCODE_FIRST``).

    The plain function a background job calls: resumable (each batch commits), reports
    ``progress("encode", done, total)``, returns how many texts it encoded.
    """
    _drop_other_models(embedding.model_name())
    return encode_texts(text_ids=_pending_in_order(), batch_size=batch_size, progress=progress)


def meaning_coverage() -> tuple[int, int]:
    """(texts with a current vector, all texts): cheap enough for every search page."""
    total = Text.objects.count()
    covered = TextVector.objects.filter(
        model_name=embedding.model_name(), content_hash=F("text__content_hash")
    ).count()
    return covered, total


def _keep_rule_labels() -> int:
    """Mark as labelled with meaning, without predicting again, the texts labelled by the rules
    alone that now have a current vector, when no text anywhere has a correction: a vector
    changes a prediction only through a close corrected text, so their labels stay as they are
    (a demo indexed for words first, then for meaning, is labelled once)."""
    if LabelCorrection.objects.exists():
        return 0
    return Text.objects.filter(
        labelled_hash=Concat(F("content_hash"), Value(":r")),
        vector__model_name=embedding.model_name(),
        vector__content_hash=F("content_hash"),
    ).update(labelled_hash=Concat(F("content_hash"), Value(":m")))


def index_texts(
    *, batch_size: int = 1024, progress: Progress | None = None, meaning: bool = True
) -> IndexReport:
    """Index every registered source: new and changed texts, their vectors and labels.

    ``progress(step, done, total)`` is called as work proceeds. Safe to interrupt and rerun.
    ``meaning=False`` skips the vectors (quick: words and labels only; a later run adds them).
    """
    started = time.perf_counter()
    report_progress: Progress = progress or (lambda step, done, total: None)
    report = IndexReport(model=embedding.model_name(), meaning=meaning and embedding.available())
    for source in registered():
        _sync_source(source, report, report_progress)
    if report.meaning:
        report.encoded = encode_pending(batch_size=batch_size, progress=report_progress)
    if report.meaning:
        _keep_rule_labels()
    mark = Concat(F("content_hash"), Value(":m" if report.meaning else ":r"))
    report.labelled = label_texts(
        texts=Text.objects.exclude(labelled_hash=mark), progress=report_progress
    )
    report.texts = Text.objects.count()
    report.seconds = time.perf_counter() - started
    return report
