"""Web writes in flight, announced to long writers on SQLite.

SQLite lets one writer in at a time. An import commits in batches so that a page's write gets
its turn between two, but pausing after every batch costs a large import seconds when nobody
is waiting. So each write request (any method but GET, HEAD, OPTIONS and TRACE) leaves a file
in ``PRESALES_HOME/writers`` while it runs, and a long writer pauses after a commit only while
such a file is there. A file left by a killed process stops counting once it is older than the
busy timeout (no request waits longer than that).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.http import HttpRequest, HttpResponse

from presales.core.backends.sqlite3.base import lock_at_first_write

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def folder() -> Path:
    return Path(settings.HOME) / "writers"


@contextmanager
def announced() -> Iterator[None]:
    """While the block runs, long writers on SQLite know a write is waiting to get in."""
    if connection.vendor != "sqlite":
        yield
        return
    path: Path | None = folder() / f"{os.getpid()}-{threading.get_ident()}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
        path.touch()  # type: ignore[union-attr]
    except OSError:
        path = None  # a read-only home: the import's pause is then the only loss
    try:
        yield
    finally:
        if path is not None:
            path.unlink(missing_ok=True)


def waiting() -> bool:
    """Whether a write announced itself within the busy timeout and has not finished."""
    limit = time.time() - settings.BUSY_TIMEOUT - 1
    try:
        entries = os.scandir(folder())
    except OSError:
        return False
    with entries:
        for entry in entries:
            try:
                if entry.stat().st_mtime >= limit:
                    return True
            except OSError:
                continue  # finished while we looked
    return False


def let_writers_in(most_ms: int) -> None:
    """After a commit: wait, up to ``most_ms``, while a write is announced, so it gets the
    database before the long writer's next batch; no wait at all when none is."""
    deadline = time.monotonic() + most_ms / 1000
    while waiting() and time.monotonic() < deadline:
        time.sleep(0.005)


class WriterMiddleware:
    """Announces every write request for its whole length (session and log-in writes too), and
    lets a request's transactions take SQLite's write lock at their first write
    (``presales.core.backends.sqlite3``), not while they read what comes first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with lock_at_first_write(connections[DEFAULT_DB_ALIAS]):
            if request.method in SAFE_METHODS:
                return self.get_response(request)
            with announced():
                return self.get_response(request)
