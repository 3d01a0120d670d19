"""Pages for skills: the team matrix, one SE's skills with evidence, demand against supply."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from presales.core.pages import current_user
from presales.people.models import User
from presales.team import skill_services
from presales.team.forms import EvidenceForm
from presales.team.models import Skill, SkillLevel
from presales.team.skills import SUPPLY_LEVEL, demand_and_supply, person_skills, team_matrix
from presales.team.views import chosen_team


def skills(request: HttpRequest) -> HttpResponse:
    team, teams = chosen_team(request)
    category = request.GET.get("category", "")
    if category and category not in Skill.Category.values:
        category = ""
    context: dict[str, Any] = {
        "team": team,
        "teams": teams,
        "category": category,
        "categories": Skill.Category.choices,
    }
    if team is not None:
        context["matrix"] = team_matrix(team, category)
    return render(request, "team/skills.html", context)


def _person(request: HttpRequest, user_id: int) -> User:
    person = User.objects.select_related("team").filter(pk=user_id).first()
    if person is None or not skill_services.may_see_person(current_user(request), person):
        raise Http404("No person with that id whose skills you can see.")
    return person


def person(request: HttpRequest, user_id: int) -> HttpResponse:
    return _person_page(request, _person(request, user_id))


def _person_page(
    request: HttpRequest,
    who: User,
    *,
    form: EvidenceForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    me = current_user(request)
    rows = person_skills(who)
    held = {r.skill.pk for r in rows}
    context = {
        "person": who,
        "rows": rows,
        "levels": SkillLevel.LEVELS,
        "is_self": me.pk == who.pk,
        "is_manager": skill_services.manages(me, who),
        "addable": Skill.objects.exclude(pk__in=held),
        "form": form or EvidenceForm(),
        "errors": errors or [],
    }
    return render(request, "team/skills_person.html", context, status=status)


@require_POST
def assess(request: HttpRequest, user_id: int) -> HttpResponse:
    """Save one column of levels: the SE's own, or their manager's (``as=manager``)."""
    who = _person(request, user_id)
    as_manager = request.POST.get("as") == "manager"
    levels: dict[int, Any] = {}
    for key, value in request.POST.items():
        if key.startswith("level-") and key[6:].isdigit():
            levels[int(key[6:])] = value
    added = request.POST.get("add_skill", "")
    if added.isdigit() and request.POST.get("add_level"):
        levels[int(added)] = request.POST["add_level"]
    try:
        changed = skill_services.assess(
            actor=current_user(request), person=who, levels=levels, as_manager=as_manager
        )
    except ValidationError as exc:
        return _person_page(request, who, errors=exc.messages, status=422)
    whose = "manager's" if as_manager else "own"
    messages.success(request, f"Saved {changed} {whose} level(s) of {who}.")
    return redirect(reverse("team_skills_person", args=[who.pk]))


@require_POST
def evidence(request: HttpRequest, user_id: int) -> HttpResponse:
    who = _person(request, user_id)
    form = EvidenceForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        skill = data.pop("skill")
        try:
            added = skill_services.add_evidence(
                actor=current_user(request), person=who, skill=skill, values=data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Recorded “{added.title}” for {skill}.")
            return redirect(reverse("team_skills_person", args=[who.pk]))
    return _person_page(request, who, form=form, status=422)


def demand(request: HttpRequest) -> HttpResponse:
    team, teams = chosen_team(request)
    context: dict[str, Any] = {"team": team, "teams": teams, "supply_level": SUPPLY_LEVEL}
    if team is not None:
        context["rows"] = demand_and_supply(team)
    return render(request, "team/skills_demand.html", context)
