"""Work that follows a write (figures derived from the rows written), done once per object and
transaction, after the transaction commits.

A web write holds the database's write lock (SQLite's only one) from its first write to its
commit; whatever it derives from its rows (statistics' facts, totals) need not be done under
that lock. ``later(name, ids, run)`` notes the ids (any hashable keys); after the commit, ``run``
gets each id once however many signals named it. Outside a transaction it runs at once.
``now(name, run)`` runs what is noted so far without waiting for the commit. A test case's
wrapping blocks do not count as a transaction (they never commit)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.db import DatabaseError, transaction

log = logging.getLogger(__name__)

Run = Callable[[set[Any]], Any]


def _inside_transaction(connection: Any) -> bool:
    return any(not block._from_testcase for block in connection.atomic_blocks)


def _pending_for(connection: Any) -> dict[str, set[Any]]:
    """The ids noted in the connection's current transaction, per name. A transaction that
    rolled back leaves its ids behind; they are dropped when the next one notes any (keyed by
    the outermost atomic block, which is a new object in every transaction)."""
    outermost = next(b for b in connection.atomic_blocks if not b._from_testcase)
    held = getattr(connection, "_presales_after_commit", None)
    if held is None or held[0] is not outermost:
        held = (outermost, {})
        connection._presales_after_commit = held
    pending: dict[str, set[Any]] = held[1]
    return pending


def _run(pending: dict[str, set[Any]], name: str, run: Run) -> None:
    ids = pending.pop(name, None)
    if not ids:
        return
    try:
        run(ids)
    except DatabaseError as exc:
        # The request's own writes are committed: it keeps its answer, and the log says what
        # was left out of date.
        log.warning("%s not brought up to date after a commit (%s): %s", name, exc, sorted(ids))


def later(name: str, ids: Iterable[Hashable | None], run: Run) -> None:
    """Call ``run`` with these ids (and the others noted under ``name`` in this transaction)
    once, after the transaction commits; nothing when it rolls back."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return
    connection = transaction.get_connection()
    if not _inside_transaction(connection):
        run(wanted)
        return
    pending = _pending_for(connection)
    pending.setdefault(name, set()).update(wanted)
    # Registered on every call, so that a savepoint rolled back cannot take the only callback
    # with it; the first to run takes every id, the others find none left. Robust: whatever
    # goes wrong in one, the request's commit stands and the callbacks after it still run.
    transaction.on_commit(lambda: _run(pending, name, run), robust=True)


def now(name: str, run: Run) -> None:
    """Call ``run`` at once with the ids noted under ``name`` in this transaction so far (for
    work that reads their results back before committing, or that never commits); they are
    not run again at the commit. Errors are the caller's."""
    connection = transaction.get_connection()
    if not _inside_transaction(connection):
        return
    ids = _pending_for(connection).pop(name, None)
    if ids:
        run(ids)
