"""A mail drop folder: a mail client's export or a mail server's delivery folder
(PRESALES_MAIL_DROP_DIR) that the worker looks into every PRESALES_MAIL_DROP_MINUTES. Each
.eml/.mbox file that has stopped changing is imported through the e-mail importer and then moved
to ``imported/`` (or to ``failed/`` with a ``.reason`` file beside it). Messages are keyed on
their Message-ID, so a file imported twice (the worker died before moving it) changes nothing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django_tasks import task

from presales.imports.models import Profile as ProfileName
from presales.imports.services import run_import
from presales.imports.services.mail import SUFFIXES
from presales.imports.services.sources import UnusableInput
from presales.jobs.services import progress_for, say

# A file written less than this long ago may still be growing: it waits for the next look.
SETTLE_SECONDS = 10


def folder() -> Path | None:
    return Path(settings.MAIL_DROP_DIR) if settings.MAIL_DROP_DIR else None


def waiting(*, now: float | None = None) -> list[Path]:
    """The drop folder's mail files that are complete (unchanged for SETTLE_SECONDS), oldest
    first."""
    drop = folder()
    if drop is None or not drop.is_dir():
        return []
    now = time.time() if now is None else now
    files = [
        p
        for p in drop.iterdir()
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and now - p.stat().st_mtime >= SETTLE_SECONDS
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def anything_waiting() -> bool:
    return bool(waiting())


def _move(path: Path, into: str) -> Path:
    target_dir = path.parent / into
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    n = 1
    while target.exists():
        target = target_dir / f"{path.stem}-{n}{path.suffix}"
        n += 1
    path.rename(target)
    return target


def _nothing_read(counts: dict[str, int], result: Any) -> str:
    """A file that yields no message at all is not mail, whatever its name says."""
    if any(counts.get(k, 0) for k in ("created", "updated", "unchanged", "pending")):
        return ""
    first = next((issue.reason for issue in result.issues), "")
    return "no e-mail message could be read from this file" + (f": {first}" if first else "")


@task(takes_context=True)
def import_drop(context: Any) -> dict[str, int]:
    """Import what waits in the drop folder, one file at a time (one bad file is its own)."""
    progress = progress_for(context)
    files = waiting()
    outcome = {"imported": 0, "failed": 0, "activities": 0}
    for n, path in enumerate(files):
        progress("mail", n, len(files))
        try:
            result = run_import(kind=ProfileName.EMAIL, paths=[path])
        except UnusableInput as exc:
            reason = str(exc)
        else:
            counts = result.counts.get("activity", {})
            outcome["activities"] += counts.get("created", 0)
            reason = result.unusable or _nothing_read(counts, result)
        if reason:
            moved = _move(path, "failed")
            moved.with_name(moved.name + ".reason").write_text(reason + "\n", encoding="utf-8")
            outcome["failed"] += 1
        else:
            _move(path, "imported")
            outcome["imported"] += 1
    progress("mail", len(files), len(files))
    say(
        context,
        f"{outcome['imported']} mail file(s) imported ({outcome['activities']} new activities), "
        f"{outcome['failed']} refused",
    )
    return outcome
