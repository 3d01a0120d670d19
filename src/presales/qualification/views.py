from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from presales.accounts.models import Contact
from presales.core import access
from presales.core.pages import current_user, visible_or_404
from presales.deals import stages
from presales.deals.access import opportunities_for
from presales.deals.models import Opportunity, Stage
from presales.deals.pages import stage_context
from presales.people.models import Team
from presales.qualification import analytics, charts, services
from presales.qualification.models import (
    BusinessIssue,
    CirclesRating,
    Criterion,
    Framework,
    Sentiment,
)


def _workspace_context(request: HttpRequest, deal: Opportunity) -> dict[str, Any]:
    circles = list(deal.circles.select_related("recorded_by"))
    stakeholders = services.stakeholder_map(deal)
    return {
        "deal": deal,
        "assessment": services.assess(deal),
        "stakeholders": stakeholders,
        "stakeholder_chart": charts.stakeholder_chart(stakeholders),
        "circles": circles,
        "circles_chart": charts.deal_circles(circles),
        "overlap_chart": charts.deal_overlap_trend(circles) if len(circles) > 1 else None,
        "latest_circles": circles[-1] if circles else None,
        "issues": deal.business_issues.select_related("confirmed_by", "recorded_by"),
        "overrides": deal.gate_overrides.select_related("confirmed_by")[:10],
        "contacts": deal.account.contacts.order_by("last_name") if deal.account else [],
        "stages": Stage.choices,
        "sentiments": Sentiment.choices,
        "roles": Contact.DealRole.choices,
        "overlaps": CirclesRating.Overlap.choices,
        "can_change": access.can_change(request.user, deal),
        **stage_context(request, deal),
    }


