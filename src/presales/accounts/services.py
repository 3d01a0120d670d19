from __future__ import annotations

from typing import Any

from django.db import transaction

from presales.accounts.models import Account, Contact
from presales.core import access
from presales.core.access import MOVE_REFUSED
from presales.core.services import apply_changes, resolve, resolve_plain, validate_and_save
from presales.people.models import Region, Team, User


def _resolve_refs(actor: User, fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if "region_id" in out:
        out["region"] = resolve_plain(Region, out.pop("region_id"), field="region_id")
    if "team_id" in out:
        out["team"] = resolve_plain(Team, out.pop("team_id"), field="team_id")
    if "parent_id" in out:
        out["parent"] = resolve(actor, Account, out.pop("parent_id"), field="parent_id")
    if "employees" in out and "size" not in out:
        out["size"] = Account.size_for(out["employees"])
    return out


@transaction.atomic
def create_account(*, actor: User, fields: dict[str, Any]) -> Account:
    values = _resolve_refs(actor, fields)
    if values.get("team") is None and actor.team_id:
        values["team"] = actor.team
    access.require(access.can_create_in(actor, team=values.get("team")))
    return validate_and_save(Account(**values))


@transaction.atomic
def update_account(*, actor: User, account: Account, changes: dict[str, Any]) -> Account:
    access.require(access.can_change(actor, account))
    values = _resolve_refs(actor, changes)
    if "team" in values and values["team"] != account.team:
        access.require(
            access.can_move_to_team(actor, account, values["team"]),
            MOVE_REFUSED,
        )
    return validate_and_save(apply_changes(account, values))


@transaction.atomic
def create_contact(*, actor: User, fields: dict[str, Any]) -> Contact:
    values = dict(fields)
    account = resolve(actor, Account, values.pop("account_id", None), field="account_id")
    assert account is not None
    access.require(access.can_change(actor, account))
    return validate_and_save(Contact(account=account, **values))


@transaction.atomic
def update_contact(*, actor: User, contact: Contact, changes: dict[str, Any]) -> Contact:
    access.require(access.can_change(actor, contact.account))
    values = dict(changes)
    if "account_id" in values:
        account = resolve(actor, Account, values.pop("account_id"), field="account_id")
        if account is not None:
            access.require(access.can_change(actor, account))
        values["account"] = account
    return validate_and_save(apply_changes(contact, values))
