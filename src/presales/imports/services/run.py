"""Running an import: files in dependency order, the history kept in ``ImportRun`` and the
report written under ``PRESALES_HOME/imports``.

Transactions. An import commits in batches of ``IMPORT_COMMIT_ROWS`` rows (a setting, 5,000 by
default), so that on SQLite, where one writer works at a time, the web's writes get their turn
between two batches instead of waiting for the whole run. Every write is an upsert keyed on
source and external id, with the digest of the row's content: a run killed midway keeps the
batches it committed, and the same import run again finds those rows unchanged and ends exactly
where an uninterrupted run does. Two exceptions keep one transaction:

- ``dry_run``: the whole run is one transaction, rolled back at the end (the batches are
  savepoints inside it), so nothing is kept, and other writers wait while it runs;
- ``strict``: each file is one transaction, rolled back as a whole if a row of it was rejected
  (or the file turns out unreadable), so a file goes in completely or not at all.

A run records its process, machine and, with every batch, the time; ``liveness`` marks a run
whose process has gone as interrupted.
"""

from __future__ import annotations

import contextlib
import gc
import getpass
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from presales.imports.models import ImportRun, PendingReference
from presales.imports.services.bulk import LEDGER, ROWS_LEDGER, IndexDeferral
from presales.imports.services.engine import Counts, Record, Resolver
from presales.imports.services.liveness import (
    INTERRUPTED_MESSAGE,
    mark_interrupted,
    reload_set_aside,
    restore_indexes,
    this_host,
)
from presales.imports.services.pending import resolve_pending
from presales.imports.services.profiles import FilePlan, Profile
from presales.imports.services.report import Issue, Report
from presales.imports.services.sources import UnusableInput
from presales.imports.services.sql import give_way, is_sqlite
from presales.imports.services.writer import Writer
from presales.people.models import User

logger = logging.getLogger("presales.imports")

ProgressFn = Callable[[str, int, int], None]


@dataclass
class ImportResult:
    run: ImportRun
    counts: dict[str, dict[str, int]]
    report_path: Path | None
    issues: list[Issue] = field(default_factory=list)
    rejected: int = 0
    warnings: int = 0
    unusable: str = ""

    @property
    def totals(self) -> dict[str, int]:
        keys = ("created", "updated", "unchanged", "rejected", "pending")
        return {k: sum(c.get(k, 0) for c in self.counts.values()) for k in keys}

    @property
    def exit_code(self) -> int:
        if self.unusable:
            return 2
        return 1 if self.rejected else 0

    def digest_of_issues(self, *, limit: int) -> list[str]:
        """The first issues, one line each, with repeats of one reason folded together."""
        groups: dict[tuple[str, str, str, str], list[int]] = {}
        for issue in self.issues:
            key = (issue.severity, issue.file, issue.column, issue.reason)
            groups.setdefault(key, []).append(issue.row)
        lines = []
        for (severity, file, column, reason), rows in list(groups.items())[:limit]:
            where = f"row {rows[0]}" if len(rows) == 1 else f"{len(rows)} rows from row {rows[0]}"
            lines.append(f"{severity}: {file} {where}{' ' + column if column else ''}: {reason}")
        hidden = self.rejected + self.warnings - sum(len(r) for r in groups.values())
        if len(groups) > limit or hidden > 0:
            lines.append("… more in the report.")
        return lines

    def summary(self) -> str:
        t = self.totals
        return (
            f"created {t['created']}, updated {t['updated']}, "
            f"unchanged {t['unchanged']}, rejected {t['rejected']}"
        )


class _StrictRollback(Exception):
    pass


def reports_dir() -> Path:
    return Path(settings.HOME) / "imports"


def report_path(run: ImportRun) -> Path | None:
    if not run.report:
        return None
    return reports_dir() / run.report


