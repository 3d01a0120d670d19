"""The remote team page: each person's time zone and local time, their travel around today and
their one-to-ones (last, next, overdue), with the cadence a manager sets per person."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from presales.core import access
from presales.core.pages import current_user, visible_or_404
from presales.dashboard.team import team_people
from presales.people.models import User
from presales.team.remote import remote_week, set_cadence

CADENCES = [(7, "Every week"), (14, "Every two weeks"), (21, "Every three weeks"), (30, "Monthly")]


def one_to_ones(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(
        user.is_manager_role or user.is_admin_role,
        "The remote team page is for managers: it shows the people who report to them.",
    )
    error = ""
    if request.method == "POST":
        person: User = visible_or_404(request, User, _int(request.POST.get("user")))
        raw = request.POST.get("every_days", "").strip()
        try:
            every = int(raw) if raw else None
        except ValueError:
            every = -1
        try:
            set_cadence(actor=user, person=person, every_days=every)
        except ValidationError as exc:
            error = f"{person}: {' '.join(exc.messages)}"
        else:
            messages.success(
                request,
                f"One-to-ones with {person}: every {every} days."
                if every
                else f"No one-to-one cadence for {person}.",
            )
            return redirect("team_one_to_ones")
    people = list(team_people(user)[:200])
    rows = remote_week(user, people)
    return render(
        request,
        "team/one_to_ones.html",
        {
            "rows": rows,
            "cadences": CADENCES,
            "error": error,
            "overdue": sum(1 for r in rows if r.overdue),
        },
        status=422 if error else 200,
    )


def _int(raw: str | None) -> int:
    try:
        return int(raw or 0)
    except ValueError:
        return 0
