"""Pages of requests for SE help: the list (with the form to ask), and one request with its
ranked candidates and the actions its people may take."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from presales.core.pages import current_user, page_of, visible_or_404
from presales.deals.access import opportunities_for
from presales.deals.models import OPEN_STAGES
from presales.people.models import User
from presales.team import requesting
from presales.team.access import can_route
from presales.team.assignment import rank_candidates
from presales.team.forms import SERequestForm
from presales.team.models import SERequest


def _deals(user: User) -> Any:
    own = Q(owner=user) | Q(sales_engineers=user) | Q(team_id=user.team_id)
    return (
        opportunities_for(user)
        .filter(own, stage__in=OPEN_STAGES)
        .select_related("account")
        .distinct()
        .order_by("name")
    )


def request_list(request: HttpRequest, *, form: SERequestForm | None = None) -> HttpResponse:
    user = current_user(request)
    status = request.GET.get("status", "open")
    mine = request.GET.get("mine", "") == "1"
    rows = requesting.requests_list(actor=user, status=status, mine=mine)
    initial: dict[str, Any] = {}
    deal_id = request.GET.get("deal", "")
    if deal_id.isdigit():
        initial["deal"] = int(deal_id)
    return render(
        request,
        "team/request_list.html",
        {
            "page": page_of(request, rows),
            "status": status,
            "mine": mine,
            "statuses": SERequest.Status.choices,
            "levels": requesting.service_levels(requesting.requests_list(actor=user)),
            "form": form or SERequestForm(deals=_deals(user), initial=initial),
        },
        status=422 if form is not None else 200,
    )


@require_POST
def request_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = SERequestForm(request.POST, deals=_deals(user))
    if form.is_valid():
        data = form.cleaned_data
        deal = data["deal"]
        try:
            made = requesting.create_request(
                actor=user,
                kind=data["kind"],
                summary=data["summary"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                opportunity_id=deal.pk if deal else data["opportunity"],
                account_id=data["account"],
                skills=[s.name for s in data["skills"]],
                urgency=data["urgency"],
                details=data["details"],
                customer_time_zone=data["customer_time_zone"],
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                target = {"opportunity_id": "deal", "account_id": "deal"}.get(name, name)
                form.add_error(target if target in form.fields else None, errors)
        else:
            messages.success(
                request, f"Request sent to {made.team or 'no team (no routing rule matched)'}."
            )
            return redirect("request_detail", made.pk)
    return request_list(request, form=form)


def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    user = current_user(request)
    item = visible_or_404(request, SERequest, request_id)
    routes = can_route(user, item)
    return render(
        request,
        "team/request_detail.html",
        {
            "item": item,
            "can_route": routes,
            "candidates": rank_candidates(request=item) if routes and item.is_open else [],
            "is_assignee": item.assignee_id == user.pk,
            "can_claim": item.status == SERequest.Status.OPEN and item.team_id == user.team_id,
            "is_requester": item.requested_by_id == user.pk,
        },
    )


@require_POST
def request_action(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    user = current_user(request)
    item = visible_or_404(request, SERequest, request_id)
    try:
        if action == "assign":
            raw = request.POST.get("se", "")
            se = User.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
            if se is None:
                raise ValidationError({"se": "Pick an SE from the list."})
            requesting.assign_request(actor=user, request=item, se=se)
            done = f"Assigned to {se}."
        elif action == "accept":
            requesting.accept_request(actor=user, request=item)
            done = "Accepted: it is on your week."
        elif action == "decline":
            requesting.decline_request(actor=user, request=item)
            done = "Handed back to the team's manager."
        elif action == "fulfil":
            requesting.fulfil_request(actor=user, request=item)
            done = "Marked fulfilled."
        elif action == "cancel":
            requesting.cancel_request(actor=user, request=item)
            done = "Cancelled."
        else:
            messages.error(request, f"Unknown action {action!r}.")
            return redirect("request_detail", item.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("request_detail", item.pk)
