from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.pagination import paginate

from presales.core import access
from presales.core.api import Paginated, actor
from presales.imports.access import (
    can_read_import_settings,
    import_runs_for,
)
from presales.imports.models import ImportRun, ValueMapping
from presales.imports.services import owners, picklists
from presales.imports.services.quicklog import quick_log
from presales.imports.services.run import report_path
from presales.people.models import User

router = Router(tags=["imports"])


class ImportRunOut(Schema):
    id: int
    profile: str
    who: str
    files: list[str]
    started_at: datetime
    finished_at: datetime | None
    status: str
    dry_run: bool
    strict: bool
    counts: dict[str, dict[str, int]]
    rejected: int
    warnings: int
    message: str
    report_url: str | None

    @staticmethod
    def resolve_report_url(obj: ImportRun) -> str | None:
        return f"/api/imports/{obj.pk}/report" if obj.report else None


class QuickLogIn(Schema):
    text: str = Field(min_length=1, max_length=2000, examples=["demo Acme 45m: showed SSO"])
    account_id: int | None = Field(None, description="Confirms the account when unsure")


class CandidateOut(Schema):
    id: int
    name: str
    confidence: float


class QuickLogOut(Schema):
    logged: bool
    needs_confirmation: bool
    activity_id: int | None
    kind: str
    minutes: int
    account_id: int | None
    account_words: str
    confidence: float
    note: str
    candidates: list[CandidateOut]


def _run(request: HttpRequest, run_id: int) -> ImportRun:
    run = import_runs_for(actor(request)).filter(pk=run_id).first()
    if run is None:
        raise Http404(f"No import with id {run_id}.")
    return run


class ValueMappingOut(Schema):
    id: int
    source: str
    picklist: str
    label: str
    value: str
    origin: str
    evidence: dict[str, str]
    deals: int | None = Field(None, description="Deals of the source with this stage name")


class ValueMappingIn(Schema):
    value: str = Field(description="The Presales value (a stage, activity kind or role)")


class ValueMappingChangeOut(Schema):
    mapping: ValueMappingOut
    moved: int = Field(description="Deals moved to the new stage")


class WaitingOwnerOut(Schema):
    source: str
    external_id: str
    records: int
    kinds: dict[str, int]


class OwnerMapIn(Schema):
    source: str = Field(min_length=1, max_length=40)
    external_id: str = Field(min_length=1, max_length=64)
    user_id: int


class OwnerMapOut(Schema):
    completed: int


def _settings_reader(request: HttpRequest) -> None:
    access.require(
        can_read_import_settings(actor(request)),
        "Only administrators and managers read import settings.",
    )


def _mapping_out(row: ValueMapping, deals: dict[str, int]) -> dict[str, object]:
    return {
        "id": row.pk,
        "source": row.source,
        "picklist": row.picklist,
        "label": row.label,
        "value": row.value,
        "origin": row.origin,
        "evidence": row.evidence,
        "deals": deals.get(row.key, 0) if row.picklist == "stage" else None,
    }


@router.get("/imports/mappings", response=list[ValueMappingOut])
def list_value_mappings(request: HttpRequest, source: str = "") -> list[dict[str, object]]:
    """What each source's stage names, activity types and contact roles mean in Presales."""
    _settings_reader(request)
    out = []
    for (src, _picklist), rows in picklists.mappings(source=source or None).items():
        deals = picklists.deals_per_stage_name(src)
        out += [_mapping_out(row, deals) for row in rows]
    return out


@router.put("/imports/mappings/{mapping_id}", response=ValueMappingChangeOut)
def put_value_mapping(
    request: HttpRequest, mapping_id: int, payload: ValueMappingIn
) -> dict[str, object]:
    """Say what a value means; deals already imported with that stage name move."""
    _settings_reader(request)
    row = ValueMapping.objects.filter(pk=mapping_id).first()
    if row is None:
        raise Http404(f"No value mapping with id {mapping_id}.")
    moved = picklists.change_mapping(mapping=row, value=payload.value, actor=actor(request))
    deals = picklists.deals_per_stage_name(row.source)
    return {"mapping": _mapping_out(row, deals), "moved": moved}


