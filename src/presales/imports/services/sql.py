"""The SQL the import engine writes with, for SQLite and PostgreSQL: quoted names, parameter
conversions, "one of" conditions, fresh primary keys and bulk inserts (``executemany`` on
SQLite, COPY on PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Model

from presales.core.writers import let_writers_in

# SQLite allows 32,766 parameters per statement; keep IN lists well below.
LOOKUP_CHUNK = 900
# SQLite look-ups pass their list as one parameter, so only the statement's size bounds it.
LIST_CHUNK = 10_000


def give_way() -> None:
    """After a commit, on SQLite, let a waiting web write in. SQLite lets one writer in at a
    time and a waiting writer retries only every few tens of milliseconds, so an import that
    began its next batch at once could keep a page's write waiting past the busy timeout. Web
    writes announce themselves (``core.writers``): while one is announced the import pauses up
    to ``IMPORT_PAUSE_MS``; when none is, it goes straight on. Inside an enclosing transaction
    (dry run, ``--strict``) nothing was committed and nobody can get in: no pause."""
    if is_sqlite() and not connection.in_atomic_block and settings.IMPORT_PAUSE_MS:
        let_writers_in(settings.IMPORT_PAUSE_MS)


def quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def converter_for(model: type[Model], column: str) -> Callable[[Any], Any] | None:
    """How a Python value becomes a parameter: on SQLite, Django stores datetimes as naive UTC
    text; PostgreSQL's driver takes the Python values as they are."""
    if not is_sqlite():
        return None
    try:
        internal = model._meta.get_field(column).get_internal_type()  # type: ignore[union-attr]
    except FieldDoesNotExist:
        return None
    if internal == "DateTimeField":
        return sqlite_datetime
    if internal == "DecimalField":
        return _str_or_none
    return None


# Exported times repeat (meetings start on the hour and half hour): formatting each distinct
# one once costs a dictionary look-up per row instead of a conversion.
_SQLITE_TIMES: dict[datetime, str] = {}


def sqlite_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    text = _SQLITE_TIMES.get(value)
    if text is None:
        if len(_SQLITE_TIMES) >= 1 << 16:
            _SQLITE_TIMES.clear()
        text = _SQLITE_TIMES[value] = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return text


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def one_of(values: Sequence[str]) -> tuple[str, list[Any]]:
    """A condition "is one of ``values``" and its parameters. On SQLite the list is one JSON
    parameter, so one statement (and one plan) serves a whole batch; PostgreSQL keeps a
    placeholder per value, which its planner turns into index look-ups."""
    if is_sqlite():
        return "IN (SELECT value FROM json_each(%s))", [json.dumps(list(values))]
    return f"IN ({', '.join(['%s'] * len(values))})", list(values)


def chunks(items: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def allocate_ids(model: type[Model], count: int) -> list[int]:
    """``count`` fresh primary keys for ``model``, so that new rows and the rows that point at
    them (digests, many-to-many links) go in with one insert each."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if is_sqlite():
            # Imports run in an immediate transaction: no other writer can take these ids.
            cursor.execute(f"SELECT max(id) FROM {quoted(table)}")  # noqa: S608
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            start = max(top, found[0] if found else 0) + 1
            return list(range(start, start + count))
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    names = ", ".join(quoted(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quoted(table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        if is_sqlite():
            cursor.executemany(sql, rows)
        else:
            _copy(cursor, table, columns, rows)


def insert_links(table: str, own: str, other: str, pairs: Sequence[tuple[int, int]]) -> None:
    """Rows of a many-to-many link table. On SQLite the pairs go in as one JSON parameter of one
    statement: for a two-column table, binding each row costs more than the database's own
    work, and the table's id sequence is then kept once per statement instead of once per row
    (a third less time for a million links)."""
    if not pairs:
        return
    if not is_sqlite():
        insert_rows(table, [own, other], pairs)
        return
    sql = (
        f"INSERT INTO {quoted(table)} ({quoted(own)}, {quoted(other)}) "  # noqa: S608
        "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(%s)"
    )
    with connection.cursor() as cursor:
        for part in chunks(pairs, LIST_CHUNK):
            cursor.execute(sql, [json.dumps(part)])


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """PostgreSQL's COPY: several times faster than an INSERT per row, even batched."""
    names = ", ".join(quoted(c) for c in columns)
    raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
    with raw.copy(f"COPY {quoted(table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
