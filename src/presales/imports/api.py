from datetime import datetime

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from presales.core.api import Paginated, actor
from presales.imports.access import import_runs_for
from presales.imports.models import ImportRun
from presales.imports.services.quicklog import quick_log
from presales.imports.services.run import report_path

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


@router.get("/imports/{run_id}", response=ImportRunOut)
def get_import(request: HttpRequest, run_id: int) -> ImportRun:
    return _run(request, run_id)


@router.get("/imports/{run_id}/report", response={200: None})
def get_import_report(request: HttpRequest, run_id: int) -> FileResponse:
    path = report_path(_run(request, run_id))
    if path is None or not path.is_file():
        raise Http404("This import has no report (nothing was rejected or warned about).")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
