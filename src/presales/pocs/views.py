"""The POC board (columns by status, the figures, a form to start one on a deal) and one POC
with its checklist, criteria scorecard, tasks and sign-off."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from presales.accounts.models import Contact
from presales.core import access
from presales.core.pages import current_user, visible_or_404
from presales.deals.access import opportunities_for
from presales.deals.models import OPEN_STAGES
from presales.lab.models import Environment
from presales.people.models import User
from presales.pocs import services
from presales.pocs.analytics import poc_figures
from presales.pocs.models import Criterion, Grade, Poc, PrerequisiteCheck, Task

BOARD_LIMIT = 60


def _date(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError({field: "Give a date (YYYY-MM-DD)."}) from None


def board(request: HttpRequest, *, errors: list[str] | None = None) -> HttpResponse:
    user = current_user(request)
    pocs = access.visible(user, Poc).select_related("opportunity", "se").order_by("-created_at")
    columns = [
        (status, label, list(pocs.filter(status=status)[:BOARD_LIMIT]))
        for status, label in Poc.Status.choices
    ]
    deals = opportunities_for(user).filter(stage__in=OPEN_STAGES).order_by("name")
    return render(
        request,
        "pocs/board.html",
        {
            "columns": columns,
            "figures": poc_figures(actor=user),
            "deals": deals,
            "environments": Environment.objects.filter(active=True).select_related("lab"),
            "errors": errors or [],
            "values": request.POST if errors else {},
            "limit": BOARD_LIMIT,
        },
        status=422 if errors else 200,
    )


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 12 else None


@require_POST
def poc_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    post = request.POST
    try:
        deal_id = _int(post.get("deal", ""))
        if deal_id is None:
            raise ValidationError({"deal": "Choose the deal the POC is for."})
        if not post.get("title", "").strip():
            raise ValidationError({"title": "Name the POC."})
        environment = Environment.objects.filter(pk=_int(post.get("environment", "")) or 0).first()
        poc = services.create_poc(
            actor=user,
            opportunity=services.resolve_opportunity(user, deal_id),
            title=post["title"],
            planned_start=_date(post.get("planned_start", ""), "planned_start"),
            planned_end=_date(post.get("planned_end", ""), "planned_end"),
            environment=environment,
        )
    except ValidationError as exc:
        return board(request, errors=exc.messages)
    messages.success(request, "POC planned: check its prerequisites and agree its criteria.")
    return redirect("poc_detail", poc.pk)


def poc_detail(
    request: HttpRequest, poc_id: int, *, errors: list[str] | None = None
) -> HttpResponse:
    user = current_user(request)
    poc = visible_or_404(request, Poc, poc_id)
    criteria = list(poc.criteria.select_related("graded_by", "business_issue"))
    graded = [c for c in criteria if c.grade]
    met = [c for c in graded if c.grade in (Grade.EXCEEDS, Grade.MEETS)]
    contacts = Contact.objects.filter(account_id=poc.opportunity.account_id).order_by("last_name")
    return render(
        request,
        "pocs/poc_detail.html",
        {
            "poc": poc,
            "checks": poc.checks.select_related("prerequisite", "checked_by"),
            "criteria": criteria,
            "graded": len(graded),
            "met": len(met),
            "tasks": poc.tasks.select_related("owner"),
            "grades": Grade.choices,
            "contacts": contacts,
            "issues": poc.opportunity.business_issues.all(),
            "can_change": access.can_change(user, poc),
            "errors": errors or [],
            "people": User.objects.filter(is_active=True, team_id=poc.opportunity.team_id),
        },
        status=422 if errors else 200,
    )


@require_POST
def poc_action(request: HttpRequest, poc_id: int, action: str) -> HttpResponse:
    user = current_user(request)
    poc: Poc = visible_or_404(request, Poc, poc_id)
    post = request.POST
    try:
        if action == "check":
            check = PrerequisiteCheck.objects.filter(
                poc=poc, pk=_int(post.get("check", "")) or 0
            ).first()
            if check is None:
                raise ValidationError({"check": "No such prerequisite on this POC."})
            services.check_prerequisite(
                actor=user, check=check, done=post.get("done") == "1", note=post.get("note", "")
            )
        elif action == "criterion":
            services.add_criterion(
                actor=user,
                poc=poc,
                text=post.get("text", ""),
                business_issue_id=_int(post.get("business_issue", "")),
            )
        elif action == "grade":
            criterion = Criterion.objects.filter(
                poc=poc, pk=_int(post.get("criterion", "")) or 0
            ).first()
            if criterion is None:
                raise ValidationError({"criterion": "No such criterion on this POC."})
            services.grade_criterion(
                actor=user,
                criterion=criterion,
                grade=post.get("grade", ""),
                evidence=post.get("evidence", ""),
            )
        elif action == "start":
            services.start_poc(actor=user, poc=poc)
            messages.success(request, "The POC is running.")
        elif action == "sign":
            services.sign_off(
                actor=user,
                poc=poc,
                role=post.get("role", ""),
                contact_id=_int(post.get("contact", "")),
            )
            messages.success(request, "Sign-off recorded.")
        elif action == "close":
            services.close_poc(actor=user, poc=poc, result=post.get("result", ""))
            messages.success(request, f"The POC is {poc.get_status_display().lower()}.")
        elif action == "task":
            if not post.get("title", "").strip():
                raise ValidationError({"title": "Name the task."})
            owner = User.objects.filter(pk=_int(post.get("owner", "")) or 0).first()
            services.add_task(
                actor=user,
                poc=poc,
                title=post["title"],
                due_on=_date(post.get("due_on", ""), "due_on"),
                owner=owner,
            )
        elif action == "task-done":
            task = Task.objects.filter(poc=poc, pk=_int(post.get("task", "")) or 0).first()
            if task is None:
                raise ValidationError({"task": "No such task on this POC."})
            services.finish_task(actor=user, task=task)
        else:
            raise ValidationError({"action": "Unknown action."})
    except ValidationError as exc:
        return poc_detail(request, poc.pk, errors=exc.messages)
    return redirect("poc_detail", poc.pk)
