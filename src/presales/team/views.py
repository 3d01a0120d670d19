"""Pages of the SE team: capacity, out-of-band work, requests for SE help."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from presales.core import access
from presales.core.pages import current_user
from presales.people.models import Team, User
from presales.team import services
from presales.team.capacity import WEEKS_BACK, team_capacity
from presales.team.forms import CapacityPolicyForm, HandOverForm, OutOfBandForm
from presales.team.outofband import team_out_of_band


def chosen_team(request: HttpRequest) -> tuple[Team | None, list[Team]]:
    """The team picked in ``?team=`` among those the user reads, else their own or the first."""
    user = current_user(request)
    teams = list(access.teams_for(user).order_by("name"))
    raw = request.GET.get("team", "")
    if raw:
        found = next((t for t in teams if str(t.pk) == raw), None)
        if found is None:
            raise Http404("No team with that id that you can see.")
        return found, teams
    own = next((t for t in teams if t.pk == user.team_id), None)
    managed = next((t for t in teams if t.manager_id == user.pk), None)
    return (managed or own or (teams[0] if teams else None)), teams


def capacity(request: HttpRequest) -> HttpResponse:
    team, teams = chosen_team(request)
    context: dict[str, Any] = {"team": team, "teams": teams}
    if team is not None:
        report = team_capacity(team=team)
        context.update(
            report=report,
            past_weeks=report.week_starts[:WEEKS_BACK],
            next_weeks=report.week_starts[WEEKS_BACK:],
            can_manage=access.can_manage_team(request.user, team),
            form=CapacityPolicyForm(instance=report.policy),
        )
    return render(request, "team/capacity.html", context)


@require_POST
def capacity_thresholds(request: HttpRequest, team_id: int) -> HttpResponse:
    team = access.teams_for(request.user).filter(pk=team_id).first()
    if team is None:
        raise Http404("No team with that id that you can see.")
    form = CapacityPolicyForm(request.POST)
    url = f"{reverse('team_capacity')}?team={team.pk}"
    if form.is_valid():
        try:
            services.set_capacity_policy(
                actor=current_user(request), team=team, values=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Thresholds of {team} saved.")
            return redirect(url)
    report = team_capacity(team=team)
    return render(
        request,
        "team/capacity.html",
        {
            "team": team,
            "teams": list(access.teams_for(request.user).order_by("name")),
            "report": report,
            "past_weeks": report.week_starts[:WEEKS_BACK],
            "next_weeks": report.week_starts[WEEKS_BACK:],
            "can_manage": True,
            "form": form,
        },
        status=422,
    )


def _people(team: Team) -> Any:
    return User.objects.filter(team=team, is_active=True).order_by("first_name", "id")


def _since(request: HttpRequest) -> tuple[date | None, str]:
    raw = request.GET.get("since", "")
    if not raw:
        return None, ""
    try:
        return date.fromisoformat(raw), ""
    except ValueError:
        return None, "'Since' is not a date (use YYYY-MM-DD); showing the last twelve weeks."


def out_of_band(request: HttpRequest) -> HttpResponse:
    team, teams = chosen_team(request)
    return _out_of_band_page(request, team, teams)


def _out_of_band_page(
    request: HttpRequest,
    team: Team | None,
    teams: list[Team],
    *,
    log_form: OutOfBandForm | None = None,
    hand_form: HandOverForm | None = None,
    status: int = 200,
) -> HttpResponse:
    since, error = _since(request)
    context: dict[str, Any] = {"team": team, "teams": teams, "error": error}
    if team is not None:
        report = team_out_of_band(team=team, since=since)
        people = _people(team)
        peak = max((h for _, h in report.weekly), default=0) or 1
        context.update(
            report=report,
            since=request.GET.get("since", "") if not error else "",
            peak=peak,
            can_manage=access.can_manage_team(request.user, team),
            log_form=log_form
            or OutOfBandForm(people=people, initial={"day": timezone.localdate()}),
            hand_form=hand_form or HandOverForm(people=people),
        )
    return render(request, "team/out_of_band.html", context, status=status)


def _teams(request: HttpRequest) -> list[Team]:
    return list(access.teams_for(request.user).order_by("name"))


def _team_or_404(request: HttpRequest, team_id: int) -> Team:
    team = access.teams_for(request.user).filter(pk=team_id).first()
    if team is None:
        raise Http404("No team with that id that you can see.")
    return team


@require_POST
def out_of_band_log(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team_or_404(request, team_id)
    form = OutOfBandForm(request.POST, people=_people(team))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.log_out_of_band(
                actor=current_user(request),
                department=data["department"],
                problem=data["problem"],
                minutes=data["minutes"],
                day=data["day"],
                se=data["se"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Logged {data['minutes']} minutes for {data['department']}.")
            return redirect(f"{reverse('team_oob')}?team={team.pk}")
    return _out_of_band_page(request, team, _teams(request), log_form=form, status=422)


@require_POST
def out_of_band_hand_over(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team_or_404(request, team_id)
    access.require(
        access.can_manage_team(request.user, team), "Only the team's manager hands a problem over."
    )
    form = HandOverForm(request.POST, people=_people(team))
    if form.is_valid():
        try:
            owner = services.hand_over_problem(
                actor=current_user(request), team=team, values=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"“{owner.problem}” is now {owner.czar}'s to solve.")
            return redirect(f"{reverse('team_oob')}?team={team.pk}#scoreboards")
    return _out_of_band_page(request, team, _teams(request), hand_form=form, status=422)
