from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from presales.activities.access import activities_for
from presales.activities.models import Activity
from presales.core import access
from presales.core.errors import error_lines
from presales.core.pages import current_user, page_of, query_without_page, visible_or_404
from presales.core.services import TEXT_LIMIT
from presales.deals.access import opportunities_for
from presales.deals.models import CLOSED_STAGES
from presales.meetings import export, services
from presales.meetings.access import commitments_for, topics_for
from presales.meetings.models import Commitment, Debrief, Report
from presales.meetings.planner import build_plan

COMMITMENT_ROWS = 3


# The labels the plan and debrief pages show, for errors that name a field.
FIELD_LABELS = {
    "activity": "Meeting",
    "outcomes": "Outcomes",
    "agenda": "Agenda",
    "went_right": "What went right",
    "went_wrong": "What went wrong",
    "next_steps": "Next steps",
    "same_page": "Did rep and SE hear the same thing?",
    "same_page_detail": "Where you differ",
    "feedback_rep_to_se": "Feedback rep → SE",
    "feedback_se_to_rep": "Feedback SE → rep",
    "commitments": "Commitment",
    "what": "What",
    "promised_by": "Promised by",
    "promised_to": "Promised to",
    "due_on": "Due",
    "gaps": "Product gaps",
    "notes": "Notes",
}


def _errors(exc: ValidationError) -> list[str]:
    return error_lines(exc, labels=FIELD_LABELS)


def _flash(request: HttpRequest, exc: ValidationError | access.PermissionDenied) -> None:
    for e in _errors(exc) if isinstance(exc, ValidationError) else [str(exc)]:
        messages.error(request, e)


