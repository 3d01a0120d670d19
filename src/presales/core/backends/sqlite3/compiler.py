"""Django's SQL compilers, with ``select_for_update()`` taking SQLite's write lock.

SQLite has no row locks: Django drops ``FOR UPDATE`` there, and the lock that made a
read-then-write safe was the ``BEGIN IMMEDIATE`` at the start of the block. Now that the
backend sends it at the first write, a query that asks for its rows locked sends it first."""

from __future__ import annotations

from typing import Any

from django.db.models.sql import compiler
from django.db.models.sql.compiler import (
    SQLAggregateCompiler,
    SQLDeleteCompiler,
    SQLInsertCompiler,
    SQLUpdateCompiler,
)


class SQLCompiler(compiler.SQLCompiler):
    def execute_sql(self, *args: Any, **kwargs: Any) -> Any:
        if self.query.select_for_update and getattr(self.connection, "write_pending", False):
            self.connection.begin_write()  # type: ignore[attr-defined]
        return super().execute_sql(*args, **kwargs)


__all__ = [
    "SQLAggregateCompiler",
    "SQLCompiler",
    "SQLDeleteCompiler",
    "SQLInsertCompiler",
    "SQLUpdateCompiler",
]
