"""Pages: the duplicates queue, one pair with the merge preview, merges with undo and their
audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from presales.core import access
from presales.core.pages import current_user, page_of
from presales.intelligence import jobs, merging
from presales.intelligence.access import is_steward, merges_for, pairs_for
from presales.intelligence.dedupe import DEFAULT_THRESHOLD
from presales.intelligence.models import DedupeRun, DuplicatePair, Kind, MergeEvent


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind") or request.POST.get("kind") or Kind.ACCOUNT
    return kind if kind in Kind.values else Kind.ACCOUNT


def _records(kind: str, ids: list[int]) -> dict[int, Any]:
    model = merging.MODELS[kind]
    rows = model._default_manager.filter(pk__in=ids)
    rows = rows.select_related("account" if kind == Kind.CONTACT else "team")
    return dict(rows.in_bulk())


def duplicates(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    kind = _kind(request)
    rows: QuerySet[DuplicatePair] = pairs_for(user).filter(
        kind=kind, status=DuplicatePair.Status.OPEN
    )
    try:
        least = float(request.GET.get("min", "0.5"))
    except ValueError:
        least = 0.5
    rows = rows.filter(probability__gte=least).order_by("-probability", "pk")
    page = page_of(request, rows)
    pairs = list(page.object_list)
    records = _records(kind, [p.left_id for p in pairs] + [p.right_id for p in pairs])
    shown = [
        {"pair": p, "left": records.get(p.left_id), "right": records.get(p.right_id)} for p in pairs
    ]
    return render(
        request,
        "intelligence/duplicates.html",
        {
            "kind": kind,
            "kinds": Kind.choices,
            "page": page,
            "rows": shown,
            "least": least,
            "run": DedupeRun.objects.filter(kind=kind).first(),
            "steward": is_steward(user),
            "threshold": DEFAULT_THRESHOLD,
        },
    )


@require_POST
def duplicates_run(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    kind = _kind(request)
    access.require(
        is_steward(user) or user.is_manager_role,
        "A data steward or a manager starts the duplicate finder over the whole base.",
    )
    try:
        threshold = float(request.POST.get("threshold", DEFAULT_THRESHOLD))
    except ValueError:
        threshold = -1
    if not 0 < threshold < 1:
        messages.error(request, "The threshold is a probability between 0 and 1, such as 0.9.")
        return redirect(f"{request.path.rsplit('run/', 1)[0]}?kind={kind}")
    job = jobs.start(kind, threshold, user)
    messages.success(request, "The duplicate finder runs in the background; follow it here.")
    return redirect("job_detail", job_id=job.pk)


def _pair(request: HttpRequest, pair_id: int) -> DuplicatePair:
    pair = pairs_for(current_user(request)).filter(pk=pair_id).first()
    if pair is None:
        raise Http404("No such pair.")
    return pair


def pair_detail(request: HttpRequest, pair_id: int) -> HttpResponse:
    user = current_user(request)
    pair = _pair(request, pair_id)
    keep = request.GET.get("keep", "")
    survivor, other = (
        (pair.right_id, pair.left_id) if keep == "right" else (pair.left_id, pair.right_id)
    )
    plan = None
    error = ""
    if pair.status == DuplicatePair.Status.OPEN:
        try:
            plan = merging.preview(pair.kind, survivor, [other])
        except merging.MergeError as exc:
            error = str(exc)
    records = _records(pair.kind, [pair.left_id, pair.right_id])
    return render(
        request,
        "intelligence/pair.html",
        {
            "pair": pair,
            "left": records.get(pair.left_id),
            "right": records.get(pair.right_id),
            "plan": plan,
            "error": error,
            "keep": "right" if keep == "right" else "left",
            "may_merge": plan is not None
            and merging.can_merge(user, [plan.survivor, *plan.others]),
        },
    )


@require_POST
def pair_action(request: HttpRequest, pair_id: int, action: str) -> HttpResponse:
    user = current_user(request)
    pair = _pair(request, pair_id)
    if pair.status != DuplicatePair.Status.OPEN:
        messages.error(request, "This pair was already decided.")
        return redirect("intel_pair", pair_id=pair.pk)
    if action == "distinct":
        records = list(_records(pair.kind, [pair.left_id, pair.right_id]).values())
        access.require(merging.can_merge(user, records), "Only the team or a data steward decides.")
        pair.status = DuplicatePair.Status.DISTINCT
        pair.decided_by = user
        pair.decided_at = timezone.now()
        pair.save(update_fields=["status", "decided_by", "decided_at"])
        messages.success(request, "Marked as different records; the finder will not ask again.")
        return redirect(f"/intelligence/duplicates/?kind={pair.kind}")
    if action != "merge":
        raise Http404("No such action.")
    keep = request.POST.get("keep", "left")
    survivor, other = (
        (pair.right_id, pair.left_id) if keep == "right" else (pair.left_id, pair.right_id)
    )
    try:
        record = merging.merge(pair.kind, survivor, [other], user=user)
    except merging.MergeError as exc:
        messages.error(request, str(exc))
        return redirect("intel_pair", pair_id=pair.pk)
    messages.success(
        request, f"Merged into {record.survivor_name}. {len(record.moved)} links moved; undo below."
    )
    return redirect("intel_merges")


def merge_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    rows = merges_for(user).select_related("merged_by", "undone_by").order_by("-created_at", "-pk")
    page = page_of(request, rows)
    events = MergeEvent.objects.filter(merge__in=[m.pk for m in page.object_list]).select_related(
        "user"
    )
    by_merge: dict[int, list[MergeEvent]] = {}
    for event in events:
        by_merge.setdefault(event.merge_id, []).append(event)
    return render(
        request,
        "intelligence/merges.html",
        {
            "page": page,
            "rows": [(m, by_merge.get(m.pk, [])) for m in page.object_list],
        },
    )


@require_POST
def merge_undo(request: HttpRequest, merge_record_id: int) -> HttpResponse:
    user = current_user(request)
    if not merges_for(user).filter(pk=merge_record_id).exists():
        raise Http404("No such merge.")
    try:
        record = merging.unmerge(merge_record_id, user=user)
    except merging.MergeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Merge {record.pk} undone: every record and link is back as it was."
        )
    return redirect("intel_merges")
