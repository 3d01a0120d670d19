"""SQLite that takes its write lock at a transaction's first write, not at its start.

SQLite lets one writer in at a time, and Presales opens its transactions with ``BEGIN
IMMEDIATE`` so that a writer waits its turn (the busy timeout) instead of failing half-way.
But a web write spends most of its transaction reading: the caller's access, the objects it
names, validation. With the lock taken at ``BEGIN``, every other writer waits through all of
that, so under load the writers queue behind each other's reads.

Inside a web request (``lazy_begin``, set by ``presales.core.writers.WriterMiddleware``) an
``atomic`` block starts without a statement; the ``BEGIN IMMEDIATE`` goes out just
before the block's first statement that is not a plain ``SELECT`` (a write, a savepoint), or
before a ``select_for_update()`` query (see ``compiler``). Until then each read sees the latest
committed data, as on PostgreSQL's default READ COMMITTED level, where the same code runs;
from the first write on, the transaction holds the lock and sees one state to the commit.
A block that only reads never takes the lock at all. Savepoints made before the first write
(nested blocks, Django's constraint checks) wait with it: one released or rolled back before
any write had nothing to undo. Elsewhere (imports, the job worker, commands) a block takes
the lock at its start, as before: an import works out the ids of the rows it adds from what it
reads, and must read them under the lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.backends.sqlite3 import base

from presales.core.backends.sqlite3.operations import DatabaseOperations


def _reads_only(query: str) -> bool:
    return query.lstrip()[:6].upper() == "SELECT"


class LazyWriteCursor(base.SQLiteCursorWrapper):
    """Sends the block's deferred ``BEGIN IMMEDIATE`` before its first write."""

    wrapper: DatabaseWrapper | None = None

    def execute(self, query: str, params: Any = None) -> Any:
        wrapper = self.wrapper
        if wrapper is not None and wrapper.write_pending and not _reads_only(query):
            wrapper.begin_write()
        return super().execute(query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        wrapper = self.wrapper
        if wrapper is not None and wrapper.write_pending and not _reads_only(query):
            wrapper.begin_write()
        return super().executemany(query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Inside an atomic block whose BEGIN has not been sent yet, and the savepoints made
        # since, in order.
        self.write_pending = False
        self.pending_savepoints: list[str] = []
        # Whether transactions wait for their first write to take the lock (web requests).
        self.lazy_begin = False

    def _start_transaction_under_autocommit(self) -> None:
        if not self.lazy_begin:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        self.write_pending = True
        self.pending_savepoints = []

    def begin_write(self) -> None:
        """Send the deferred BEGIN now (waiting for the write lock up to the busy timeout)."""
        if not self.write_pending:
            return
        self.ensure_connection()
        self.write_pending = False
        savepoints, self.pending_savepoints = self.pending_savepoints, []
        with self.wrap_database_errors:
            self.connection.execute(
                f"BEGIN {getattr(self, 'transaction_mode', None) or 'DEFERRED'}"
            )
            for sid in savepoints:
                self.connection.execute(self.ops.savepoint_create_sql(sid))

    def _savepoint(self, sid: str) -> None:
        if self.write_pending:
            self.pending_savepoints.append(sid)
        else:
            super()._savepoint(sid)  # type: ignore[misc]

    def _savepoint_commit(self, sid: str) -> None:
        if sid in self.pending_savepoints:
            # Released before any write: it goes, with those made inside it.
            del self.pending_savepoints[self.pending_savepoints.index(sid) :]
        else:
            super()._savepoint_commit(sid)  # type: ignore[misc]

    def _savepoint_rollback(self, sid: str) -> None:
        if sid in self.pending_savepoints:
            # Nothing was written since: there is nothing to undo. Like ROLLBACK TO, it keeps
            # the savepoint itself and ends those made inside it.
            del self.pending_savepoints[self.pending_savepoints.index(sid) + 1 :]
        else:
            super()._savepoint_rollback(sid)  # type: ignore[misc]

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=LazyWriteCursor)
        cursor.wrapper = self
        return cursor

    def _commit(self) -> Any:
        self.write_pending = False
        self.pending_savepoints = []
        return super()._commit()  # type: ignore[misc]

    def _rollback(self) -> Any:
        self.write_pending = False
        self.pending_savepoints = []
        return super()._rollback()  # type: ignore[misc]

    def _set_autocommit(self, autocommit: bool) -> None:
        if autocommit:
            self.write_pending = False
            self.pending_savepoints = []
        super()._set_autocommit(autocommit)  # type: ignore[misc]

    def _close(self) -> Any:
        self.write_pending = False
        self.pending_savepoints = []
        return super()._close()  # type: ignore[misc]


@contextmanager
def lock_at_first_write(connection: Any) -> Iterator[None]:
    """While the block runs, the connection's transactions take SQLite's write lock at their
    first write (no effect on other databases)."""
    if not isinstance(connection, DatabaseWrapper) or connection.lazy_begin:
        yield
        return
    connection.lazy_begin = True
    try:
        yield
    finally:
        connection.lazy_begin = False
