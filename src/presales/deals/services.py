from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from presales.accounts.models import Account
from presales.core import access
from presales.core.access import MOVE_REFUSED
from presales.core.services import (
    apply_changes,
    references,
    resolve,
    resolve_plain,
    validate_and_save,
)
from presales.deals.models import Opportunity, StageChange, TermsChange
from presales.people.models import Team, User
from presales.products.models import Competitor, Product
from presales.qualification.services import enforce_stage_gate

_RELATIONS = {
    "product_ids": ("products", Product),
    "competitor_ids": ("competitors", Competitor),
    "sales_engineer_ids": ("sales_engineers", User),
}


def _split(actor: User, fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    values = dict(fields)
    relations: dict[str, list[Any]] = {}
    if "account_id" in values:
        values["account"] = resolve(actor, Account, values.pop("account_id"), field="account_id")
    if "team_id" in values:
        values["team"] = resolve_plain(Team, values.pop("team_id"), field="team_id")
    if "owner_id" in values:
        values["owner"] = resolve_plain(User, values.pop("owner_id"), field="owner_id")
    for key, (name, model) in _RELATIONS.items():
        if key in values:
            pks = values.pop(key) or []
            objs = [resolve_plain(model, pk, field=key) for pk in dict.fromkeys(pks)]
            relations[name] = objs
    return values, relations


def _record_terms(opportunity: Opportunity, old: tuple[Any, Any], actor: User | None) -> None:
    close_date, amount = old
    if (close_date, amount) != (opportunity.close_date, opportunity.amount):
        TermsChange.objects.create(
            opportunity=opportunity,
            from_close_date=close_date,
            to_close_date=opportunity.close_date,
            from_amount=amount,
            to_amount=opportunity.amount,
            changed_at=timezone.now(),
            changed_by=actor,
        )


def _record_stage(opportunity: Opportunity, old: str, actor: User | None) -> None:
    if old != opportunity.stage:
        StageChange.objects.create(
            opportunity=opportunity,
            from_stage=old,
            to_stage=opportunity.stage,
            changed_at=timezone.now(),
            changed_by=actor,
        )


def can_change_stage(user: User, opportunity: Opportunity) -> bool:
    """The stage belongs to the deal's owner: the owner, a manager who may change the deal and
    an administrator move it; everyone else who works the deal proposes a move instead. A deal
    nobody owns yet is moved by whoever may change it."""
    if not access.can_change(user, opportunity):
        return False
    if user.is_admin_role or user.is_manager_role:
        return True
    return opportunity.owner_id is None or opportunity.owner_id == user.pk


@transaction.atomic
def create_opportunity(*, actor: User, fields: dict[str, Any]) -> Opportunity:
    values, relations = _split(actor, fields)
    if values.get("team") is None:
        account = values.get("account")
        values["team"] = (account.team if account else None) or actor.team
    if values.get("owner") is None and actor.role == "rep":
        values["owner"] = actor
    access.require(access.can_create_in(actor, team=values.get("team")))
    opportunity = validate_and_save(Opportunity(**values))
    for name, objs in relations.items():
        getattr(opportunity, name).set(objs)
    _record_stage(opportunity, "", actor)
    return opportunity


@transaction.atomic
def update_opportunity(
    *,
    actor: User,
    opportunity: Opportunity,
    changes: dict[str, Any],
    confirm_gate: bool = False,
    seen: bool = False,
) -> Opportunity:
    """Apply ``changes``; a step past a stage gate with criteria missing needs ``confirm_gate``
    (the confirmed override is recorded, see qualification.services.enforce_stage_gate).
    ``seen``: the caller has just read ``opportunity`` through ``access.visible(actor, ...)``."""
    access.require(access.can_change(actor, opportunity, seen=seen))
    as_read = references(opportunity)
    old_stage = opportunity.stage
    old_terms = (opportunity.close_date, opportunity.amount)
    values, relations = _split(actor, changes)
    if "team" in values and values["team"] != opportunity.team:
        access.require(
            access.can_move_to_team(actor, opportunity, values["team"]),
            MOVE_REFUSED,
        )
    if "owner" in values and values["owner"] != opportunity.owner:
        access.require(
            can_change_stage(actor, opportunity),
            "The deal owner (or a manager) hands the deal to another owner.",
        )
    if values.get("stage") not in (None, old_stage):
        access.require(
            can_change_stage(actor, opportunity),
            "The deal owner changes the stage; propose the change to them instead.",
        )
        enforce_stage_gate(
            actor=actor, opportunity=opportunity, to_stage=values["stage"], confirm=confirm_gate
        )
    validate_and_save(apply_changes(opportunity, values), as_read=as_read)
    for name, objs in relations.items():
        getattr(opportunity, name).set(objs)
    _record_stage(opportunity, old_stage, actor)
    _record_terms(opportunity, old_terms, actor)
    return opportunity