@router.get("/imports/owners", response=list[WaitingOwnerOut])
@paginate(Paginated)
def list_waiting_owners(request: HttpRequest, source: str = "") -> list[owners.WaitingOwner]:
    """Owner ids that records wait for, the most waited-for first."""
    _settings_reader(request)
    return owners.waiting_owners(source=source or None)


@router.post("/imports/owners", response=OwnerMapOut)
def post_owner_mapping(request: HttpRequest, payload: OwnerMapIn) -> dict[str, int]:
    """Say which Presales user an owner id is; every record waiting for it is completed."""
    _settings_reader(request)
    person = User.objects.filter(pk=payload.user_id).first()
    if person is None:
        raise Http404(f"No user with id {payload.user_id}.")
    done = owners.map_owner(
        actor=actor(request), source=payload.source, external_id=payload.external_id, user=person
    )
    return {"completed": done}


# Declared before /imports/{run_id} so that the fixed path wins.
@router.post("/imports/quick-log", response={200: QuickLogOut, 201: QuickLogOut})
def post_quick_log(request: HttpRequest, payload: QuickLogIn) -> tuple[int, dict[str, object]]:
    result = quick_log(actor=actor(request), text=payload.text, account_id=payload.account_id)
    body: dict[str, object] = {
        "logged": result.activity is not None,
        "needs_confirmation": result.needs_confirmation,
        "activity_id": result.activity.pk if result.activity else None,
        "kind": result.kind,
        "minutes": result.minutes,
        "account_id": result.account_id,
        "account_words": result.account_words,
        "confidence": result.confidence,
        "note": result.note,
        "candidates": [
            {"id": c.pk, "name": c.name, "confidence": c.confidence} for c in result.candidates
        ],
    }
    return (201 if result.activity else 200), body


@router.get("/imports", response=list[ImportRunOut])
@paginate(Paginated)
def list_imports(request: HttpRequest) -> QuerySet[ImportRun]:
    return import_runs_for(actor(request)).select_related("user")


class UploadJobOut(Schema):
    id: int = Field(description="The job to poll")
    url: str = Field(description="GET it to follow the job; its result names the import run")
    upload_id: int
    profile: str = Field(description="The import type the files are read as")
    dry_run: bool
    files: list[dict[str, Any]]


@router.post("/imports", response={202: UploadJobOut})
def post_import(
    request: HttpRequest,
    files: list[UploadedFile] | None = File(None),  # noqa: B008 - ninja's way
    profile: str = Form(""),
    dry_run: bool = Form(True),
) -> tuple[int, dict[str, Any]]:
    """Upload files to import (multipart, field ``files``, one or more): CSV exports, a ZIP of
    a Salesforce export, HubSpot exports, calendars, mail. The import type is detected unless
    ``profile`` names it. The import runs as a background job, a dry run unless ``dry_run`` is
    false; poll the job, whose result links to the import run."""
    from presales.uploads import jobs as upload_jobs
    from presales.uploads.access import can_upload
    from presales.uploads.services import store

    user = actor(request)
    access.require(can_upload(user), "Only managers and administrators import data.")
    upload = store(user=user, files=files or [], profile=profile)
    start = upload_jobs.start_check if dry_run else upload_jobs.start_import
    job = start(upload, user)
    return 202, {
        "id": job.pk,
        "url": f"/api/jobs/{job.pk}",
        "upload_id": upload.pk,
        "profile": upload.profile,
        "dry_run": dry_run,
        "files": upload.files,
    }


@router.get("/imports/{run_id}", response=ImportRunOut)
def get_import(request: HttpRequest, run_id: int) -> ImportRun:
    return _run(request, run_id)


@router.get("/imports/{run_id}/report", response={200: None})
def get_import_report(request: HttpRequest, run_id: int) -> FileResponse:
    path = report_path(_run(request, run_id))
    if path is None or not path.is_file():
        raise Http404("This import has no report (nothing was rejected or warned about).")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
