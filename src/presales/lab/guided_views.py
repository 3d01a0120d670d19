"""Pages for self-guided evaluations (a customer with a demo's script and an environment, no
SE) and training labs (people working through an environment on a day)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from presales.accounts.access import accounts_for
from presales.accounts.models import Contact
from presales.core import access
from presales.core.forms import service_errors_to_form
from presales.core.pages import current_user, page_of, visible_or_404
from presales.deals.access import opportunities_for
from presales.deals.models import OPEN_STAGES
from presales.demos.access import demos_for
from presales.demos.models import Demo
from presales.lab import guided
from presales.lab.access import can_run_training, evaluations_for
from presales.lab.guided_forms import (
    AttendeesForm,
    CompletionForm,
    EvaluationForm,
    ProgressForm,
    TrainingForm,
)
from presales.lab.models import Attendance, Evaluation, Training
from presales.people.models import User

# The services name the deal as the model does; the forms call it "deal".
ALIASES = {"opportunity": "deal"}


def _evaluation_form(user: User, data: Any = None) -> EvaluationForm:
    return EvaluationForm(
        data,
        demos=demos_for(user).exclude(state=Demo.State.RETIRED).order_by("title"),
        deals=opportunities_for(user).filter(stage__in=OPEN_STAGES).order_by("name"),
        contacts=Contact.objects.filter(account__in=accounts_for(user).values("pk"))
        .select_related("account")
        .order_by("account__name", "last_name"),
    )


def evaluation_list(request: HttpRequest, *, form: EvaluationForm | None = None) -> HttpResponse:
    user = current_user(request)
    rows = evaluations_for(user).select_related(
        "demo", "environment__lab", "opportunity", "contact__account", "registered_by"
    )
    state = request.GET.get("state", "")
    if state == "open":
        rows = rows.filter(completed_on__isnull=True)
    elif state == "completed":
        rows = rows.filter(completed_on__isnull=False)
    return render(
        request,
        "lab/evaluations.html",
        {
            "page": page_of(request, rows),
            "query": f"state={state}" if state else "",
            "state": state,
            "form": form or _evaluation_form(user),
            "can_register": user.role != "product_manager",
        },
        status=422 if form else 200,
    )


@require_POST
def evaluation_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user.role != "product_manager", "Product management reads evaluations.")
    form = _evaluation_form(user, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = guided.register_evaluation(
                actor=user,
                demo=data["demo"],
                steps_total=data["steps_total"],
                opportunity=data["deal"],
                contact=data["contact"],
                environment=data["environment"],
                registered_on=data["registered_on"],
                notes=data["notes"],
            )
        except ValidationError as exc:
            service_errors_to_form(form, exc, ALIASES)
        else:
            messages.success(request, "Registered: record progress here as the customer goes.")
            return redirect("evaluation_detail", made.pk)
    return evaluation_list(request, form=form)


def evaluation_detail(
    request: HttpRequest, evaluation_id: int, *, form: ProgressForm | None = None
) -> HttpResponse:
    user = current_user(request)
    evaluation = visible_or_404(request, Evaluation, evaluation_id)
    can_change = access.can_change(user, evaluation)
    if form is None and can_change:
        form = ProgressForm(
            initial={
                "steps_done": evaluation.steps_done,
                "started_on": evaluation.started_on,
                "completed_on": evaluation.completed_on,
                "notes": evaluation.notes,
            }
        )
    return render(
        request,
        "lab/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "form": form,
            "can_change": can_change,
            "steps": [line for line in evaluation.demo.script.splitlines() if line.strip()],
        },
        status=422 if form is not None and form.is_bound else 200,
    )


@require_POST
def evaluation_progress(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    user = current_user(request)
    evaluation = visible_or_404(request, Evaluation, evaluation_id)
    access.require(access.can_change(user, evaluation), "You cannot change this evaluation.")
    form = ProgressForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            guided.record_progress(actor=user, evaluation=evaluation, **data)
        except ValidationError as exc:
            service_errors_to_form(form, exc, ALIASES)
            evaluation.refresh_from_db()
        else:
            messages.success(request, "Progress recorded.")
            return redirect("evaluation_detail", evaluation.pk)
    return evaluation_detail(request, evaluation.pk, form=form)


def training_list(request: HttpRequest, *, form: TrainingForm | None = None) -> HttpResponse:
    user = current_user(request)
    rows = (
        Training.objects.select_related("environment__lab")
        .order_by("-held_on", "-id")
        .annotate(
            people=Count("attendance"),
            done=Count("attendance", filter=Q(attendance__completed_on__isnull=False)),
        )
    )
    manager = can_run_training(user)
    return render(
        request,
        "lab/trainings.html",
        {
            "page": page_of(request, rows),
            "manager": manager,
            "form": form or (TrainingForm() if manager else None),
            "mine": Attendance.objects.filter(user=user).select_related("training")[:20],
        },
        status=422 if form else 200,
    )


@require_POST
def training_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(can_run_training(user), "A manager runs training labs.")
    form = TrainingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        made = guided.create_training(
            actor=user,
            name=data["name"],
            held_on=data["held_on"],
            environment=data["environment"],
            description=data["description"],
            attendees=list(data["attendees"]),
        )
        messages.success(request, "Training lab added.")
        return redirect("training_detail", made.pk)
    return training_list(request, form=form)


def training_detail(
    request: HttpRequest,
    training_id: int,
    *,
    attendees_form: AttendeesForm | None = None,
    failed: tuple[int, CompletionForm] | None = None,
) -> HttpResponse:
    user = current_user(request)
    training = visible_or_404(request, Training, training_id)
    manager = access.can_change(user, training)
    rows = []
    for row in training.attendance.select_related("user"):
        form = failed[1] if failed and failed[0] == row.pk else None
        if form is None and manager:
            form = CompletionForm(initial={"completed_on": row.completed_on}, prefix=f"a{row.pk}")
        rows.append((row, form))
    return render(
        request,
        "lab/training_detail.html",
        {
            "training": training,
            "rows": rows,
            "done": sum(1 for row, _ in rows if row.completed_on),
            "manager": manager,
            "attendees_form": attendees_form or (AttendeesForm() if manager else None),
        },
        status=422 if attendees_form or failed else 200,
    )


@require_POST
def training_attendees(request: HttpRequest, training_id: int) -> HttpResponse:
    user = current_user(request)
    training = visible_or_404(request, Training, training_id)
    access.require(access.can_change(user, training), "A manager runs training labs.")
    form = AttendeesForm(request.POST)
    if form.is_valid():
        added = guided.add_attendees(
            actor=user, training=training, people=list(form.cleaned_data["attendees"])
        )
        messages.success(request, f"Added {added} attendee(s).")
        return redirect("training_detail", training.pk)
    return training_detail(request, training.pk, attendees_form=form)


@require_POST
def training_completion(request: HttpRequest, training_id: int, attendance_id: int) -> HttpResponse:
    user = current_user(request)
    training = visible_or_404(request, Training, training_id)
    access.require(access.can_change(user, training), "A manager runs training labs.")
    row = training.attendance.filter(pk=attendance_id).first()
    if row is None:
        messages.error(request, "That person does not attend this training.")
        return redirect("training_detail", training.pk)
    form = CompletionForm(request.POST, prefix=f"a{row.pk}")
    if form.is_valid():
        try:
            guided.set_completed(
                actor=user, attendance=row, completed_on=form.cleaned_data["completed_on"]
            )
        except ValidationError as exc:
            service_errors_to_form(form, exc, ALIASES)
        else:
            done = "completed" if row.completed_on else "not completed"
            messages.success(request, f"{row.user}: {done}.")
            return redirect("training_detail", training.pk)
    return training_detail(request, training.pk, failed=(row.pk, form))