def execute(
    *,
    kind: str,
    profile: Profile | Callable[[], Profile],
    paths: list[Path],
    dry_run: bool = False,
    strict: bool = False,
    user: User | None = None,
    progress: ProgressFn | None = None,
    commit_rows: int | None = None,
) -> ImportResult:
    """Import ``paths`` with ``profile`` and record the run. Input that cannot be used at all
    (a missing file, unknown columns, a broken CSV) ends the run with ``unusable`` set; the
    failing file keeps the batches committed before the broken row (nothing with ``strict``
    or ``dry_run``). ``commit_rows`` overrides the ``IMPORT_COMMIT_ROWS`` setting."""
    mark_interrupted()
    run = ImportRun.objects.create(
        profile=kind,
        user=user,
        operator="" if user else _operator(),
        files=[p.name for p in paths],
        dry_run=dry_run,
        strict=strict,
        pid=os.getpid(),
        host=this_host(),
    )
    report = Report(reports_dir() / f"import-{run.pk}-report.csv")
    counts: dict[str, Counts] = {}
    unusable = ""
    batch = max(1, commit_rows or settings.IMPORT_COMMIT_ROWS)
    ledger = _Ledger(run.pk)
    token = LEDGER.set(ledger)
    rows_token = ROWS_LEDGER.set(None if dry_run or strict else ledger)
    _larger_cache()
    try:
        chosen = profile if isinstance(profile, Profile) else profile()
        plans = chosen.plan(paths)
        deferred: list[IndexDeferral] = []
        with transaction.atomic() if dry_run else _no_transaction():
            for plan in plans:
                _import_file(
                    chosen,
                    plan,
                    counts,
                    report,
                    strict=strict,
                    progress=progress,
                    batch=batch,
                    beat=ledger.beat,
                    deferred=deferred,
                )
            for each in deferred:
                each.restore()
            ledger.reload()
            _count_pending(chosen.source, counts)
            if dry_run:
                transaction.set_rollback(True)
    except UnusableInput as exc:
        unusable = str(exc)
    except BaseException as exc:
        _fail(run, ledger, report, exc)
        raise
    finally:
        LEDGER.reset(token)
        ROWS_LEDGER.reset(rows_token)
    if ledger.current and not dry_run:
        # An unreadable file ended the run between a drop and its restore.
        restore_indexes(ledger.current)
    if ledger.models:
        ledger.reload()
    report_name = report.close()
    result_counts = {k: c.as_dict() for k, c in sorted(counts.items())}
    run.finished_at = timezone.now()
    run.updated_at = run.finished_at
    run.counts = result_counts
    run.rejected = report.rejected
    run.warnings = report.warnings
    run.report = report_name
    run.message = unusable
    run.pid = None
    run.deferred_indexes = []
    run.set_aside = []
    run.status = (
        ImportRun.Status.FAILED
        if unusable
        else ImportRun.Status.DONE_WITH_ERRORS
        if report.rejected
        else ImportRun.Status.DONE
    )
    run.save()
    return ImportResult(
        run=run,
        counts=result_counts,
        report_path=report_path(run),
        issues=list(report.kept),
        rejected=report.rejected,
        warnings=report.warnings,
        unusable=unusable,
    )


