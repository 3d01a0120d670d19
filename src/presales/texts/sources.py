"""The registry of text sources: what the text service indexes.

A source turns objects of one model into ``SourceRow``s. Notes, activities, debriefs, product
gaps and commitments are registered here; another app registers its own text in its
``AppConfig.ready()`` without touching this package::

    from presales.texts.sources import TextSource, SourceRow, register

    register(TextSource(
        kind="debrief",                       # stored in Text.kind; one word, stable
        label="Debrief",                      # shown on pages
        model=Debrief,                        # access.visible(user, Debrief) must know it
        rows=lambda pks: (SourceRow(...) for d in Debrief.objects.filter(...)),
        decided_by=("activity",),             # the fields its access rule reads
    ))

``rows(None)`` yields every object's row, ``rows([pk, ...])`` only those objects' rows. Saving or
deleting an object of a registered model updates its text as soon as its transaction commits
(words search sees it then); ``presales index`` catches up with bulk writes and computes the
vectors.
Who may see a text is who may see its source object: ``presales.texts.access.texts_for``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import OperationalError
from django.db.models import Min, Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from presales.core import aftercommit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceRow:
    object_id: int
    body: str
    written_at: datetime
    author_id: int | None = None
    account_id: int | None = None
    opportunity_id: int | None = None


@dataclass(frozen=True)
class TextSource:
    kind: str
    label: str
    model: type[Model]
    rows: Callable[[Iterable[int] | None], Iterator[SourceRow]]
    # The model's fields its access rule reads (what ties an object to a deal, an account, a
    # meeting, a team or a person): a change to one of them may change who sees its text
    # (``presales.texts.decides``). None: any field may.
    decided_by: tuple[str, ...] | None = None


_SOURCES: dict[str, TextSource] = {}


def register(source: TextSource) -> None:
    _SOURCES[source.kind] = source


def registered() -> list[TextSource]:
    return list(_SOURCES.values())


def source_for(kind: str) -> TextSource | None:
    return _SOURCES.get(kind)


def _note_rows(pks: Iterable[int] | None) -> Iterator[SourceRow]:
    from presales.notes.models import Note

    notes = Note.objects.all() if pks is None else Note.objects.filter(pk__in=list(pks))
    fields = ("pk", "body", "created_at", "author_id", "account_id", "opportunity_id")
    for pk, body, at, author, account, deal in notes.values_list(*fields).iterator(2000):
        yield SourceRow(pk, body, at, author, account, deal)


def _activity_rows(pks: Iterable[int] | None) -> Iterator[SourceRow]:
    from presales.activities.models import Activity

    rows = Activity.objects.all() if pks is None else Activity.objects.filter(pk__in=list(pks))
    # An activity has no author: its first participant (lowest id) stands for one.
    rows = rows.annotate(first_participant=Min("participants"))
    fields = (
        "pk",
        "subject",
        "description",
        "starts_at",
        "first_participant",
        "account_id",
        "opportunity_id",
    )
    for pk, subject, description, at, author, account, deal in rows.values_list(*fields).iterator(
        2000
    ):
        body = f"{subject}\n{description}".strip() if description else subject
        yield SourceRow(pk, body, at, author, account, deal)


def _joined(*parts: tuple[str, str]) -> str:
    """Labelled paragraphs of the parts that say something ("Went wrong: ...")."""
    return "\n".join(
        f"{label}: {text.strip()}" if label else text.strip()
        for label, text in parts
        if text and text.strip()
    )


def _debrief_rows(pks: Iterable[int] | None) -> Iterator[SourceRow]:
    from presales.meetings.models import Debrief

    rows = Debrief.objects.all() if pks is None else Debrief.objects.filter(pk__in=list(pks))
    fields = (
        "pk",
        "went_right",
        "went_wrong",
        "next_steps",
        "same_page_detail",
        "feedback_rep_to_se",
        "feedback_se_to_rep",
        "created_at",
        "author_id",
        "activity__account_id",
        "activity__opportunity_id",
    )
    for (
        pk,
        right,
        wrong,
        steps,
        differ,
        to_se,
        to_rep,
        at,
        author,
        account,
        deal,
    ) in rows.values_list(*fields).iterator(2000):
        body = _joined(
            ("Went right", right),
            ("Went wrong", wrong),
            ("Next steps", steps),
            ("Heard differently", differ),
            ("Feedback to the SE", to_se),
            ("Feedback to the rep", to_rep),
        )
        if body:
            yield SourceRow(pk, body, at, author, account, deal)


def _gap_rows(pks: Iterable[int] | None) -> Iterator[SourceRow]:
    from presales.gaps.models import ProductGap

    rows = ProductGap.objects.all() if pks is None else ProductGap.objects.filter(pk__in=list(pks))
    fields = ("pk", "title", "description", "created_at", "proposed_by_id", "account_id")
    for pk, title, description, at, author, account in rows.values_list(*fields).iterator(2000):
        yield SourceRow(pk, _joined(("", title), ("", description)), at, author, account, None)


def _commitment_rows(pks: Iterable[int] | None) -> Iterator[SourceRow]:
    from presales.meetings.models import Commitment

    rows = Commitment.objects.all() if pks is None else Commitment.objects.filter(pk__in=list(pks))
    fields = (
        "pk",
        "what",
        "promised_by",
        "promised_to",
        "resolution",
        "created_at",
        "created_by_id",
        "account_id",
        "opportunity_id",
    )
    for pk, what, by, to, resolution, at, author, account, deal in rows.values_list(
        *fields
    ).iterator(2000):
        who = f"{by} promised {to}" if to else f"{by} promised"
        body = _joined((who, what), ("Outcome", resolution))
        yield SourceRow(pk, body, at, author, account, deal)


def register_builtin_sources() -> None:
    from presales.activities.models import Activity
    from presales.gaps.models import ProductGap
    from presales.meetings.models import Commitment, Debrief
    from presales.notes.models import Note

    register(
        TextSource(
            kind="note",
            label="Note",
            model=Note,
            rows=_note_rows,
            decided_by=("author", "account", "opportunity", "activity"),
        )
    )
    register(
        TextSource(
            kind="activity",
            label="Activity",
            model=Activity,
            rows=_activity_rows,
            decided_by=("account", "opportunity"),
        )
    )
    # Business issues, qualification evidence and meeting plans (outcomes) wait for a
    # visibility rule of their own in core.access (texts_for asks access.visible per model).
    register(
        TextSource(
            kind="debrief",
            label="Debrief",
            model=Debrief,
            rows=_debrief_rows,
            decided_by=("activity",),
        )
    )
    register(
        TextSource(
            kind="gap",
            label="Product gap",
            model=ProductGap,
            rows=_gap_rows,
            decided_by=("team", "proposed_by", "account"),
        )
    )
    register(
        TextSource(
            kind="commitment",
            label="Commitment",
            model=Commitment,
            rows=_commitment_rows,
            decided_by=("account", "opportunity"),
        )
    )


TEXTS = "Search texts"


def _sync(keys: set[tuple[str, int]]) -> None:
    """Write the texts of these (kind, object id) pairs, then ask for their vectors once."""
    from presales.texts.jobs import queue_encode_new
    from presales.texts.services import sync_objects

    by_kind: dict[str, list[int]] = {}
    for kind, object_id in keys:
        by_kind.setdefault(kind, []).append(object_id)
    for kind, object_ids in by_kind.items():
        source = source_for(kind)
        if source is None:
            continue
        ordered = sorted(object_ids)
        for start in range(0, len(ordered), 500):
            # A long transaction (the demo, a bulk edit) may have saved many objects.
            sync_objects(source=source, object_ids=ordered[start : start + 500])
    # Words and labels are current now; a worker adds the vectors within seconds.
    queue_encode_new()


def _sync_committed(keys: set[tuple[str, int]]) -> None:
    """The request's own writes are committed whatever happens here: should the database stay
    busy past its timeout, say which texts wait for the next `presales index` and go on."""
    try:
        _sync(keys)
    except OperationalError as exc:
        log.warning(
            "Search text not updated (%s); `presales index` brings it up to date: %s",
            exc,
            sorted(keys),
        )


def _later(source: TextSource, object_id: int) -> None:
    """Sync this object's text once, after its transaction commits: an activity saved and
    given participants in one request is read once, and the text's writes take the database's
    write lock after the request's own writes released it, not while they hold it."""
    aftercommit.later(TEXTS, [(source.kind, object_id)], _sync_committed)


def sync_saved_now() -> None:
    """Sync the texts this transaction saved so far, without waiting for its commit: for work
    that reads its own texts back before committing (or that never commits)."""
    aftercommit.now(TEXTS, _sync)


def _on_save(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    for source in registered():
        if source.model is sender:
            _later(source, instance.pk)


def _on_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    from presales.texts.services import forget_objects

    for source in registered():
        if source.model is sender:
            forget_objects(source=source, object_ids=[instance.pk])


def _on_participants(sender: type[Model], instance: Model, action: str, **kwargs: Any) -> None:
    """An activity's author is its first participant, and participants are set after the
    activity is saved: re-read its text when they change, so search names the author."""
    if action not in ("post_add", "post_remove", "post_clear") or kwargs.get("reverse"):
        return
    _on_save(type(instance), instance)


def connect_signals() -> None:
    from presales.activities.models import Activity

    m2m_changed.connect(
        _on_participants,
        sender=Activity.participants.through,
        dispatch_uid="texts-activity-participants",
    )
    for source in registered():
        post_save.connect(_on_save, sender=source.model, dispatch_uid=f"texts-save-{source.kind}")
        post_delete.connect(
            _on_delete, sender=source.model, dispatch_uid=f"texts-delete-{source.kind}"
        )
