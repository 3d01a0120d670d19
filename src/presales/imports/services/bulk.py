"""Loading many new rows into SQLite: its secondary indexes are dropped while they go in and
built again, sorted, at the end of the file.

Keeping seven indexes of a large table up to date row by row touches pages all over the file;
building an index once from the finished table is a sort. The unique indexes stay throughout
(they are constraints and the upsert looks records up by them). SQLite's schema changes are
transactional: inside one transaction (``--strict``, a dry run) a rollback leaves the indexes as
they were. An import that commits in batches commits the drop with its batch, so every index set
aside is written down on the run (``ImportRun.deferred_indexes``, through ``LEDGER``) in the
same transaction; a killed run's indexes are built again when the run is marked interrupted
(``liveness``). Meanwhile queries stay correct, only slower on that table.

PostgreSQL loads with COPY and keeps its indexes (dropping one there would lock the table for
readers); after a large load it gets fresh statistics instead (ANALYZE), without which its
planner, still believing the tables nearly empty, joins the next import's look-ups row by row
against the whole digest table.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Protocol

from django.db import connection, transaction
from django.db.models import Model

from presales.imports.models import ImportedRecord
from presales.imports.services.sql import give_way

# Below this many new rows in one file, or fewer new rows than the table already holds,
# updating the indexes in place costs less than building them again. A file's new rows are
# projected from its size after its first batch, so a large load sets its indexes aside from
# the start instead of keeping them up to date for its first rows.
MIN_ROWS = 20_000

# Told, in the transaction that drops or restores them, which indexes are set aside (added) and
# which are back (removed): ``(indexes, set_aside)``.
LEDGER: ContextVar[Callable[[list[tuple[str, str]], bool], None] | None] = ContextVar(
    "index_ledger", default=None
)


class RowsSetAside(Protocol):
    """The models a run writes without ``rows_changed`` (a large load, see ``core.signals``);
    ``add`` records one on the run in the transaction of its first such batch, so that what is
    kept from its rows is computed again at the run's end, or after a kill."""

    models: set[type[Model]]

    def add(self, model: type[Model]) -> None: ...


# Set while a run may set figures aside: not in a dry run or a ``--strict`` one, whose
# transactions span files.
ROWS_LEDGER: ContextVar[RowsSetAside | None] = ContextVar("rows_ledger", default=None)


class IndexDeferral:
    """The non-unique indexes of a model's table and of its many-to-many tables, dropped once
    a file has brought enough new rows and restored by ``restore``."""

    def __init__(self, model: type[Model], m2m: tuple[str, ...] = ()) -> None:
        tables = [model._meta.db_table]
        for name in m2m:
            through = model._meta.get_field(name).remote_field.through  # type: ignore[union-attr]
            tables.append(through._meta.db_table)
        self.tables = tables
        self.inserted = 0
        # Rows of the file the writer has been given so far, and how many the file is expected
        # to hold in all (0: unknown), so a load can be seen to be large from its first batch.
        self.seen = 0
        self.expected = 0
        self.threshold: int | None = None
        self.dropped: list[tuple[str, str]] = []
        # Set once the indexes were looked for (another file of the run may have set them
        # aside already, leaving none to find).
        self.tried = False

    @classmethod
    def for_model(cls, model: type[Model], m2m: tuple[str, ...] = ()) -> IndexDeferral:
        return cls(model, m2m)

    def inserting(self, count: int) -> None:
        """Called before ``count`` new rows go into the model's table."""
        self.inserted += count
        if connection.vendor == "sqlite" and not self.tried and self.large():
            self._drop()

    def large(self, coming: int = 0) -> bool:
        """Whether this file is a large load: with ``coming`` more new rows it brings (or, from
        its size, will bring) at least ``MIN_ROWS`` new rows and as many as half the rows the
        table held before."""
        if not self.inserted + coming:
            return False
        if self.threshold is None:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(self.tables[0])}")  # noqa: S608
                self.threshold = max(MIN_ROWS, cursor.fetchone()[0] // 2)
        return self._projected(coming) >= self.threshold

    def _projected(self, coming: int = 0) -> int:
        """The new rows this file will have brought: those so far or, when the file's size is
        known, as many as the share of new rows so far makes of the rows it holds."""
        inserted = self.inserted + coming
        if self.expected > self.seen > 0:
            return max(inserted, inserted * self.expected // self.seen)
        return inserted

    def _drop(self) -> None:
        self.tried = True
        marks = ", ".join(["%s"] * len(self.tables))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "  # noqa: S608
                f"AND tbl_name IN ({marks}) AND sql IS NOT NULL ORDER BY name",
                self.tables,
            )
            found = [(n, s) for n, s in cursor.fetchall() if not _unique(s)]
            for name, _sql in found:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        self.dropped = found
        ledger = LEDGER.get()
        if ledger is not None and found:
            ledger(found, True)

    def restore(self) -> None:
        """Build the dropped indexes again (a no-op if none were); on PostgreSQL, refresh the
        statistics of the tables a large load wrote."""
        ledger = LEDGER.get()
        for name, sql in self.dropped:
            # One index per transaction, so other writers get their turn between two.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
                if ledger is not None:
                    ledger([(name, sql)], False)
            give_way()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and self.inserted >= MIN_ROWS:
                names = ", ".join(
                    connection.ops.quote_name(t)
                    for t in (*self.tables, ImportedRecord._meta.db_table)
                )
                cursor.execute(f"ANALYZE {names}")
        self.dropped = []
        self.tried = False
        self.inserted = 0
        self.seen = 0
        self.expected = 0
        self.threshold = None


def _unique(sql: str) -> bool:
    return sql.lstrip().upper().startswith("CREATE UNIQUE")
