"""Signals for writes that go around the models' own signals (bulk SQL in imports, queryset
updates): figures kept from those rows follow them.

``bulk_change`` sends ``rows_changing`` with the ids of a model's rows about to be changed, then,
after the block and in the same transaction, ``rows_changed`` with the ids written (those, and
any new ones the block adds to the list it is given) and ``before``: each receiver's answer to
``rows_changing``, keyed by that receiver, so a receiver can compare before with after.

A large load (an import bringing as many rows as the table holds, or more) writes its batches
without these two signals, which would cost it a difference per batch, and sends
``rows_reloaded`` once at its end instead (or, if it was killed, when it is marked interrupted):
receivers then compute what they keep from the model's rows again, from all of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db.models import Model
from django.dispatch import Signal

rows_changing = Signal()  # sender: the model; ids: the rows about to change
rows_changed = Signal()  # sender: the model; ids: the rows written; before: {receiver: answer}
rows_reloaded = Signal()  # sender: the model; many rows were written without rows_changed


@contextmanager
def bulk_change(model: type[Model], ids: Sequence[int]) -> Iterator[list[int]]:
    """Tell the receivers that the block changes ``model`` rows ``ids``; the block appends the
    ids of rows it creates to the list it gets. Nothing is sent after an error (the transaction
    around the block rolls back)."""
    before = dict(rows_changing.send(sender=model, ids=list(ids)))
    written = list(ids)
    yield written
    rows_changed.send(sender=model, ids=written, before=before)