class _Ledger:
    """What the run has set aside and its sign of life, written in the caller's transaction."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.current: list[list[str]] = []
        # Models written without ``rows_changed`` (``bulk.ROWS_LEDGER``).
        self.models: set[type[Model]] = set()

    def add(self, model: type[Model]) -> None:
        self.models.add(model)
        ImportRun.objects.filter(pk=self.run_id).update(
            set_aside=sorted(m._meta.label_lower for m in self.models), updated_at=timezone.now()
        )

    def reload(self) -> None:
        """The figures kept from the rows of the models set aside, computed again, one model
        per transaction (which also takes it off the run)."""
        for model in sorted(self.models, key=lambda m: m._meta.label_lower):
            with transaction.atomic():
                reload_set_aside([model._meta.label_lower])
                self.models.discard(model)
                ImportRun.objects.filter(pk=self.run_id).update(
                    set_aside=sorted(m._meta.label_lower for m in self.models)
                )
            give_way()

    def __call__(self, indexes: list[tuple[str, str]], set_aside: bool) -> None:
        named = {name for name, _sql in indexes}
        self.current = [i for i in self.current if i[0] not in named]
        if set_aside:
            self.current += [[name, sql] for name, sql in indexes]
        ImportRun.objects.filter(pk=self.run_id).update(
            deferred_indexes=self.current, updated_at=timezone.now()
        )

    def beat(self) -> None:
        ImportRun.objects.filter(pk=self.run_id).update(updated_at=timezone.now())


@contextlib.contextmanager
def _no_transaction() -> Iterator[None]:
    yield


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """A file's rows become millions of small tuples and records that hold no reference
    cycles, yet each few hundred allocations would make Python's cycle collector scan them
    (and everything older) again: a fifth of an import's time. It is paused while a file loads
    and runs once at the end of the file, over what the file left alive only (a full
    collection would scan the whole application's objects again, 0.1 s per file)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect(0)


def _fail(run: ImportRun, ledger: _Ledger, report: Report, exc: BaseException) -> None:
    """Record a run that an error or a stop stopped (the exception itself goes on up)."""
    # Stopped from outside (Ctrl-C, a worker told to stop) rather than by a fault of its own.
    stopped = not isinstance(exc, Exception) or type(exc).__name__ == "JobReleased"
    try:
        if ledger.current:
            restore_indexes(ledger.current)
        if ledger.models:
            ledger.reload()
        run.report = report.close()
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.INTERRUPTED if stopped else ImportRun.Status.FAILED,
            finished_at=timezone.now(),
            message=INTERRUPTED_MESSAGE
            if stopped
            else f"The import stopped on an error: {exc!r}"[:2000],
            pid=None,
            deferred_indexes=[],
            set_aside=sorted(m._meta.label_lower for m in ledger.models),
            report=run.report,
        )
    except Exception:
        # The original error matters more; this one only goes to the log.
        logger.exception("Could not record the failure of import #%s", run.pk)


