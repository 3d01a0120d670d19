"""On SQLite a web request's transaction takes the write lock at its first write, not at its
start: other writers do not wait through its reads, and what it writes is committed or rolled
back whole. Elsewhere (imports, workers) a transaction holds the lock from its start.

These run on a database file of their own (whatever the suite's database is), seen by a second,
plain sqlite3 connection that tries to write with no patience."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, transaction

from presales.core import writers
from presales.core.backends.sqlite3.base import lock_at_first_write
from presales.people.models import Region
from presales.settings import sqlite_database

ALIAS = "sqlite_writes"


class Boom(Exception):
    pass


@pytest.fixture
def scratch(tmp_path: Path, django_db_blocker: Any) -> Iterator[sqlite3.Connection]:
    connections.settings[ALIAS] = {**sqlite_database(tmp_path / "writes.sqlite3"), "TEST": {}}
    connections.configure_settings(connections.settings)
    with django_db_blocker.unblock():
        with connections[ALIAS].schema_editor() as editor:
            editor.create_model(Region)
        other = sqlite3.connect(tmp_path / "writes.sqlite3", timeout=0.05, isolation_level=None)
        try:
            with lock_at_first_write(connections[ALIAS]):
                yield other
        finally:
            other.close()
            connections[ALIAS].close()
            del connections[ALIAS]
            del connections.settings[ALIAS]


def another_writer_gets_in(other: sqlite3.Connection) -> bool:
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    other.execute("ROLLBACK")
    return True


def names() -> list[str]:
    return list(Region.objects.using(ALIAS).order_by("name").values_list("name", flat=True))


def test_reads_leave_the_lock_free_and_the_first_write_takes_it_to_the_commit(scratch):
    with transaction.atomic(using=ALIAS):
        assert names() == []
        assert another_writer_gets_in(scratch)
        Region.objects.using(ALIAS).create(name="North")
        assert not another_writer_gets_in(scratch)
        assert names() == ["North"]
    assert another_writer_gets_in(scratch)
    assert names() == ["North"]


def test_a_query_that_locks_its_rows_takes_the_lock_before_it_reads(scratch):
    Region.objects.using(ALIAS).create(name="North")
    with transaction.atomic(using=ALIAS):
        list(Region.objects.using(ALIAS).select_for_update())
        assert not another_writer_gets_in(scratch)
    assert another_writer_gets_in(scratch)


def test_a_failed_block_undoes_its_writes_and_frees_the_lock(scratch):
    with pytest.raises(Boom), transaction.atomic(using=ALIAS):
        Region.objects.using(ALIAS).create(name="North")
        raise Boom
    assert names() == []
    assert another_writer_gets_in(scratch)


def test_savepoints_made_before_the_first_write_still_undo_what_follows_them(scratch):
    with transaction.atomic(using=ALIAS):
        with pytest.raises(Boom), transaction.atomic(using=ALIAS):  # nothing written yet
            with transaction.atomic(using=ALIAS):
                names()
            assert another_writer_gets_in(scratch)
            raise Boom
        with transaction.atomic(using=ALIAS):  # made before any write, used after
            assert another_writer_gets_in(scratch)
            Region.objects.using(ALIAS).create(name="Kept")
            assert not another_writer_gets_in(scratch)
        with pytest.raises(Boom), transaction.atomic(using=ALIAS):
            Region.objects.using(ALIAS).create(name="Undone")
            raise Boom
        Region.objects.using(ALIAS).create(name="After")
    assert names() == ["After", "Kept"]
    assert another_writer_gets_in(scratch)


def test_a_savepoint_made_before_the_first_write_is_undone_with_the_writes_inside_it(scratch):
    with transaction.atomic(using=ALIAS):
        with pytest.raises(Boom), transaction.atomic(using=ALIAS):
            Region.objects.using(ALIAS).create(name="Undone")  # begins, then the savepoint
            raise Boom
        assert names() == []
        Region.objects.using(ALIAS).create(name="Kept")
    assert names() == ["Kept"]


def test_outside_a_web_request_a_transaction_holds_the_lock_from_its_start(scratch):
    connections[ALIAS].lazy_begin = False
    try:
        with transaction.atomic(using=ALIAS):
            assert names() == []
            assert not another_writer_gets_in(scratch)
    finally:
        connections[ALIAS].lazy_begin = True
    assert another_writer_gets_in(scratch)


def test_the_middleware_lets_a_request_wait_for_its_first_write():
    from django.db import connection
    from django.http import HttpResponse
    from django.test import RequestFactory

    seen: list[bool] = []

    def view(request: Any) -> HttpResponse:
        seen.append(getattr(connection, "lazy_begin", False))
        return HttpResponse("ok")

    middleware = writers.WriterMiddleware(view)
    for method in ("get", "post"):
        assert middleware(getattr(RequestFactory(), method)("/deals/1/")).content == b"ok"
    assert seen == [connection.vendor == "sqlite"] * 2
    assert getattr(connection, "lazy_begin", False) is False
