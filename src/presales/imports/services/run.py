"""Running an import: files in dependency order, each in its own transaction, the whole run
rolled back for ``dry_run``, a file rolled back when ``strict`` and a row of it was rejected,
the history kept in ``ImportRun`` and the report written under ``PRESALES_HOME/imports``.

Because every file commits as one transaction and every write is an upsert keyed on source and
external id, an import killed midway and run again ends exactly where an uninterrupted one does.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from presales.imports.models import ImportRun, PendingReference
from presales.imports.services.engine import Counts, Record, Resolver, Writer
from presales.imports.services.pending import resolve_pending
from presales.imports.services.profiles import FilePlan, Profile
from presales.imports.services.report import Issue, Report
from presales.imports.services.sources import UnusableInput
from presales.people.models import User

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
) -> ImportResult:
    """Import ``paths`` with ``profile`` and record the run. Input that cannot be used at all
    (a missing file, unknown columns, a broken CSV) ends the run with ``unusable`` set and
    nothing from the failing file kept."""
    run = ImportRun.objects.create(
        profile=kind,
        user=user,
        operator="" if user else _operator(),
        files=[p.name for p in paths],
        dry_run=dry_run,
        strict=strict,
    )
    report = Report(reports_dir() / f"import-{run.pk}-report.csv")
    counts: dict[str, Counts] = {}
    unusable = ""
    _larger_cache()
    try:
        chosen = profile if isinstance(profile, Profile) else profile()
        plans = chosen.plan(paths)
        with transaction.atomic():
            for plan in plans:
                _import_file(chosen, plan, counts, report, strict=strict, progress=progress)
            _count_pending(chosen.source, counts)
            if dry_run:
                transaction.set_rollback(True)
    except UnusableInput as exc:
        unusable = str(exc)
    finally:
        report_name = report.close()
    result_counts = {k: c.as_dict() for k, c in sorted(counts.items())}
    run.finished_at = timezone.now()
    run.counts = result_counts
    run.rejected = report.rejected
    run.warnings = report.warnings
    run.report = report_name
    run.message = unusable
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
) -> None:
    before = {k: Counts(**c.as_dict()) for k, c in counts.items()}
    rejected_before = report.rejected
    try:
        with transaction.atomic():
            _write_file(profile, plan, counts, report, progress=progress)
            if strict and report.rejected > rejected_before:
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
    mine = counts[plan.kind]
    seen: dict[str, int] = {}
    total = plan.size()
    step = 0
    for item in plan.items():
        record = item.record
        if item.issues:
            for issue in item.issues:
                report.add(issue)
            if any(i.severity == "rejected" for i in item.issues):
                record = None
        if record is None:
            mine.rejected += 1
            continue
        first = seen.get(record.external_id)
        if first is not None:
            mine.rejected += 1
            report.add(
                Issue(plan.name, item.line, "Id", f"repeats the id of row {first}", kind=plan.kind)
            )
            continue
        seen[record.external_id] = item.line
        writer.add(record)
        step += 1
        if progress is not None and step % 2000 == 0:
            progress(plan.name, plan.done(), total)
    for each in writers.values():
        each.flush()
    resolve_pending(source=source, resolver=resolver, writers=writers, targets=profile.targets)
    for each in writers.values():
        each.finish()
    if progress is not None:
        progress(plan.name, total, total)
    for kind in [k for k, c in counts.items() if not any(c.as_dict().values())]:
        del counts[kind]


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
