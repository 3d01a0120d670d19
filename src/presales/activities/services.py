from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from presales.accounts.models import Account, Contact
from presales.activities.models import CUSTOMER_FACING_KINDS, Activity
from presales.core import access
from presales.core.services import (
    apply_changes,
    resolve,
    resolve_many,
    resolve_plain,
    validate_and_save,
)
from presales.deals.models import Opportunity
from presales.people.models import User


def _split(actor: User, fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    values = dict(fields)
    relations: dict[str, list[Any]] = {}
    if "account_id" in values:
        values["account"] = resolve(actor, Account, values.pop("account_id"), field="account_id")
    if "opportunity_id" in values:
        values["opportunity"] = resolve(
            actor, Opportunity, values.pop("opportunity_id"), field="opportunity_id"
        )
    if "participant_ids" in values:
        pks = values.pop("participant_ids") or []
        relations["participants"] = [
            resolve_plain(User, pk, field="participant_ids") for pk in dict.fromkeys(pks)
        ]
    if "contact_ids" in values:
        relations["contacts"] = resolve_many(
            actor, Contact, values.pop("contact_ids") or [], field="contact_ids"
        )
    return values, relations


def _check(activity: Activity) -> None:
    if activity.ends_at < activity.starts_at:
        raise ValidationError({"ends_at": "An activity cannot end before it starts."})
    if activity.opportunity and activity.account is None:
        activity.account = activity.opportunity.account
    if (
        activity.opportunity
        and activity.account
        and activity.opportunity.account_id
        not in (
            None,
            activity.account.pk,
        )
    ):
        raise ValidationError({"opportunity_id": "The opportunity belongs to another account."})


@transaction.atomic
def create_activity(*, actor: User, fields: dict[str, Any]) -> Activity:
    values, relations = _split(actor, fields)
    if "customer_facing" not in values:
        values["customer_facing"] = values.get("kind", "meeting") in CUSTOMER_FACING_KINDS
    activity = Activity(**values)
    resolved = (values.get("opportunity"), values.get("account"))
    _check(activity)  # may take the account from the deal
    for target in (activity.opportunity, activity.account):
        if target is not None:
            seen = any(target is obj for obj in resolved)  # read through visible() above
            access.require(access.can_change(actor, target, seen=seen))
    validate_and_save(activity)
    relations.setdefault("participants", [actor])
    for name, objs in relations.items():
        getattr(activity, name).add(*objs)  # a new activity has none to replace
    return activity


@transaction.atomic
def update_activity(*, actor: User, activity: Activity, changes: dict[str, Any]) -> Activity:
    """Change, reschedule or re-invite; a change of kind carries its customer-facing flag."""
    access.require(access.can_change(actor, activity))
    values, relations = _split(actor, changes)
    if "kind" in values and "customer_facing" not in values:
        values["customer_facing"] = values["kind"] in CUSTOMER_FACING_KINDS
    apply_changes(activity, values)
    _check(activity)
    validate_and_save(activity)
    for name, objs in relations.items():
        getattr(activity, name).set(objs)
    return activity


@transaction.atomic
def cancel_activity(*, actor: User, activity: Activity) -> Activity:
    """Call a planned meeting off; a held one happened and stays held."""
    access.require(access.can_change(actor, activity))
    if activity.status == Activity.Status.HELD:
        raise ValidationError({"status": "The meeting was held; it can no longer be cancelled."})
    if activity.status == Activity.Status.CANCELLED:
        return activity
    activity.status = Activity.Status.CANCELLED
    validate_and_save(activity)
    return activity
