from __future__ import annotations

import csv

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from presales.core.pages import current_user, page_of
from presales.imports.access import import_runs_for
from presales.imports.models import ImportRun
from presales.imports.services.quicklog import quick_log as log_quickly
from presales.imports.services.report import KEPT
from presales.imports.services.run import report_path


def _run_or_404(request: HttpRequest, run_id: int) -> ImportRun:
    run = import_runs_for(request.user).filter(pk=run_id).first()
    if run is None:
        raise Http404(f"No import with id {run_id} that you can see.")
    return run


def import_list(request: HttpRequest) -> HttpResponse:
    runs = import_runs_for(request.user).select_related("user")
    return render(request, "imports/import_list.html", {"page": page_of(request, runs)})


def import_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run_or_404(request, run_id)
    issues: list[dict[str, str]] = []
    path = report_path(run)
    if path is not None and path.is_file():
        with path.open(newline="", encoding="utf-8") as handle:
            for n, row in enumerate(csv.DictReader(handle)):
                if n >= KEPT:
                    break
                issues.append(row)
    return render(
        request,
        "imports/import_detail.html",
        {"run": run, "issues": issues, "more": run.rejected + run.warnings > len(issues)},
    )


def import_report(request: HttpRequest, run_id: int) -> FileResponse:
    path = report_path(_run_or_404(request, run_id))
    if path is None or not path.is_file():
        raise Http404("This import has no report.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@require_POST
def quick_log(request: HttpRequest) -> HttpResponse:
    text = request.POST.get("text", "")
    account = request.POST.get("account_id", "")
    context: dict[str, object] = {"text": text}
    try:
        context["result"] = log_quickly(
            actor=current_user(request),
            text=text,
            account_id=int(account) if account.isdigit() else None,
        )
    except ValidationError as exc:
        context["errors"] = [m for ms in exc.message_dict.values() for m in ms]
    return render(request, "imports/quick_log.html", context)
