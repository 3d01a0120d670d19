"""Writing the demo quickly: what is safe for a database that holds nothing else yet.

``quick_writes`` is entered only around the generation of a new demo (the database was empty
a moment before): queries are not kept for the debug pages while it runs, and on SQLite the
writes skip waiting for the disk (``synchronous=OFF``) and keep more pages in memory. A crash
in that window can only lose the half-written demo, which the next ``presales demo`` writes
again into a fresh home. Everything is put back when the block ends, before anything serves.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection


@contextmanager
def quick_writes() -> Iterator[None]:
    debug = settings.DEBUG
    sqlite = connection.vendor == "sqlite"
    settings.DEBUG = False  # no copy of every query for the debug toolbar and error pages
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            synchronous = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size")
            cache_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")  # 256 MB: the demo's working set
    try:
        yield
    finally:
        settings.DEBUG = debug
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous={int(synchronous)}")
                cursor.execute(f"PRAGMA cache_size={int(cache_size)}")


@dataclass
class PhaseClock:
    """Wall time of each phase of ``presales demo``, for the line it prints at the end."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    def line(self) -> str:
        parts = [f"{name} {_duration(s)}" for name, s in self.seconds.items()]
        total = sum(self.seconds.values())
        return f"Time taken: {', '.join(parts)} (total {_duration(total)})."


def _duration(seconds: float) -> str:
    whole = round(seconds)
    if whole < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{whole} s"
    return f"{whole // 60} min {whole % 60:02d} s"
