"""Writing deals in the browser: create and edit, move the stage (owner) or propose a move
(everyone else), accept or decline a proposal. Closing a deal always passes a confirm page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from presales.core import access
from presales.core.forms import save_posted
from presales.core.pages import current_user, visible_or_404
from presales.deals import services, stages
from presales.deals.access import opportunities_for
from presales.deals.forms import ALIASES, OpportunityForm, initial_for
from presales.deals.models import Opportunity, Stage, StageProposal
from presales.people.models import Role


def _form_page(
    request: HttpRequest, form: OpportunityForm, deal: Opportunity | None, status: int = 200
) -> HttpResponse:
    return render(
        request, "deals/opportunity_form.html", {"form": form, "deal": deal}, status=status
    )


def opportunity_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        form = OpportunityForm(request.POST, user=user)

        def create() -> HttpResponse:
            deal = services.create_opportunity(actor=user, fields=form.service_fields())
            messages.success(request, "Deal created.")
            return redirect("opportunity_detail", opportunity_id=deal.pk)

        done = save_posted(request, form, create, aliases=ALIASES)
        return done or _form_page(request, form, None, status=422)
    initial: dict[str, Any] = {}
    account = request.GET.get("account", "")
    if account.isdigit():
        initial["account"] = int(account)
    if user.role == Role.REP:
        initial["owner"] = user.pk
    elif user.role == Role.SE:
        initial["sales_engineers"] = [user.pk]
    return _form_page(request, OpportunityForm(initial=initial, user=user), None)


def opportunity_edit(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    user = current_user(request)
    deal: Opportunity = visible_or_404(request, Opportunity, opportunity_id)
    access.require(access.can_change(user, deal), "You may not change this deal.")
    if request.method == "POST":
        form = OpportunityForm(request.POST, user=user, deal=deal)

        def update() -> HttpResponse:
            services.update_opportunity(actor=user, opportunity=deal, changes=form.service_fields())
            messages.success(request, "Deal saved.")
            return redirect("opportunity_detail", opportunity_id=deal.pk)

        done = save_posted(request, form, update, aliases=ALIASES, stale=deal)
        return done or _form_page(request, form, deal, status=422)
    return _form_page(
        request, OpportunityForm(initial=initial_for(deal), user=user, deal=deal), deal
    )


def _confirm_page(
    request: HttpRequest, deal: Opportunity, *, question: str, hidden: dict[str, str], action: str
) -> HttpResponse:
    return render(
        request,
        "deals/stage_confirm.html",
        {"deal": deal, "question": question, "hidden": hidden, "action": action},
        status=200,
    )


def _confirmation(exc: ValidationError) -> tuple[str, str] | None:
    """The confirmation a refused move asks for: (the flag to send, the question)."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {}
    for flag in ("confirm_close", "confirm_gate"):
        if flag in errors:
            return flag, " ".join(errors[flag])
    return None


@require_POST
def stage(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """The owner moves the stage; anyone else who works the deal proposes the move."""
    user = current_user(request)
    deal: Opportunity = visible_or_404(request, Opportunity, opportunity_id)
    to_stage = request.POST.get("to_stage", "")
    flags = {f: request.POST.get(f) == "1" for f in ("confirm_close", "confirm_gate")}
    try:
        if services.can_change_stage(user, deal):
            stages.change_stage(actor=user, opportunity=deal, to_stage=to_stage, **flags)
            messages.success(request, f"Stage set to {deal.get_stage_display()}.")
        else:
            proposal = stages.propose_stage(
                actor=user,
                opportunity=deal,
                to_stage=to_stage,
                reason=request.POST.get("reason", ""),
            )
            owner = deal.owner or "the owner"
            messages.success(
                request, f"Proposed {proposal.get_to_stage_display()}; {owner} accepts or declines."
            )
    except ValidationError as exc:
        asked = _confirmation(exc)
        if asked is None:
            for message in exc.messages:
                messages.error(request, message)
        else:
            deal.refresh_from_db()
            hidden = {"to_stage": to_stage, asked[0]: "1"}
            hidden.update({f: "1" for f, on in flags.items() if on})
            return _confirm_page(
                request,
                deal,
                question=asked[1],
                hidden=hidden,
                action=request.path,
            )
    return redirect("opportunity_detail", opportunity_id=deal.pk)


def _visible_proposal(request: HttpRequest, proposal_id: int) -> StageProposal:
    found = (
        StageProposal.objects.filter(
            pk=proposal_id,
            opportunity__in=opportunities_for(request.user).values("pk"),
        )
        .select_related("opportunity")
        .first()
    )
    if found is None:
        raise Http404(f"No stage proposal with id {proposal_id} that you can see.")
    return found


@require_POST
def decide_proposal(request: HttpRequest, proposal_id: int) -> HttpResponse:
    user = current_user(request)
    proposal = _visible_proposal(request, proposal_id)
    deal = proposal.opportunity
    decision = request.POST.get("decision", "")
    flags = {f: request.POST.get(f) == "1" for f in ("confirm_close", "confirm_gate")}
    try:
        if decision == "withdraw":
            stages.withdraw_proposal(actor=user, proposal=proposal)
            messages.success(request, "Proposal withdrawn.")
        elif decision in ("accept", "decline"):
            stages.decide_proposal(
                actor=user,
                proposal=proposal,
                accept=decision == "accept",
                confirm_close=flags["confirm_close"],
                confirm_gate=flags["confirm_gate"],
            )
            messages.success(request, f"Proposal {proposal.get_status_display().lower()}.")
        else:
            raise ValidationError({"decision": "Accept or decline the proposal."})
    except ValidationError as exc:
        asked = _confirmation(exc)
        if asked is None:
            for message in exc.messages:
                messages.error(request, message)
        else:
            deal.refresh_from_db()
            hidden = {"decision": decision, asked[0]: "1"}
            hidden.update({f: "1" for f, on in flags.items() if on})
            return _confirm_page(
                request, deal, question=asked[1], hidden=hidden, action=request.path
            )
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("opportunity_detail", opportunity_id=deal.pk)


def stage_context(request: HttpRequest, deal: Opportunity) -> dict[str, Any]:
    """What the deal page needs for its stage control and the proposals waiting on it."""
    user = current_user(request)
    open_proposals = deal.stage_proposals.filter(status=StageProposal.Status.OPEN)
    return {
        "can_change_stage": services.can_change_stage(user, deal),
        "can_propose_stage": access.can_change(user, deal)
        and not services.can_change_stage(user, deal),
        "stage_choices": [(v, label) for v, label in Stage.choices if v != deal.stage],
        "open_proposals": open_proposals.select_related("proposed_by"),
        "past_proposals": deal.stage_proposals.filter(
            ~Q(status=StageProposal.Status.OPEN)
        ).select_related("proposed_by", "decided_by")[:10],
    }