def plan(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The meeting planner page; a POST saves the outcomes the call must obtain."""
    activity: Activity = visible_or_404(request, Activity, activity_id)
    if request.method == "POST":
        try:
            services.save_plan(
                actor=current_user(request),
                activity=activity,
                outcomes=request.POST.get("outcomes", ""),
                agenda=request.POST.get("agenda", ""),
            )
            messages.success(request, "Plan saved.")
        except (ValidationError, access.PermissionDenied) as exc:
            _flash(request, exc)
        return redirect("meeting_plan", activity_id=activity.pk)
    return render(
        request,
        "meetings/plan.html",
        {
            "plan": build_plan(activity=activity, viewer=current_user(request)),
            "activity": activity,
            "can_change": access.can_change(request.user, activity),
            "can_mark_held": services.can_mark_held(activity),
            "text_limit": TEXT_LIMIT,
            "debrief": Debrief.objects.filter(activity=activity).first(),
        },
    )


def plan_markdown(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity: Activity = visible_or_404(request, Activity, activity_id)
    text = export.to_markdown(build_plan(activity=activity, viewer=current_user(request)))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="plan-{activity.pk}.md"'
    return response


def plan_pdf(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity: Activity = visible_or_404(request, Activity, activity_id)
    data = export.to_pdf(build_plan(activity=activity, viewer=current_user(request)))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="plan-{activity.pk}.pdf"'
    return response


@require_POST
def mark_held(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity: Activity = visible_or_404(request, Activity, activity_id)
    try:
        services.mark_held(actor=current_user(request), activity=activity)
        messages.success(request, "Marked as held. Debrief while it is fresh.")
        return redirect("meeting_debrief", activity_id=activity.pk)
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("meeting_plan", activity_id=activity.pk)


def _commitment_rows(request: HttpRequest) -> list[dict[str, Any]]:
    rows = []
    for i in range(COMMITMENT_ROWS):
        what = request.POST.get(f"c{i}_what", "").strip()
        if not what:
            continue
        raw_due = request.POST.get(f"c{i}_due", "")
        try:
            due = date.fromisoformat(raw_due)
        except ValueError:
            raise ValidationError(
                {f"commitment {i + 1}": "Give a due date (YYYY-MM-DD)."}
            ) from None
        rows.append(
            {
                "what": what,
                "promised_by": request.POST.get(f"c{i}_by", "").strip(),
                "promised_to": request.POST.get(f"c{i}_to", "").strip(),
                "direction": request.POST.get(f"c{i}_direction", "ours"),
                "due_on": due,
            }
        )
    return rows


def debrief(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The five-minute debrief: a short form, everything optional but one field."""
    activity: Activity = visible_or_404(request, Activity, activity_id)
    user = current_user(request)
    existing = Debrief.objects.filter(activity=activity).first()
    # The author (or an administrator) edits the debrief in place; other attendees add to it.
    editing = existing is not None and (existing.author_id in (user.pk, None) or user.is_admin_role)
    errors: list[str] = []
    if request.method == "POST":
        fields = {name: request.POST.get(name, "") for name in services.DEBRIEF_FIELDS}
        try:
            services.record_debrief(
                actor=user,
                activity=activity,
                fields=fields,
                commitments=_commitment_rows(request),
                gaps=request.POST.get("gaps", "").splitlines(),
                notes_text=request.POST.get("notes", ""),
                replace=editing and request.POST.get("mode") == "edit",
            )
            messages.success(request, "Debrief saved. Thank you.")
            return redirect("meeting_debrief", activity_id=activity.pk)
        except ValidationError as exc:
            errors = _errors(exc)
        except access.PermissionDenied as exc:
            errors = [str(exc)]
    return render(
        request,
        "meetings/debrief.html",
        {
            "activity": activity,
            "debrief": existing,
            "gaps": existing.gaps.all() if existing else [],
            "commitments": activity.commitments.select_related("owner"),
            "rows": range(COMMITMENT_ROWS),
            "same_page": Debrief.SamePage.choices,
            "directions": Commitment.Direction.choices,
            "errors": errors,
            "form": request.POST if errors else _debrief_values(existing) if editing else None,
            "editing": editing,
        },
        status=422 if errors else 200,
    )


def _debrief_values(debrief: Debrief | None) -> dict[str, str]:
    if debrief is None:
        return {}
    return {name: getattr(debrief, name) for name in services.DEBRIEF_FIELDS}


def commitment_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    status = request.GET.get("status", "open")
    mine = request.GET.get("mine", "1") == "1"
    rows = commitments_for(user).select_related("account", "owner", "opportunity")
    if status in Commitment.Status.values:
        rows = rows.filter(status=status)
    if mine:
        rows = rows.filter(owner=user)
    account = request.GET.get("account", "")
    if account.isdigit():
        rows = rows.filter(account_id=int(account))
    return render(
        request,
        "meetings/commitment_list.html",
        {
            "page": page_of(request, rows.order_by("due_on", "id")),
            "status": status,
            "mine": mine,
            "statuses": Commitment.Status.choices,
            "query": query_without_page(request),
        },
    )


@require_POST
def resolve_commitment(request: HttpRequest, commitment_id: int) -> HttpResponse:
    commitment: Commitment = visible_or_404(request, Commitment, commitment_id)
    try:
        services.resolve_commitment(
            actor=current_user(request),
            commitment=commitment,
            status=request.POST.get("status", ""),
            resolution=request.POST.get("resolution", ""),
        )
        messages.success(request, f"Marked {commitment.get_status_display().lower()}.")
    except ValidationError as exc:
        _flash(request, exc)
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("commitment_list")


def topic_list(request: HttpRequest) -> HttpResponse:
    """The team's topic map: what comes up, what it leads to, and the prepared answer."""
    user = current_user(request)
    topics = topics_for(user).prefetch_related("leads_to").select_related("team")
    if request.method == "POST":
        topic = topics.filter(pk=request.POST.get("topic") or 0).first()
        fields = {
            "name": request.POST.get("name", "").strip(),
            "keywords": request.POST.get("keywords", "").strip(),
            "answer": request.POST.get("answer", "").strip(),
        }
        try:
            if topic is None:
                services.create_topic(actor=user, fields=fields)
            else:
                services.update_topic(actor=user, topic=topic, changes=fields)
            messages.success(request, "Topic saved.")
        except (ValidationError, access.PermissionDenied) as exc:
            _flash(request, exc)
        return redirect("topic_list")
    editable = {t.pk for t in topics if access.can_change(user, t)}
    return render(request, "meetings/topic_list.html", {"topics": topics, "editable": editable})


def report_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    kind = request.GET.get("kind", "")
    rows = services.published_reports_for(user)
    if kind in Report.Kind.values:
        rows = rows.filter(kind=kind)
    return render(
        request,
        "meetings/report_list.html",
        {
            "page": page_of(request, rows),
            "kind": kind,
            "kinds": Report.Kind.choices,
            "query": query_without_page(request),
        },
    )


def report_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    errors: list[str] = []
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("activities") if x.isdigit()]
        opp = request.POST.get("opportunity", "")
        try:
            report = services.create_report(
                actor=user,
                fields={
                    "kind": request.POST.get("kind", ""),
                    "title": request.POST.get("title", "").strip(),
                    "summary": request.POST.get("summary", "").strip(),
                    "what_worked": request.POST.get("what_worked", "").strip(),
                    "what_did_not": request.POST.get("what_did_not", "").strip(),
                    "lessons": request.POST.get("lessons", "").strip(),
                    "opportunity_id": int(opp) if opp.isdigit() else None,
                    "activity_ids": ids,
                },
            )
            if request.POST.get("publish") == "1":
                services.publish_report(actor=user, report=report)
            return redirect("report_detail", report_id=report.pk)
        except ValidationError as exc:
            errors = _errors(exc)
        except access.PermissionDenied as exc:
            errors = [str(exc)]
    closed = (
        opportunities_for(user)
        .filter(stage__in=CLOSED_STAGES)
        .filter(sales_engineers=user)
        .order_by("-close_date")[:50]
        | opportunities_for(user)
        .filter(stage__in=CLOSED_STAGES, owner=user)
        .order_by("-close_date")[:50]
    )
    visits = (
        activities_for(user)
        .filter(participants=user, status=Activity.Status.HELD, customer_facing=True)
        .select_related("account")
        .order_by("-starts_at")[:40]
    )
    return render(
        request,
        "meetings/report_form.html",
        {
            "kinds": Report.Kind.choices,
            "closed": closed,
            "visits": visits,
            "errors": errors,
            "form": request.POST
            if errors
            else {
                "kind": request.GET.get("kind", "win_loss"),
                "opportunity": request.GET.get("opportunity", ""),
            },
        },
        status=422 if errors else 200,
    )


def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report: Report = visible_or_404(request, Report, report_id)
    user = current_user(request)
    if request.method == "POST":
        try:
            services.publish_report(
                actor=user, report=report, publish=request.POST.get("publish") == "1"
            )
            messages.success(
                request, "Published to the team." if report.published else "Unpublished."
            )
        except (ValidationError, access.PermissionDenied) as exc:
            messages.error(request, str(exc))
        return redirect("report_detail", report_id=report.pk)
    return render(
        request,
        "meetings/report_detail.html",
        {"report": report, "can_change": access.can_change(user, report)},
    )
