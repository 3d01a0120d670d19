from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from presales.accounts.models import Account
from presales.activities.models import Activity
from presales.core import access
from presales.core.services import resolve, validate_and_save
from presales.deals.models import Opportunity
from presales.notes.models import Note
from presales.people.models import User


@transaction.atomic
def create_note(*, actor: User, fields: dict[str, Any]) -> Note:
    values = dict(fields)
    activity = resolve(actor, Activity, values.pop("activity_id", None), field="activity_id")
    opportunity = resolve(
        actor, Opportunity, values.pop("opportunity_id", None), field="opportunity_id"
    )
    account = resolve(actor, Account, values.pop("account_id", None), field="account_id")
    # A note on an activity belongs to its deal and account too (see Note's docstring).
    if activity is not None:
        opportunity = opportunity or activity.opportunity
        account = account or activity.account
    if opportunity is not None:
        account = account or opportunity.account
    if activity is None and opportunity is None and account is None:
        raise ValidationError(
            {"account_id": "A note belongs to an account, an opportunity or an activity."}
        )
    if not str(values.get("body", "")).strip():
        raise ValidationError({"body": "A note cannot be empty."})
    note = Note(author=actor, activity=activity, opportunity=opportunity, account=account, **values)
    return validate_and_save(note)


@transaction.atomic
def update_note(*, actor: User, note: Note, changes: dict[str, Any]) -> Note:
    access.require(access.can_change(actor, note), "Only the author or a manager can edit a note.")
    if "body" in changes:
        if not str(changes["body"]).strip():
            raise ValidationError({"body": "A note cannot be empty."})
        note.body = changes["body"]
    return validate_and_save(note)
