from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from presales.core import access
from presales.core.pages import current_user, page_of
from presales.imports.access import (
    can_change_import_settings,
    can_read_import_settings,
    import_runs_for,
)
from presales.imports.models import ImportRun, Picklist, ValueMapping
from presales.imports.services import owners, picklists
from presales.imports.services.quicklog import quick_log as log_quickly
from presales.imports.services.report import KEPT
from presales.imports.services.run import report_path
from presales.people.models import User


def _run_or_404(request: HttpRequest, run_id: int) -> ImportRun:
    run = import_runs_for(request.user).filter(pk=run_id).first()
    if run is None:
        raise Http404(f"No import with id {run_id} that you can see.")
    return run


def import_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    runs = import_runs_for(user).select_related("user")
    context: dict[str, Any] = {"page": page_of(request, runs)}
    if can_read_import_settings(user):
        context.update(_settings_context(request, user))
    from presales.uploads.views import upload_form_context

    context.update(upload_form_context(user))
    return render(request, "imports/import_list.html", context)


def _settings_context(request: HttpRequest, user: User) -> dict[str, Any]:
    """What later imports follow: the meaning of each source's picklist values and the owners
    that records wait for. Managers read them; administrators change them."""
    groups = []
    for (source, picklist), rows in picklists.mappings().items():
        counts = picklists.deals_per_stage_name(source) if picklist == Picklist.STAGE else {}
        groups.append(
            {
                "source": source,
                "picklist": Picklist(picklist).label,
                "choices": picklists.CHOICES[picklist],
                "rows": [(row, counts.get(row.key)) for row in rows],
                "is_stage": picklist == Picklist.STAGE,
            }
        )
    waiting = Paginator(owners.waiting_owners(), 25).get_page(request.GET.get("owners_page"))
    return {
        "show_settings": True,
        "mapping_groups": groups,
        "owners_page": waiting,
        "can_change": can_change_import_settings(user),
        "people": User.objects.filter(is_active=True).order_by("first_name", "last_name")
        if can_change_import_settings(user)
        else [],
    }


def _back(request: HttpRequest, default: str) -> str:
    """Where a mapping form returns: the page it was sent from (an upload's review), if ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@require_POST
def change_value_mapping(request: HttpRequest, mapping_id: int) -> HttpResponse:
    mapping = ValueMapping.objects.filter(pk=mapping_id).first()
    if mapping is None:
        raise Http404(f"No value mapping with id {mapping_id}.")
    try:
        moved = picklists.change_mapping(
            mapping=mapping, value=request.POST.get("value", ""), actor=current_user(request)
        )
    except access.PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        label = mapping.label or "(empty)"
        moved_text = f"; {moved} deal{'s' if moved != 1 else ''} moved" if moved else ""
        messages.success(
            request,
            f"{mapping.source}: {label!r} now means {mapping.value or 'nothing'}{moved_text}.",
        )
    return redirect(_back(request, reverse("import_list") + "#value-mappings"))


@require_POST
def map_owner(request: HttpRequest) -> HttpResponse:
    source = request.POST.get("source", "")
    external_id = request.POST.get("external_id", "")
    chosen = request.POST.get("user", "")
    person = User.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    if not source or not external_id or person is None:
        messages.error(request, "Choose the person this owner id stands for.")
        return redirect(_back(request, reverse("import_list") + "#waiting-owners"))
    try:
        done = owners.map_owner(
            actor=current_user(request), source=source, external_id=external_id, user=person
        )
    except access.PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(
            request,
            f"{source} owner {external_id} is {person}; {done} waiting "
            f"record{'s' if done != 1 else ''} completed.",
        )
    return redirect(_back(request, reverse("import_list") + "#waiting-owners"))


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
