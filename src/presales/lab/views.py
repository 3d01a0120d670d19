"""The lab calendar: every environment's next two weeks, the form to reserve one, your
reservations, utilisation per lab and team, and the managers' forms (labs, environments,
reclaiming idle reservations)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from presales.core import access
from presales.core.pages import current_user, visible_or_404
from presales.deals.access import opportunities_for
from presales.deals.models import OPEN_STAGES
from presales.demos.access import demos_for
from presales.demos.models import Demo
from presales.lab import services
from presales.lab.access import can_manage_lab, reservations_for
from presales.lab.forms import EnvironmentForm, LabForm, ReservationForm
from presales.lab.models import Environment, Reservation
from presales.people.models import User

DAYS = 14


def _reservation_form(user: User, data: Any = None) -> ReservationForm:
    deals = opportunities_for(user).filter(stage__in=OPEN_STAGES).order_by("name")
    demos = demos_for(user).exclude(state=Demo.State.RETIRED).order_by("title")
    return ReservationForm(data, deals=deals, demos=demos)


def _start(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        return timezone.localdate()


def calendar(
    request: HttpRequest,
    *,
    form: ReservationForm | None = None,
    lab_form: LabForm | None = None,
    environment_form: EnvironmentForm | None = None,
) -> HttpResponse:
    user = current_user(request)
    first = _start(request)
    days = [first + timedelta(days=i) for i in range(DAYS)]
    begin = timezone.make_aware(datetime.combine(first, time.min))
    end = begin + timedelta(days=DAYS)
    environments = list(Environment.objects.filter(active=True).select_related("lab"))
    rows = list(
        Reservation.objects.filter(
            status=Reservation.Status.ACTIVE, starts_at__lt=end, ends_at__gt=begin
        ).select_related("opportunity", "demo", "reserved_by")
    )
    seen = set(
        reservations_for(user).filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True)
    )
    grid: list[dict[str, Any]] = []
    for env in environments:
        cells = []
        for day in days:
            start = timezone.make_aware(datetime.combine(day, time.min))
            stop = start + timedelta(days=1)
            here = [
                (r, r.pk in seen)
                for r in rows
                if r.environment_id == env.pk and r.starts_at < stop and r.ends_at > start
            ]
            cells.append({"day": day, "reservations": here, "full": len(here) >= env.capacity})
        grid.append({"environment": env, "cells": cells})
    mine = (
        reservations_for(user)
        .filter(reserved_by=user, status=Reservation.Status.ACTIVE, ends_at__gt=timezone.now())
        .select_related("environment__lab", "opportunity", "demo")
    )
    labs, teams = services.utilisation()
    manager = can_manage_lab(user)
    return render(
        request,
        "lab/calendar.html",
        {
            "days": days,
            "grid": grid,
            "previous": first - timedelta(days=DAYS),
            "next": first + timedelta(days=DAYS),
            "form": form or _reservation_form(user),
            "mine": mine,
            "labs": labs,
            "teams": teams,
            "manager": manager,
            "lab_form": lab_form or (LabForm() if manager else None),
            "environment_form": environment_form or (EnvironmentForm() if manager else None),
            "now": timezone.now(),
        },
        status=422 if form or lab_form or environment_form else 200,
    )


@require_POST
def reserve(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = _reservation_form(user, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = services.reserve(
                actor=user,
                environment=data["environment"],
                purpose=data["purpose"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                opportunity_id=data["deal"].pk if data["deal"] else None,
                demo_id=data["demo"].pk if data["demo"] else None,
                training=data["training"],
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                target = {"opportunity_id": "deal", "demo_id": "demo"}.get(name, name)
                form.add_error(target if target in form.fields else None, errors)
        else:
            messages.success(request, f"Reserved: {made.environment}.")
            return redirect(
                f"{reverse('lab_calendar')}?start={timezone.localtime(made.starts_at).date()}"
            )
    return calendar(request, form=form)


@require_POST
def reservation_action(request: HttpRequest, reservation_id: int, action: str) -> HttpResponse:
    user = current_user(request)
    reservation = visible_or_404(request, Reservation, reservation_id)
    try:
        if action == "release":
            services.release(actor=user, reservation=reservation)
            messages.success(request, "Released: the environment is free again.")
        elif action == "use":
            services.mark_used(actor=user, reservation=reservation)
            messages.success(request, "Marked in use: it will not be reclaimed as idle.")
        else:
            messages.error(request, "Unknown action.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("lab_calendar")


@require_POST
def reclaim(request: HttpRequest) -> HttpResponse:
    count = services.reclaim_idle(actor=current_user(request))
    messages.success(request, f"Reclaimed {count} idle reservation(s).")
    return redirect("lab_calendar")


@require_POST
def lab_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(can_manage_lab(user), "A manager adds labs.")
    form = LabForm(request.POST)
    if form.is_valid():
        services.create_lab(actor=user, fields=form.cleaned_data)
        messages.success(request, "Lab added.")
        return redirect("lab_calendar")
    return calendar(request, lab_form=form)


@require_POST
def environment_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(can_manage_lab(user), "A manager adds environments.")
    form = EnvironmentForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        lab = data.pop("lab")
        services.create_environment(actor=user, lab=lab, fields=data)
        messages.success(request, "Environment added.")
        return redirect("lab_calendar")
    return calendar(request, environment_form=form)
