"""Who moves a deal's stage, and how everybody else asks for a move.

The deal owner (a manager, an administrator) changes the stage; anyone else who works the deal
proposes a change that the owner accepts or declines. Closing won or lost is final enough that
it always needs an explicit confirmation, and every move lands in the stage history with who
made it (and, for an accepted proposal, who proposed it).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from presales.core import access
from presales.deals.access import opportunities_for
from presales.deals.models import CLOSED_STAGES, Opportunity, Stage, StageProposal
from presales.deals.services import can_change_stage, update_opportunity
from presales.people.models import User

REASON_LIMIT = 2000


def _stage(value: str, *, field: str = "to_stage") -> Stage:
    if value not in Stage.values:
        raise ValidationError({field: "Choose a stage from the list."})
    return Stage(value)


def closing_question(opportunity: Opportunity, to_stage: str) -> str:
    amount = f" (${opportunity.amount:,.0f})" if opportunity.amount is not None else ""
    return (
        f"Close “{opportunity.name}”{amount} as {Stage(to_stage).label.lower()}? "
        "A closed deal leaves the pipeline and the forecast."
    )


@transaction.atomic
def change_stage(
    *,
    actor: User,
    opportunity: Opportunity,
    to_stage: str,
    confirm_close: bool = False,
    confirm_gate: bool = False,
) -> Opportunity:
    """Move the deal; closing it (won or lost) needs ``confirm_close``."""
    stage = _stage(to_stage)
    access.require(
        can_change_stage(actor, opportunity),
        "The deal owner changes the stage; propose the change to them instead.",
    )
    if stage == opportunity.stage:
        raise ValidationError({"to_stage": f"The deal is already in {stage.label}."})
    if stage in CLOSED_STAGES and not confirm_close:
        raise ValidationError({"confirm_close": closing_question(opportunity, stage)})
    return update_opportunity(
        actor=actor,
        opportunity=opportunity,
        changes={"stage": stage.value},
        confirm_gate=confirm_gate,
    )


@transaction.atomic
def propose_stage(
    *,
    actor: User,
    opportunity: Opportunity,
    to_stage: str,
    reason: str = "",
    now: datetime | None = None,
) -> StageProposal:
    """Ask the owner to move the deal; the proposer's earlier open proposal is replaced."""
    stage = _stage(to_stage)
    access.require(access.can_change(actor, opportunity))
    if can_change_stage(actor, opportunity):
        raise ValidationError({"to_stage": "You own this stage: change it directly."})
    if stage == opportunity.stage:
        raise ValidationError({"to_stage": f"The deal is already in {stage.label}."})
    reason = reason.strip()
    if len(reason) > REASON_LIMIT:
        raise ValidationError({"reason": f"Keep the reason under {REASON_LIMIT} characters."})
    now = now or timezone.now()
    StageProposal.objects.filter(
        opportunity=opportunity, proposed_by=actor, status=StageProposal.Status.OPEN
    ).update(status=StageProposal.Status.WITHDRAWN, decided_at=now, decided_by=actor)
    return StageProposal.objects.create(
        opportunity=opportunity,
        from_stage=opportunity.stage,
        to_stage=stage.value,
        reason=reason,
        proposed_by=actor,
        proposed_at=now,
    )


@transaction.atomic
def decide_proposal(
    *,
    actor: User,
    proposal: StageProposal,
    accept: bool,
    confirm_close: bool = False,
    confirm_gate: bool = False,
    now: datetime | None = None,
) -> StageProposal:
    """The owner accepts (the stage moves, recorded as theirs) or declines a proposal."""
    opportunity = proposal.opportunity
    access.require(
        can_change_stage(actor, opportunity),
        "Only the deal owner (or a manager) accepts or declines a proposed stage change.",
    )
    if proposal.status != StageProposal.Status.OPEN:
        raise ValidationError(
            {"proposal": f"This proposal is already {proposal.get_status_display().lower()}."}
        )
    if accept:
        if opportunity.stage != proposal.to_stage:
            change_stage(
                actor=actor,
                opportunity=opportunity,
                to_stage=proposal.to_stage,
                confirm_close=confirm_close,
                confirm_gate=confirm_gate,
            )
            proposal.stage_change = opportunity.stage_changes.order_by("-changed_at", "-id").first()
        proposal.status = StageProposal.Status.ACCEPTED
    else:
        proposal.status = StageProposal.Status.DECLINED
    proposal.decided_by, proposal.decided_at = actor, now or timezone.now()
    proposal.save()
    return proposal


@transaction.atomic
def withdraw_proposal(*, actor: User, proposal: StageProposal) -> StageProposal:
    if proposal.proposed_by_id != actor.pk or proposal.status != StageProposal.Status.OPEN:
        raise ValidationError({"proposal": "Only an open proposal of yours can be withdrawn."})
    proposal.status = StageProposal.Status.WITHDRAWN
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    proposal.save()
    return proposal


def proposals_waiting_for(user: User) -> QuerySet[StageProposal]:
    """Open proposals on the deals the user owns: the owner's to-do on their week."""
    return (
        StageProposal.objects.filter(
            status=StageProposal.Status.OPEN,
            opportunity__owner=user,
            opportunity__in=opportunities_for(user).values("pk"),
        )
        .select_related("opportunity", "opportunity__account", "proposed_by")
        .order_by("proposed_at", "id")
    )
