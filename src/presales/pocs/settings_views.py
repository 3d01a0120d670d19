"""The POC settings page: the prerequisite checklist every new POC gets, and each team's limit
of POCs running at a time per SE. Everyone reads them; managers and administrators change the
checklist, and a team's manager (or an administrator) its limit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from presales.core import access
from presales.core.pages import current_user
from presales.people.models import Team, User
from presales.pocs.forms import LimitForm, PrerequisiteForm
from presales.pocs.models import DEFAULT_RUNNING_PER_SE, PocLimit, Prerequisite


def can_edit_checklist(user: User) -> bool:
    return access.can_change(user, Prerequisite())


def managed_teams(user: User) -> QuerySet[Team]:
    """The teams whose limit the user may set."""
    ids = [t.pk for t in access.teams_for(user) if access.can_manage_team(user, t)]
    return Team.objects.filter(pk__in=ids).order_by("name")


def settings_page(
    request: HttpRequest,
    *,
    new_form: PrerequisiteForm | None = None,
    editing: tuple[int, PrerequisiteForm] | None = None,
    limit_form: LimitForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = current_user(request)
    editable = can_edit_checklist(user)
    items: list[dict[str, Any]] = []
    for item in Prerequisite.objects.all():
        form = None
        if editable:
            bound = editing and editing[0] == item.pk
            form = editing[1] if bound and editing else PrerequisiteForm(instance=item)
            form.prefix = f"p{item.pk}"
        items.append({"item": item, "form": form})
    teams = managed_teams(user)
    team_ids = set(teams.values_list("pk", flat=True))
    limits = dict(PocLimit.objects.values_list("team_id", "running_per_se"))
    rows = [
        {"team": team, "limit": limits.get(team.pk), "editable": team.pk in team_ids}
        for team in Team.objects.order_by("name")
    ]
    return render(
        request,
        "pocs/settings.html",
        {
            "items": items,
            "editable": editable,
            "new_form": new_form or (PrerequisiteForm(prefix="new") if editable else None),
            "rows": rows,
            "limit_form": limit_form or (LimitForm(teams=teams) if team_ids else None),
            "default_limit": DEFAULT_RUNNING_PER_SE,
        },
        status=status,
    )


@require_POST
def settings_action(request: HttpRequest, action: str) -> HttpResponse:
    user = current_user(request)
    if action == "limit":
        teams = managed_teams(user)
        access.require(teams.exists(), "Only a team's manager or an administrator sets its limit.")
        limit_form = LimitForm(request.POST, teams=teams)
        if not limit_form.is_valid():
            return settings_page(request, limit_form=limit_form, status=422)
        team, number = limit_form.cleaned_data["team"], limit_form.cleaned_data["running_per_se"]
        access.require(access.can_change(user, PocLimit(team=team)), "Not your team.")
        PocLimit.objects.update_or_create(team=team, defaults={"running_per_se": number})
        messages.success(request, f"{team}: at most {number} POCs running per SE.")
        return redirect("poc_settings")
    access.require(can_edit_checklist(user), "Managers and administrators keep the checklist.")
    if action == "add":
        form = PrerequisiteForm(request.POST, prefix="new")
        if not form.is_valid():
            return settings_page(request, new_form=form, status=422)
        item = form.save()
        messages.success(request, f"“{item.name}” is on the checklist of new POCs.")
        return redirect("poc_settings")
    if action == "edit":
        pk = request.POST.get("id", "")
        item = Prerequisite.objects.filter(pk=int(pk) if pk.isdigit() else 0).first()
        if item is None:
            messages.error(request, "That checklist item no longer exists.")
            return redirect("poc_settings")
        form = PrerequisiteForm(request.POST, instance=item, prefix=f"p{item.pk}")
        if not form.is_valid():
            return settings_page(request, editing=(item.pk, form), status=422)
        form.save()
        messages.success(request, f"Saved “{item.name}”.")
        return redirect("poc_settings")
    messages.error(request, "Unknown action.")
    return redirect("poc_settings")
