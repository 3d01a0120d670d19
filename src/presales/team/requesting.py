"""Requests for SE help: ask, route, assign or accept, fulfil. Keyword-only and typed; every
function checks its actor through presales.core.access and presales.team.access."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from presales.accounts.models import Account
from presales.core import access
from presales.core.services import resolve, validate_and_save
from presales.core.stats import Figure, rate_figure
from presales.deals.models import Opportunity
from presales.people.models import Role, User
from presales.team.access import can_route, se_requests_for
from presales.team.assignment import route
from presales.team.models import SERequest, Skill

Status = SERequest.Status


@transaction.atomic
def create_request(
    *,
    actor: User,
    kind: str,
    summary: str,
    starts_on: date,
    ends_on: date,
    opportunity_id: int | None = None,
    account_id: int | None = None,
    skills: list[str] | None = None,
    urgency: str = "normal",
    details: str = "",
    customer_time_zone: str = "",
) -> SERequest:
    """A rep (or anyone) asks for SE help on a deal or an account they see; routed at once."""
    access.require(actor.role != "product_manager", "A product manager does not request SEs.")
    opportunity = resolve(actor, Opportunity, opportunity_id, field="opportunity_id")
    account = resolve(actor, Account, account_id, field="account_id")
    if opportunity is None and account is None:
        raise ValidationError({"opportunity_id": "Name the deal or the account to help on."})
    if opportunity is not None and account is None:
        account = opportunity.account
    if opportunity is not None and account is not None and opportunity.account_id != account.pk:
        raise ValidationError({"opportunity_id": "The deal belongs to another account."})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": "The request cannot end before it starts."})
    names = [s.strip() for s in (skills or []) if s.strip()]
    known = {s.name.lower(): s for s in Skill.objects.all()}  # a short catalog
    unknown = [n for n in names if n.lower() not in known]
    if unknown:
        raise ValidationError({"skills": f"Unknown skill(s): {', '.join(unknown)}."})
    request = SERequest(
        kind=kind,
        summary=summary.strip(),
        details=details,
        opportunity=opportunity,
        account=account,
        requested_by=actor,
        starts_on=starts_on,
        ends_on=ends_on,
        urgency=urgency,
        customer_time_zone=customer_time_zone,
    )
    request.team = route(request)
    validate_and_save(request)
    request.skills.set([known[n.lower()] for n in names])
    return request


def _support(request: SERequest, se: User) -> None:
    if request.opportunity is not None:
        request.opportunity.sales_engineers.add(se)


@transaction.atomic
def assign_request(*, actor: User, request: SERequest, se: User) -> SERequest:
    """The manager of the routed team approves the request by naming its SE."""
    access.require(can_route(actor, request), "Only the routed team's manager assigns it.")
    if not request.is_open:
        raise ValidationError(
            {"status": f"The request is already {request.get_status_display().lower()}."}
        )
    if se.team_id != request.team_id:
        raise ValidationError({"se": f"{se} is not on {request.team}."})
    request.assignee = se
    request.assigned_by = actor
    request.status = Status.ASSIGNED
    request.responded_at = request.responded_at or timezone.now()
    request.save()
    _support(request, se)
    return request


@transaction.atomic
def accept_request(*, actor: User, request: SERequest) -> SERequest:
    """The SE takes a request: one assigned to them, or an open one routed to their team."""
    mine = request.assignee_id == actor.pk
    # Only a sales engineer of the routed team claims an open request (not its reps).
    claim = (
        request.status == Status.OPEN and request.team_id == actor.team_id and actor.role == Role.SE
    )
    access.require(mine or claim, "This request is not yours to accept.")
    if request.status not in (Status.OPEN, Status.ASSIGNED):
        raise ValidationError(
            {"status": f"The request is already {request.get_status_display().lower()}."}
        )
    request.assignee = actor
    request.status = Status.ACCEPTED
    request.responded_at = request.responded_at or timezone.now()
    request.save()
    _support(request, actor)
    return request


@transaction.atomic
def decline_request(*, actor: User, request: SERequest) -> SERequest:
    """The assigned SE hands the request back to the team's manager."""
    access.require(request.assignee_id == actor.pk, "Only the assigned SE declines it.")
    if request.status not in (Status.ASSIGNED, Status.ACCEPTED):
        raise ValidationError({"status": "Only an assigned request can be handed back."})
    request.assignee = None
    request.status = Status.OPEN
    request.save()
    return request


@transaction.atomic
def fulfil_request(*, actor: User, request: SERequest) -> SERequest:
    access.require(
        request.assignee_id == actor.pk or can_route(actor, request),
        "The assigned SE or the team's manager marks it fulfilled.",
    )
    if request.status not in (Status.ASSIGNED, Status.ACCEPTED):
        raise ValidationError({"status": "Only an assigned request can be fulfilled."})
    request.status = Status.FULFILLED
    request.fulfilled_at = timezone.now()
    request.save()
    return request


@transaction.atomic
def cancel_request(*, actor: User, request: SERequest) -> SERequest:
    access.require(
        request.requested_by_id == actor.pk or can_route(actor, request),
        "The requester or the team's manager cancels it.",
    )
    if not request.is_open:
        raise ValidationError({"status": "Only an open request can be cancelled."})
    request.status = Status.CANCELLED
    request.save()
    return request


def requests_list(
    *, actor: User, status: str = "", mine: bool = False, team_id: int | None = None
) -> QuerySet[SERequest]:
    rows = se_requests_for(actor).select_related(
        "account", "opportunity", "requested_by", "assignee", "team"
    )
    if status == "open":
        rows = rows.filter(status__in=(Status.OPEN, Status.ASSIGNED, Status.ACCEPTED))
    elif status in Status.values:
        rows = rows.filter(status=status)
    if mine:
        rows = rows.filter(assignee=actor) | rows.filter(requested_by=actor)
    if team_id:
        rows = rows.filter(team_id=team_id)
    return rows.order_by("-created_at", "-id")


def service_levels(rows: QuerySet[SERequest]) -> dict[str, Figure]:
    """Answered within the urgency's target and fulfilled by the end date, with samples."""
    answered = fulfilled = answered_ok = fulfilled_ok = 0
    for r in (
        rows.select_related(None)
        .filter(responded_at__isnull=False)
        .only("created_at", "responded_at", "fulfilled_at", "ends_on", "urgency")
    ):
        answered += 1
        answered_ok += bool(r.answered_on_time)
        if r.fulfilled_at is not None:
            fulfilled += 1
            fulfilled_ok += bool(r.fulfilled_on_time)
    return {
        "answered": rate_figure("Answered within target", answered_ok, answered),
        "fulfilled": rate_figure("Fulfilled by the end date", fulfilled_ok, fulfilled),
    }


def requests_for_week(*, user: User) -> list[SERequest]:
    """The open requests assigned to the user, and for a manager those waiting in their teams."""
    rows = se_requests_for(user).select_related("account", "opportunity", "team", "assignee")
    mine = rows.filter(assignee=user, status__in=(Status.ASSIGNED, Status.ACCEPTED))
    result: list[Any] = list(mine.order_by("starts_on")[:10])
    if user.is_manager_role:
        waiting = rows.filter(status=Status.OPEN, team_id__in=access.team_ids(user))
        result += list(waiting.order_by("starts_on")[:10])
    return result
