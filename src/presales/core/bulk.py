"""Inserting many new rows of one model fast, for bulk writers (the demo, the text index).

Django's ``bulk_create`` builds its SQL value by value (a placeholder and an expression check
for every field of every row), which costs more than the database's own work for wide rows.
``insert_new`` prepares each value the same way (``field.pre_save`` then
``get_db_prep_save``), writes one multi-row ``INSERT ... RETURNING`` per batch whose text is
built once, and sets each object's primary key. Like ``bulk_create`` it sends no signals.
Anything it does not handle (objects with a key already, inherited models, fields with their
own placeholders, expressions as values) goes through ``bulk_create`` unchanged.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import connections, models, router

T = TypeVar("T", bound=models.Model)
MAX_ROWS = 2000


def _max_params(connection: Any) -> int:
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return 65_000 if connection.vendor == "postgresql" else 999


def _handled(model: type[models.Model], objs: list[Any], connection: Any) -> bool:
    opts = model._meta
    return (
        bool(objs)
        and not opts.parents
        and opts.pk is not None
        and getattr(opts.pk, "db_returning", False)
        and connection.features.can_return_rows_from_bulk_insert
        and all(obj.pk is None for obj in objs)
        and not any(hasattr(f, "get_placeholder") for f in opts.concrete_fields)
    )


def insert_new(model: type[T], objs: list[T], *, batch: int = MAX_ROWS) -> list[T]:
    """Insert these unsaved objects and give them their keys; returns them."""
    db = router.db_for_write(model)
    connection = connections[db]
    if not _handled(model, objs, connection):
        return model._default_manager.bulk_create(objs, batch_size=batch)
    opts = model._meta
    pk = opts.pk
    assert pk is not None
    fields = [f for f in opts.concrete_fields if f is not pk and not f.generated]
    quote = connection.ops.quote_name
    # Only quoted table and column names from the model go into the text; values are params.
    columns = ", ".join(quote(f.column) for f in fields)
    head = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES "  # noqa: S608
    tail = f" RETURNING {quote(opts.db_table)}.{quote(pk.column)}"
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, min(batch, _max_params(connection) // max(1, len(fields))))
    for start in range(0, len(objs), size):
        chunk = objs[start : start + size]
        params: list[Any] = []
        for obj in chunk:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
            for field in fields:
                value = field.pre_save(obj, True)
                if hasattr(value, "resolve_expression"):
                    return _rest_by_django(model, objs, start, batch)
                params.append(field.get_db_prep_save(value, connection))
        with connection.cursor() as cursor:
            cursor.execute(head + ", ".join([row_sql] * len(chunk)) + tail, params)
            keys = cursor.fetchall()
        for obj, (key,) in zip(chunk, keys, strict=True):
            setattr(obj, pk.attname, key)
            obj._state.adding = False
            obj._state.db = db
    return objs


def _rest_by_django(model: type[T], objs: list[T], start: int, batch: int) -> list[T]:
    model._default_manager.bulk_create(objs[start:], batch_size=batch)
    return objs
