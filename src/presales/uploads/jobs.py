"""An upload's dry run and its import, as background jobs.

The dry run imports everything and rolls it back, as ``presales import --dry-run`` does. Just
before the rollback (at the end of each file, through the import's progress callback) it notes
what the review needs: the source's value mappings (stage names with what the export said about
them) and the owner ids records would wait for. The value mappings the files introduced are then
kept, so an administrator can correct them before the real import follows them.
"""

from __future__ import annotations

import csv
from collections import Counter
from typing import Any

from django.db import transaction
from django.urls import reverse
from django_tasks import task

from presales.imports.models import ImportRun, Picklist, ValueMapping
from presales.imports.services import PROFILES, UnusableInput, run_import
from presales.imports.services import mapping as csv_mapping
from presales.imports.services.owners import waiting_owners
from presales.imports.services.run import ProgressFn, report_path
from presales.jobs.models import Job
from presales.jobs.services import enqueue, progress_for, say
from presales.uploads.models import Upload
from presales.uploads.services import importable

FIELDS = ("source", "picklist", "key", "label", "value", "origin", "evidence")


def _source_of(upload: Upload) -> str:
    _paths, mapping = importable(upload)
    if mapping is not None:
        return csv_mapping.profile(mapping).source
    return PROFILES[upload.profile]().source


def _outcome(context: Any, url: str) -> None:
    Job.objects.filter(task_result_id=context.task_result.id).update(outcome_url=url)


def _count_rows(upload: Upload, progress: ProgressFn) -> None:
    """Rows per file (records of a table; events and messages are counted by the dry run)."""
    from presales.imports.services.sources import CsvFile

    paths, _mapping = importable(upload)
    files = {f["name"]: f for f in upload.files}
    for n, path in enumerate(paths):
        progress("counting rows", n, len(paths))
        if path.suffix.lower() in (".csv", ".txt"):
            try:
                files[path.name]["rows"] = sum(1 for _ in CsvFile(path).rows())
            except (UnusableInput, ValueError):
                files[path.name]["rows"] = None


def _issues_per_file(run: ImportRun) -> dict[str, dict[str, int]]:
    per_file: dict[str, Counter[str]] = {}
    path = report_path(run)
    if path is None or not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            severity = "warnings" if row.get("severity") == "warning" else "rejected"
            per_file.setdefault(row.get("file", ""), Counter())[severity] += 1
    return {name: dict(c) for name, c in per_file.items()}


@task(takes_context=True)
def check_upload(context: Any, *, upload_id: int) -> dict[str, Any]:
    """The dry run of an upload: what would be imported, rejected and warned about."""
    upload = Upload.objects.get(pk=upload_id)
    _outcome(context, reverse("upload_detail", args=[upload.pk]))
    progress = progress_for(context)
    _count_rows(upload, progress)
    paths, mapping = importable(upload)
    try:
        source = _source_of(upload)
    except UnusableInput:
        source = ""  # a broken column mapping: the dry run records why
    seen: dict[str, Any] = {"mappings": [], "owners": []}

    def watch(step: str, done: int, total: int) -> None:
        progress(step, done, total)
        if total and done >= total:
            # Inside the dry run's transaction: what the rollback is about to undo.
            seen["mappings"] = list(ValueMapping.objects.filter(source=source).values(*FIELDS))
            seen["owners"] = [
                {"external_id": o.external_id, "records": o.records, "kinds": o.kinds}
                for o in waiting_owners(source=source)
            ]

    result = run_import(
        kind=upload.profile,
        paths=paths,
        mapping=mapping,
        dry_run=True,
        user=upload.user,
        progress=watch,
    )
    with transaction.atomic():
        for row in seen["mappings"]:
            keys = {k: row[k] for k in ("source", "picklist", "key")}
            ValueMapping.objects.get_or_create(
                **keys, defaults={k: row[k] for k in ("label", "value", "origin", "evidence")}
            )
        issues = _issues_per_file(result.run)
        for item in upload.files:
            item.update(issues.get(item["name"], {}))
        upload.dry_run = result.run
        upload.review = {
            "source": source,
            "stages": [m["key"] for m in seen["mappings"] if m["picklist"] == Picklist.STAGE],
            "owners": seen["owners"],
        }
        upload.state = Upload.State.FAILED if result.unusable else Upload.State.CHECKED
        upload.save()
    say(context, result.unusable or f"Dry run: {result.summary()}; nothing was changed.")
    return {"upload": upload.pk, **_run_summary(result.run)}


@task(takes_context=True)
def import_upload(context: Any, *, upload_id: int) -> dict[str, Any]:
    """The import itself, with the mappings as they are now."""
    upload = Upload.objects.get(pk=upload_id)
    Upload.objects.filter(pk=upload.pk).update(state=Upload.State.IMPORTING)
    paths, mapping = importable(upload)
    result = run_import(
        kind=upload.profile,
        paths=paths,
        mapping=mapping,
        user=upload.user,
        progress=progress_for(context),
    )
    upload.run = result.run
    upload.state = Upload.State.FAILED if result.unusable else Upload.State.DONE
    upload.save(update_fields=["run", "state"])
    _outcome(context, reverse("import_detail", args=[result.run.pk]))
    say(context, result.unusable or result.summary())
    return {"upload": upload.pk, **_run_summary(result.run)}


def _run_summary(run: ImportRun) -> dict[str, Any]:
    return {
        "import_run": run.pk,
        "import_run_url": f"/api/imports/{run.pk}",
        "status": run.status,
        "dry_run": run.dry_run,
        "totals": run.totals,
        "message": run.message,
    }


def start_check(upload: Upload, user: Any) -> Job:
    job = enqueue(
        check_upload,
        label=f"Dry run: {upload.names}"[:200],
        user=user,
        outcome_url=reverse("upload_detail", args=[upload.pk]),
        upload_id=upload.pk,
    )
    upload.check_job = job
    upload.state = Upload.State.CHECKING
    upload.save(update_fields=["check_job", "state"])
    return job


def start_import(upload: Upload, user: Any) -> Job:
    job = enqueue(
        import_upload,
        label=f"Import: {upload.names}"[:200],
        user=user,
        upload_id=upload.pk,
    )
    upload.import_job = job
    upload.state = Upload.State.IMPORTING
    upload.save(update_fields=["import_job", "state"])
    return job
