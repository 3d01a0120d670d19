"""Pages for time out of the field (requests, the manager's decisions, the quarter's plan) and
for coverage (SE-to-rep ratios, late-stage deals without an SE)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from presales.core import access
from presales.core.pages import current_user
from presales.deals.access import opportunities_for
from presales.people.models import Team
from presales.team import skill_services
from presales.team.coverage import LATE_STAGES, by_line, by_region, late_without_se
from presales.team.forms import PlanForm, TimeOutForm
from presales.team.models import TimeOutOfField
from presales.team.outoffield import quarter_plan
from presales.team.views import chosen_team


def time_out(request: HttpRequest) -> HttpResponse:
    team, teams = chosen_team(request)
    return _time_out_page(request, team, teams)


def _time_out_page(
    request: HttpRequest,
    team: Team | None,
    teams: list[Team],
    *,
    form: TimeOutForm | None = None,
    plan_form: PlanForm | None = None,
    status: int = 200,
) -> HttpResponse:
    me = current_user(request)
    mine = TimeOutOfField.objects.filter(user=me).select_related("decided_by")[:20]
    context: dict[str, Any] = {
        "team": team,
        "teams": teams,
        "mine": list(mine),
        "form": form or TimeOutForm(initial={"starts_on": timezone.localdate()}),
        "today": timezone.localdate(),
    }
    if team is not None:
        plan = quarter_plan(team)
        context.update(
            plan=plan,
            can_manage=access.can_manage_team(me, team),
            plan_form=plan_form or PlanForm(initial={"hours_per_se": plan.hours_per_se}),
        )
    return render(request, "team/time_out.html", context, status=status)


def _url(team: Team | None) -> str:
    base = reverse("team_time_out")
    return f"{base}?team={team.pk}" if team else base


@require_POST
def time_out_new(request: HttpRequest) -> HttpResponse:
    me = current_user(request)
    form = TimeOutForm(request.POST)
    if form.is_valid():
        try:
            entry = skill_services.request_time_out(actor=me, person=me, values=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Asked for “{entry.title}”; your manager decides.")
            return redirect(_url(me.team))
    team, teams = chosen_team(request)
    return _time_out_page(request, team, teams, form=form, status=422)


def _entry(request: HttpRequest) -> TimeOutOfField:
    raw = request.POST.get("entry", "")
    entry = (
        TimeOutOfField.objects.select_related("user", "user__team").filter(pk=raw).first()
        if raw.isdigit()
        else None
    )
    if entry is None or not skill_services.may_see_person(current_user(request), entry.user):
        raise Http404("No such request for time out of the field that you can see.")
    return entry


@require_POST
def time_out_decide(request: HttpRequest) -> HttpResponse:
    """Approve, decline or (the SE) cancel one request; the entry's id is in the form."""
    entry = _entry(request)
    action = request.POST.get("action", "")
    me = current_user(request)
    try:
        if action in ("approve", "decline"):
            skill_services.decide_time_out(
                actor=me,
                entry=entry,
                approve=action == "approve",
                note=request.POST.get("note", ""),
            )
        elif action == "cancel":
            skill_services.cancel_time_out(actor=me, entry=entry)
        else:
            raise ValidationError("Choose approve, decline or cancel.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{entry.title}” of {entry.user}: {entry.get_status_display()}.")
    return redirect(_url(entry.user.team))


@require_POST
def time_out_plan(request: HttpRequest, team_id: int) -> HttpResponse:
    team = access.teams_for(request.user).filter(pk=team_id).first()
    if team is None:
        raise Http404("No team with that id that you can see.")
    form = PlanForm(request.POST)
    if form.is_valid():
        skill_services.set_plan(
            actor=current_user(request),
            team=team,
            day=timezone.localdate(),
            hours_per_se=form.cleaned_data["hours_per_se"],
        )
        messages.success(request, f"Plan of {team} saved.")
        return redirect(_url(team))
    return _time_out_page(
        request, team, list(access.teams_for(request.user)), plan_form=form, status=422
    )


def coverage(request: HttpRequest) -> HttpResponse:
    deals = opportunities_for(request.user)
    late = Paginator(late_without_se(deals), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "team/coverage.html",
        {
            "regions": by_region(deals),
            "lines": by_line(deals),
            "late": late,
            "late_stages": LATE_STAGES,
        },
    )
