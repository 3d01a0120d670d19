"""Who sees and decides what of customer intelligence.

- A candidate pair is seen by whoever sees both of its records; a merge by whoever sees its
  surviving record. The account's team (whoever may change both records) or a data steward
  merges and unmerges.
- A data steward is an administrator or a member of the group "Data stewards".
- Contact flags follow their contact, corrections and addresses their account; the source
  aliases are the import's bookkeeping.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from presales.accounts.access import accounts_for, contacts_for
from presales.core import access
from presales.intelligence.models import (
    AccountAddress,
    ContactFlag,
    Correction,
    DedupeRun,
    DuplicatePair,
    Kind,
    Merge,
    MergeEvent,
    SourceAlias,
)

STEWARDS = "Data stewards"


def is_steward(user: Any) -> bool:
    person = access.signed_in(user)
    if person is None:
        return False
    return bool(person.is_admin_role or person.groups.filter(name=STEWARDS).exists())


def _seen(user: Any, kind: str) -> QuerySet[Any]:
    rows = accounts_for(user) if kind == Kind.ACCOUNT else contacts_for(user)
    return rows.values("pk")


def pairs_for(user: Any) -> QuerySet[DuplicatePair]:
    if not user.is_authenticated:
        return DuplicatePair.objects.none()
    if access.sees_everything(user):
        return DuplicatePair.objects.all()
    condition = Q()
    for kind in Kind.values:
        seen = _seen(user, kind)
        condition |= Q(kind=kind, left_id__in=seen, right_id__in=seen)
    return DuplicatePair.objects.filter(condition)


def merges_for(user: Any) -> QuerySet[Merge]:
    if not user.is_authenticated:
        return Merge.objects.none()
    if access.sees_everything(user):
        return Merge.objects.all()
    condition = Q()
    for kind in Kind.values:
        condition |= Q(kind=kind, survivor_id__in=_seen(user, kind))
    return Merge.objects.filter(condition)


def runs_for(user: Any) -> QuerySet[DedupeRun]:
    return access.everyone(DedupeRun)(user)


def _steward_only(user: Any, obj: Any) -> bool:
    return is_steward(user)


def _pair_change(user: Any, obj: DuplicatePair) -> bool:
    return is_steward(user) or (access.default_change(user, obj))


access.register(DedupeRun, visible=runs_for, change=_steward_only)
access.register(DuplicatePair, visible=pairs_for, change=_pair_change)
access.register(Merge, visible=merges_for, change=_pair_change)
access.reached_through(MergeEvent, "merge", "The audit trail, shown with its merge.")
access.internal(SourceAlias, "Maps a merged-away record's source id to its survivor for imports.")
access.register(ContactFlag, visible=access.through(ContactFlag, "contact"))
access.register(Correction, visible=access.through(Correction, "account"))
access.reached_through(AccountAddress, "account", "A company's address, shown on its account.")