def _larger_cache() -> None:
    """Inserting into a large table updates several indexes at scattered places; SQLite's
    default page cache (2 MB) then rereads pages all the time. 128 MiB for this connection."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -131072")


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _import_file(
    profile: Profile,
    plan: FilePlan,
    counts: dict[str, Counts],
    report: Report,
    *,
    strict: bool,
    progress: ProgressFn | None,
    batch: int,
    beat: Callable[[], None],
    deferred: list[IndexDeferral],
) -> None:
    if not strict:
        _write_file(
            profile,
            plan,
            counts,
            report,
            progress=progress,
            batch=batch,
            beat=beat,
            deferred=deferred,
        )
        return
    before = {k: Counts(**c.as_dict()) for k, c in counts.items()}
    rejected_before = report.rejected
    try:
        # One transaction for the file: its batches are savepoints inside it.
        with transaction.atomic():
            _write_file(profile, plan, counts, report, progress=progress, batch=batch, beat=beat)
            if report.rejected > rejected_before:
                raise _StrictRollback
    except _StrictRollback:
        bad = report.rejected - rejected_before
        counts.clear()
        counts.update(before)
        mine = counts.setdefault(plan.kind, Counts())
        mine.rejected += bad
        report.add(
            Issue(
                plan.name,
                0,
                "",
                f"--strict: nothing from this file was imported because {bad} row(s) were rejected",
                severity="rolled back",
                kind=plan.kind,
            )
        )


def _write_file(
    profile: Profile,
    plan: FilePlan,
    counts: dict[str, Counts],
    report: Report,
    *,
    progress: ProgressFn | None,
    batch: int,
    beat: Callable[[], None],
    deferred: list[IndexDeferral] | None = None,
) -> None:
    source = profile.source
    resolver = Resolver(source, profile.targets)
    has_pending = PendingReference.objects.filter(source=source).exists()
    writers: dict[str, Writer] = {}

    def reject(record: Record, column: str, reason: str) -> None:
        report.add(Issue(record.file, record.line, column, reason, kind=record.kind))

    def warn(record: Record, column: str, reason: str) -> None:
        report.add(Issue(record.file, record.line, column, reason, "warning", record.kind))

    for kind, target in profile.targets.items():
        writer_class = profile.writers.get(kind, Writer)
        writers[kind] = writer_class(
            source=source,
            target=target,
            resolver=resolver,
            counts=counts.setdefault(kind, Counts()),
            hooks=list(profile.hooks.get(kind, [])),
            has_pending=has_pending,
            on_reject=reject,
            on_warn=warn,
        )
    writer = writers[plan.kind]
    with _no_cycle_collection():
        _write_batches(
            plan,
            writer,
            writers,
            counts[plan.kind],
            report,
            progress=progress,
            batch=batch,
            beat=beat,
        )
    with transaction.atomic():
        resolve_pending(source=source, resolver=resolver, writers=writers, targets=profile.targets)
        for each in writers.values():
            each.flush()
        beat()
    give_way()
    for each in writers.values():
        # Nothing left to write. Indexes set aside are built again, one per transaction: at the
        # end of the run, so that the run's next files (tasks after events) load without them
        # too, or now when the file is its own transaction (``--strict``).
        kept = each.finish(restore=deferred is None or not is_sqlite())
        if deferred is not None and kept.dropped:
            deferred.append(kept)
    if progress is not None:
        progress(plan.name, plan.size(), plan.size())
    for kind in [k for k, c in counts.items() if not any(c.as_dict().values())]:
        del counts[kind]


def _write_batches(
    plan: FilePlan,
    writer: Writer,
    writers: dict[str, Writer],
    mine: Counts,
    report: Report,
    *,
    progress: ProgressFn | None,
    batch: int,
    beat: Callable[[], None],
) -> None:
    """The rows of one file, read and written a committed batch at a time."""
    seen: dict[str, int] = {}
    total = plan.size()
    items = iter(plan.items())
    more = True
    read = 0
    while more:
        # Rows are read, parsed and checked outside the transaction, so the database is held
        # only while the batch is written.
        ready: list[Record] = []
        more = False
        taken = 0
        for item in items:
            taken += 1
            record = item.record
            if item.issues:
                for issue in item.issues:
                    report.add(issue)
                if any(i.severity == "rejected" for i in item.issues):
                    record = None
            if record is None:
                mine.rejected += 1
            elif (first := seen.get(record.external_id)) is not None:
                mine.rejected += 1
                report.add(
                    Issue(
                        plan.name,
                        item.line,
                        "Id",
                        f"repeats the id of row {first}",
                        kind=plan.kind,
                    )
                )
            else:
                seen[record.external_id] = item.line
                ready.append(record)
            if taken >= batch:
                more = True
                break
        if not read and more and (done := plan.done()) > 0:
            # The file's size and the rows read so far tell how many rows it holds.
            writer.expect(total * taken // done)
        read += taken
        # One committed batch: its rows, then everything the writers still hold.
        with transaction.atomic():
            writer.add_many(ready)
            for each in writers.values():
                each.flush()
            beat()
        if progress is not None and ready:
            progress(plan.name, plan.done(), total)
        give_way()


def _count_pending(source: str, counts: dict[str, Counts]) -> None:
    """What still waits for a record that has not arrived, per object type (a reference, or a
    whole row that cannot exist without its target)."""
    for each in counts.values():
        each.pending = 0
    waiting: dict[str, set[str]] = {}
    for kind, external_id in PendingReference.objects.filter(source=source).values_list(
        "kind", "external_id"
    ):
        waiting.setdefault(kind, set()).add(external_id)
    for kind, ids in waiting.items():
        counts.setdefault(kind, Counts()).pending = len(ids)


def as_json(result: ImportResult) -> dict[str, Any]:
    return {
        **{kind: dict(c) for kind, c in result.counts.items()},
        "report": str(result.report_path) if result.report_path else None,
    }