def workspace(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """The SE's workspace on a deal: qualification, gates, circles, stakeholders, issues."""
    deal: Opportunity = visible_or_404(request, Opportunity, opportunity_id)
    return render(request, "qualification/workspace.html", _workspace_context(request, deal))


def _evidence(request: HttpRequest, deal: Opportunity) -> str:
    criterion = Criterion.objects.filter(pk=_int(request.POST.get("criterion")) or 0).first()
    if criterion is None:
        raise ValidationError({"criterion": "Choose a criterion."})
    services.record_evidence(
        actor=current_user(request),
        opportunity=deal,
        criterion=criterion,
        text=request.POST.get("text", ""),
        supports=request.POST.get("supports", "yes") == "yes",
    )
    return f"Evidence recorded for “{criterion.name}”."


def _stage(request: HttpRequest, deal: Opportunity) -> str:
    stage = request.POST.get("stage", "")
    if stage not in Stage.values:
        raise ValidationError({"stage": "Choose a stage."})
    stages.change_stage(
        actor=current_user(request),
        opportunity=deal,
        to_stage=stage,
        confirm_close=request.POST.get("confirm_close") == "1",
        confirm_gate=request.POST.get("confirm_gate") == "1",
    )
    return f"Stage set to {deal.get_stage_display()}."


def _circles(request: HttpRequest, deal: Opportunity) -> str:
    fields = {
        name: request.POST.get(name, "").strip()
        for name in ("they_do", "they_think_we_do", "they_think_possible", "our_view")
    }
    raw = request.POST.get("overlap", "").strip()
    overlap = _int(raw)
    if raw and overlap not in range(1, 6):
        raise ValidationError({"overlap": "Rate the overlap from 1 to 5, or leave it unrated."})
    services.record_circles(
        actor=current_user(request), opportunity=deal, fields={**fields, "overlap": overlap}
    )
    return "Three circles recorded." if overlap else "Three circles recorded; overlap unrated."


def _stakeholder(request: HttpRequest, deal: Opportunity) -> str:
    sentiment = request.POST.get("sentiment", Sentiment.UNKNOWN)
    role = request.POST.get("deal_role", "")
    if sentiment not in Sentiment.values or role not in ["", *Contact.DealRole.values]:
        raise ValidationError({"sentiment": "Choose a sentiment and a role from the lists."})
    contact_id = _int(request.POST.get("contact"))
    if contact_id is None:
        raise ValidationError({"contact": "Choose a contact."})
    row = services.set_stakeholder(
        actor=current_user(request),
        opportunity=deal,
        contact_id=contact_id,
        sentiment=sentiment,
        deal_role=role,
        comment=request.POST.get("comment", "").strip(),
    )
    return f"{row.contact.full_name}: {row.get_sentiment_display()}."


def _issue(request: HttpRequest, deal: Opportunity) -> str:
    services.record_business_issue(
        actor=current_user(request),
        opportunity=deal,
        fields={
            "customer_words": request.POST.get("customer_words", "").strip(),
            "paraphrase": request.POST.get("paraphrase", "").strip(),
        },
    )
    return "Business issue recorded."


def _confirm_issue(request: HttpRequest, deal: Opportunity) -> str:
    issue = BusinessIssue.objects.filter(opportunity=deal, pk=_int(request.POST.get("issue")) or 0)
    found = issue.first()
    if found is None:
        raise ValidationError({"issue": "No such business issue on this deal."})
    services.confirm_business_issue(
        actor=current_user(request),
        issue=found,
        on=_day(request.POST.get("confirmed_on", "")),
        contact_id=_int(request.POST.get("confirmed_by")),
    )
    return "Confirmed by the customer."


_ACTIONS: dict[str, Callable[[HttpRequest, Opportunity], str]] = {
    "evidence": _evidence,
    "stage": _stage,
    "circles": _circles,
    "stakeholder": _stakeholder,
    "issue": _issue,
    "confirm_issue": _confirm_issue,
}


@require_POST
def workspace_action(request: HttpRequest, opportunity_id: int, action: str) -> HttpResponse:
    deal: Opportunity = visible_or_404(request, Opportunity, opportunity_id)
    handler = _ACTIONS.get(action)
    if handler is None:
        raise Http404("No such action.")
    try:
        done = handler(request, deal)
    except ValidationError as exc:
        context = _workspace_context(request, deal)
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        asked = next((f for f in ("confirm_close", "confirm_gate") if f in errors), None)
        if asked is not None:
            given = [f for f in ("confirm_close", "confirm_gate") if request.POST.get(f) == "1"]
            context["gate"] = {
                "stage": request.POST.get("stage"),
                "message": " ".join(errors[asked]),
                "field": asked,
                "confirmed": [*given, asked],
            }
        else:
            context["errors"] = [m for ms in errors.values() for m in ms]
        deal.refresh_from_db()
        return render(request, "qualification/workspace.html", context, status=422)
    messages.success(request, done)
    return redirect("qualification_workspace", opportunity_id=deal.pk)


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise ValidationError({"confirmed_on": "Use a date like 2026-03-31."}) from None


def framework_list(request: HttpRequest) -> HttpResponse:
    """The frameworks a team can qualify with; managers pick one or copy it to edit."""
    user = current_user(request)
    frameworks = Framework.objects.prefetch_related("criteria").select_related("team")
    if not access.sees_everything(user):
        frameworks = frameworks.filter(Q(team__isnull=True) | Q(team_id__in=access.team_ids(user)))
    teams = [t for t in Team.objects.all() if access.can_manage_team(user, t)]
    if request.method == "POST":
        team = next((t for t in teams if t.pk == _int(request.POST.get("team"))), None)
        framework = frameworks.filter(pk=_int(request.POST.get("framework")) or 0).first()
        if team is None or framework is None:
            messages.error(request, "Choose one of your teams and a framework.")
        else:
            try:
                if request.POST.get("action") == "copy":
                    copy = services.copy_framework(actor=user, framework=framework, team=team)
                    messages.success(request, f"Copied as “{copy.name}”; edit it below.")
                    return redirect("qualification_framework", framework_id=copy.pk)
                services.choose_framework(actor=user, team=team, framework=framework)
                messages.success(request, f"{team} now qualifies with {framework}.")
            except (ValidationError, access.PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("qualification_frameworks")
    chosen = {t.pk: services.framework_for_team(t) for t in teams}
    current = services.framework_for_team(user.team)
    return render(
        request,
        "qualification/framework_list.html",
        {"frameworks": frameworks, "teams": teams, "chosen": chosen, "current": current},
    )


def framework_detail(request: HttpRequest, framework_id: int) -> HttpResponse:
    user = current_user(request)
    framework = Framework.objects.filter(pk=framework_id).select_related("team").first()
    visible = framework is not None and (
        framework.team_id is None
        or access.sees_everything(user)
        or framework.team_id in access.team_ids(user)
    )
    if framework is None or not visible:
        raise Http404("No such framework.")
    editable = (
        user.is_admin_role
        if framework.team is None
        else access.can_manage_team(user, framework.team)
    )
    if request.method == "POST" and editable:
        try:
            _edit_framework(request, framework)
            messages.success(request, "Saved.")
        except (ValidationError, access.PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("qualification_framework", framework_id=framework.pk)
    return render(
        request,
        "qualification/framework_detail.html",
        {
            "framework": framework,
            "criteria": framework.criteria.all(),
            "editable": editable,
            "stages": Stage.choices,
        },
    )


def _edit_framework(request: HttpRequest, framework: Framework) -> None:
    user = current_user(request)
    fields = {
        "name": request.POST.get("name", "").strip(),
        "guidance": request.POST.get("guidance", "").strip(),
        "weight": request.POST.get("weight", "1").strip() or "1",
        "required_from_stage": request.POST.get("required_from_stage", ""),
    }
    criterion = framework.criteria.filter(pk=_int(request.POST.get("criterion")) or 0).first()
    if request.POST.get("action") == "delete" and criterion is not None:
        services.delete_criterion(actor=user, criterion=criterion)
    elif criterion is not None:
        services.update_criterion(actor=user, criterion=criterion, changes=fields)
    else:
        services.add_criterion(actor=user, framework=framework, fields=fields)


def circles_analysis(request: HttpRequest) -> HttpResponse:
    """Does early overlap of the three circles go with shorter cycles and more wins, here?"""
    deals = opportunities_for(request.user)
    result = analytics.circles_analysis(deals)
    over_time = analytics.overlap_over_time(deals)
    return render(
        request,
        "qualification/circles_analysis.html",
        {
            "result": result,
            "win_rate_chart": charts.analysis_win_rates(result),
            "group_circles": charts.analysis_circles(result),
            "over_time": over_time,
            "over_time_chart": charts.analysis_overlap_over_time(over_time),
            "min_deals": analytics.MIN_DEALS_PER_GROUP,
            "min_won": analytics.MIN_WON_PER_GROUP,
            "early_days": analytics.EARLY_DAYS,
        },
    )
