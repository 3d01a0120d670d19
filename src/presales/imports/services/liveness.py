"""Which import runs are still alive. A run records the process and machine that run it and,
with every batch it commits, the time (``updated_at``). A run whose process has gone without
finishing (killed, the machine restarted) would otherwise say "running" for ever; the next import
and every job worker that starts mark it interrupted instead, build again any index the run had
set aside for a large load and compute again the figures it had set aside (``core.signals``).

A process on this machine is looked up by its id; a run of another machine counts as gone when it
has not committed a batch for ``STALE_AFTER`` (a batch takes seconds).
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from presales.core.signals import rows_reloaded
from presales.imports.models import ImportRun

logger = logging.getLogger("presales.imports")

STALE_AFTER = timedelta(minutes=30)

INTERRUPTED_MESSAGE = (
    "The import stopped before it finished (stopped, killed, or the machine restarted). "
    "The batches it committed are kept. Run the same import again: rows already "
    "in are recognised as unchanged and it completes the rest."
)


def this_host() -> str:
    return socket.gethostname()[:200]


def process_alive(pid: int) -> bool:
    """True if a process with this id runs on this machine (a zombie, dead but not yet
    collected by its parent, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    # The state follows the parenthesised command name, which may itself hold spaces.
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def is_gone(run: ImportRun) -> bool:
    if run.pid is not None and run.host == this_host():
        return not process_alive(run.pid)
    return run.updated_at < timezone.now() - STALE_AFTER


def mark_interrupted() -> list[ImportRun]:
    """Mark every running import whose process is gone as interrupted; returns them."""
    marked = []
    for run in ImportRun.objects.filter(status=ImportRun.Status.RUNNING):
        if not is_gone(run):
            continue
        with transaction.atomic():
            # Another starting process may have marked it meanwhile.
            fresh = (
                ImportRun.objects.select_for_update()
                .filter(pk=run.pk, status=ImportRun.Status.RUNNING)
                .first()
            )
            if fresh is None:
                continue
            restore_indexes(fresh.deferred_indexes)
            reload_set_aside(fresh.set_aside)
            fresh.status = ImportRun.Status.INTERRUPTED
            fresh.message = INTERRUPTED_MESSAGE
            fresh.deferred_indexes = []
            fresh.set_aside = []
            fresh.pid = None
            fresh.save(update_fields=["status", "message", "deferred_indexes", "set_aside", "pid"])
        logger.warning("Import #%s was interrupted; marked so.", run.pk)
        marked.append(fresh)
    return marked


def restore_indexes(indexes: list[list[str]]) -> None:
    """Build again the indexes a run had set aside (SQLite only; ``IF NOT EXISTS`` in case the
    run had rebuilt some of them already)."""
    if not indexes or connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(_if_not_exists(sql))


def reload_set_aside(labels: list[str]) -> None:
    """Compute again what is kept from the rows of the models (``app_label.model``) a large
    load wrote without ``rows_changed`` (the team's weekly totals from activities)."""
    for label in labels:
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            logger.warning("Import set aside the figures of an unknown model %r", label)
            continue
        rows_reloaded.send(sender=model)


def _if_not_exists(sql: str) -> str:
    head, _, tail = sql.partition("INDEX")
    if tail.lstrip().upper().startswith("IF NOT EXISTS"):
        return sql
    return f"{head}INDEX IF NOT EXISTS{tail}"
