"""Owners an export names but does not hold: a Salesforce org exported without its ``User``
file, HubSpot deals naming owners by id. Their records wait (``PendingReference``) for a person;
an administrator maps each id to a Presales user, and every waiting record is completed at once,
without importing anything again. Later imports find the person through the same mapping."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from presales.core import access
from presales.core.signals import bulk_change
from presales.deals.models import Opportunity
from presales.imports.access import can_change_import_settings
from presales.imports.models import ImportedRecord, PendingReference
from presales.imports.services.engine import Resolver, chunks
from presales.imports.services.targets import CORE_TARGETS
from presales.people.models import User

MAPPED = "mapped"


@dataclass
class WaitingOwner:
    """An owner id of one source with the records that wait for it, per object type."""

    source: str
    external_id: str
    records: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def waiting_owners(*, source: str | None = None) -> list[WaitingOwner]:
    """Every owner id that records wait for, the most waited-for first."""
    rows = PendingReference.objects.filter(target_kind="user")
    if source:
        rows = rows.filter(source=source)
    owners: dict[tuple[str, str], WaitingOwner] = {}
    for src, ext, kind, n in (
        rows.values("source", "target_external_id", "kind")
        .annotate(n=Count("external_id", distinct=True))
        .values_list("source", "target_external_id", "kind", "n")
    ):
        owner = owners.setdefault((src, ext), WaitingOwner(src, ext))
        owner.kinds[kind] = owner.kinds.get(kind, 0) + n
        owner.records += n
    for owner in owners.values():
        owner.kinds = dict(sorted(owner.kinds.items(), key=lambda kv: (-kv[1], kv[0])))
    return sorted(owners.values(), key=lambda o: (-o.records, o.source, o.external_id))


def map_owner(*, actor: User, source: str, external_id: str, user: User) -> int:
    """Record that ``external_id`` of ``source`` is ``user`` and complete every record waiting
    for it (a deal's owner, an activity's participant, a person's manager). Returns how many
    records were completed."""
    access.require(
        can_change_import_settings(actor),
        "Only an administrator maps imported owners to people.",
    )
    if not user.is_active:
        raise ValidationError({"user": f"{user} cannot sign in; choose an active user."})
    with transaction.atomic():
        ImportedRecord.objects.update_or_create(
            source=source,
            kind="user",
            external_id=external_id,
            defaults={"object_id": user.pk, "digest": MAPPED},
        )
        return _complete(source, external_id, user.pk)


def _complete(source: str, external_id: str, user_id: int) -> int:
    waiting = list(
        PendingReference.objects.filter(
            source=source, target_kind="user", target_external_id=external_id
        )
    )
    resolver = Resolver(source, CORE_TARGETS)
    fields: dict[tuple[str, str], list[str]] = defaultdict(list)
    links: dict[tuple[str, str], list[str]] = defaultdict(list)
    for item in waiting:
        if item.field.startswith("+"):
            links[(item.kind, item.field[1:].split(":", 1)[0])].append(item.external_id)
        else:
            fields[(item.kind, item.field)].append(item.external_id)
    deals: list[int] = []
    for (kind, name), externals in fields.items():
        if kind not in CORE_TARGETS:
            continue
        model = CORE_TARGETS[kind].model
        found = resolver.ids(kind, externals)
        ids = [pk for pk in (found.get(e) for e in externals) if pk is not None]
        for part in chunks(ids):
            model._default_manager.filter(pk__in=part).update(**{name: user_id})
        if model is Opportunity:
            deals += ids
    for (kind, name), externals in links.items():
        if kind not in CORE_TARGETS:
            continue
        relation = CORE_TARGETS[kind].model._meta.get_field(name)
        through = relation.remote_field.through  # type: ignore[union-attr]
        own_column = relation.m2m_column_name()  # type: ignore[union-attr]
        other_column = relation.m2m_reverse_name()  # type: ignore[union-attr]
        found = resolver.ids(kind, externals)
        ids = [pk for pk in (found.get(e) for e in externals) if pk is not None]
        with bulk_change(CORE_TARGETS[kind].model, ids):
            through.objects.bulk_create(
                [through(**{own_column: pk, other_column: user_id}) for pk in ids],
                ignore_conflicts=True,
            )
    for part in chunks(deals):
        # A deal without a team belongs to its owner's team, as on import.
        for pk, team in Opportunity.objects.filter(
            pk__in=part, team__isnull=True, owner__team__isnull=False
        ).values_list("pk", "owner__team_id"):
            Opportunity.objects.filter(pk=pk).update(team_id=team)
    done = {(i.kind, i.external_id) for i in waiting}
    for part in chunks([i.pk for i in waiting]):
        PendingReference.objects.filter(pk__in=part).delete()
    return len(done)
