"""Jobs the job tests run (importable by a worker in another process)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django_tasks import task

from presales.jobs.services import progress_for, say


@task(takes_context=True)
def count_slowly(context: Any, *, n: int, pause: float, marker: str) -> dict[str, Any]:
    """Counts to n with a pause per step; at the end appends one line to ``marker`` (under
    PRESALES_HOME), so a test sees how many runs reached the end."""
    progress = progress_for(context)
    say(context, f"counting to {n}")
    for i in range(n):
        time.sleep(pause)
        progress("counting", i + 1, n)
    path = Path(settings.HOME) / marker
    with path.open("a") as handle:
        handle.write(f"{context.task_result.id}\n")
    return {"counted": n, "sum": n * (n + 1) // 2}


@task(takes_context=True)
def explode(context: Any, *, why: str) -> None:
    progress_for(context)("starting", 0, 1)
    raise ValueError(why)


@task()
def add(*, a: int, b: int) -> int:
    return a + b
