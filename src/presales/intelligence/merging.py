"""Merges that keep one record, move every link to it, and can be undone exactly.

Every foreign key that points at the merged model is found through Django's model registry
(``apps.get_models(include_auto_created=True)``, which includes many-to-many link tables), so
the links of an app added later move too. A link row that would collide with one the survivor
already has (the same contact twice on a meeting) is set aside whole and put back by unmerge.
The merged-away records are stored field by field, then deleted; unmerge inserts them again
with their ids, moves each link back, restores the survivor's values and removes the aliases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from presales.accounts.models import Account, Contact
from presales.core import access
from presales.core.signals import bulk_change
from presales.intelligence import survivorship
from presales.intelligence.models import DuplicatePair, Kind, Merge, MergeEvent, SourceAlias

MODELS: dict[str, type[models.Model]] = {Kind.ACCOUNT: Account, Kind.CONTACT: Contact}
# Bookkeeping of the duplicate finder itself never moves with a merge.
_OWN_APP = "intelligence"


class MergeError(Exception):
    """A merge or unmerge that cannot be done, with the reason for a person."""


def encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return {"t": type(value).__name__, "v": value.isoformat()}
    if isinstance(value, Decimal):
        return {"t": "decimal", "v": str(value)}
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"t", "v"}:
        kind, raw = value["t"], value["v"]
        if kind == "datetime":
            return dt.datetime.fromisoformat(raw)
        if kind == "date":
            return dt.date.fromisoformat(raw)
        if kind == "time":
            return dt.time.fromisoformat(raw)
        if kind == "decimal":
            return Decimal(raw)
    return value


def row_of(obj: models.Model) -> dict[str, Any]:
    """Every concrete column of ``obj`` by attribute name, JSON-ready."""
    return {f.attname: encode(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}


def links_to(model: type[models.Model]) -> list[tuple[type[models.Model], models.Field[Any, Any]]]:
    """Each (model, field) whose foreign key or one-to-one points at ``model``."""
    found = []
    for other in apps.get_models(include_auto_created=True):
        own = other._meta.app_label == _OWN_APP
        if own and other._meta.model_name not in {"contactflag", "correction"}:
            continue
        for field in other._meta.concrete_fields:
            if field.is_relation and field.related_model is model and not field.primary_key:
                found.append((other, field))
    return found


def _insert_row(model: type[models.Model], row: dict[str, Any]) -> None:
    """Put a stored row back exactly: insert it, then write every column again without the
    save machinery (so automatic timestamps keep their stored values)."""
    values = {k: decode(v) for k, v in row.items()}
    model._default_manager.bulk_create([model(**values)])
    pk_name = model._meta.pk.attname
    rest = {k: v for k, v in values.items() if k != pk_name}
    if rest:
        model._default_manager.filter(pk=values[pk_name]).update(**rest)


@dataclass
class Preview:
    kind: str
    survivor: models.Model
    others: list[models.Model]
    decisions: list[survivorship.Decision]
    links: dict[str, int]


def _load(kind: str, ids: list[int]) -> list[models.Model]:
    model = MODELS.get(kind)
    if model is None:
        raise MergeError(f"Nothing to merge of kind {kind!r}: use accounts or contacts.")
    objects = model._default_manager.in_bulk(ids)
    missing = [i for i in ids if i not in objects]
    if missing:
        raise MergeError(f"No {kind} with id {', '.join(map(str, missing))}.")
    return [objects[i] for i in ids]


def can_merge(user: Any, records: list[models.Model]) -> bool:
    """The account's team or a data steward: the user must be able to change every record."""
    return all(access.can_change(user, r) for r in records)


def _account_of(obj: models.Model) -> Account:
    return obj if isinstance(obj, Account) else obj.account  # type: ignore[attr-defined]


def preview(kind: str, survivor_id: int, other_ids: list[int]) -> Preview:
    if not other_ids:
        raise MergeError("Name at least one record to merge into the survivor.")
    if survivor_id in other_ids or len(set(other_ids)) != len(other_ids):
        raise MergeError("Each record may be named once, and the survivor is not merged away.")
    records = _load(kind, [survivor_id, *other_ids])
    survivor, others = records[0], records[1:]
    counts: dict[str, int] = {}
    for model, field in links_to(type(survivor)):
        n = model._default_manager.filter(**{f"{field.attname}__in": other_ids}).count()
        if n:
            label = str(model._meta.verbose_name_plural)
            counts[label] = counts.get(label, 0) + n
    return Preview(kind, survivor, others, survivorship.decide(kind, survivor, others), counts)


@transaction.atomic
def merge(
    kind: str,
    survivor_id: int,
    other_ids: list[int],
    *,
    user: Any = None,
    automatic: bool = False,
    check: bool = True,
) -> Merge:
    plan = preview(kind, survivor_id, other_ids)
    survivor, others = plan.survivor, plan.others
    if check and not can_merge(user, [survivor, *others]):
        raise access.PermissionDenied(
            "Only the account's team or a data steward may merge these records."
        )
    model = type(survivor)
    record = Merge(
        kind=kind,
        survivor_id=survivor.pk,
        merged_ids=list(other_ids),
        survivor_before=row_of(survivor),
        merged_rows=[row_of(o) for o in others],
        decisions=[d.as_dict() for d in plan.decisions],
        lost=[d.as_dict() for d in plan.decisions if d.lost],
        automatic=automatic,
        merged_by=user if user is not None and user.is_authenticated else None,
        team_id=_account_of(survivor).team_id,
        survivor_name=str(survivor)[:255],
    )
    moved: list[list[Any]] = []
    set_aside: list[dict[str, Any]] = []
    # Figures kept from these records' links (deals' segments) follow the merge.
    with bulk_change(model, [survivor.pk, *other_ids]):
        for link_model, field in links_to(model):
            manager = link_model._default_manager
            for row in manager.filter(**{f"{field.attname}__in": other_ids}):
                old = getattr(row, field.attname)
                try:
                    with transaction.atomic():
                        manager.filter(pk=row.pk).update(**{field.attname: survivor.pk})
                    moved.append([link_model._meta.label, row.pk, field.attname, old])
                except IntegrityError:
                    set_aside.append({"model": link_model._meta.label, "row": row_of(row)})
                    manager.filter(pk=row.pk).delete()
        for decision in plan.decisions:
            if decision.changed:
                setattr(survivor, decision.field, decision.value)
        changed = [d.field for d in plan.decisions if d.changed]
        if changed:
            model._default_manager.filter(pk=survivor.pk).update(
                **{f: getattr(survivor, f) for f in changed}
            )
    record.moved = moved
    record.set_aside = set_aside
    closed = DuplicatePair.objects.filter(kind=kind, status=DuplicatePair.Status.OPEN).filter(
        models.Q(left_id__in=other_ids) | models.Q(right_id__in=other_ids)
    )
    record.pairs = list(closed.values_list("pk", flat=True))
    record.save()
    closed.update(status=DuplicatePair.Status.MERGED, decided_by=record.merged_by, decided_at=now())
    aliases = [
        SourceAlias(
            kind=kind,
            source=o.source,  # type: ignore[attr-defined]
            external_id=o.external_id,  # type: ignore[attr-defined]
            target_id=survivor.pk,
            merge=record,
        )
        for o in others
        if getattr(o, "external_id", "")
    ]
    # Aliases that pointed at a merged-away record now point at the survivor.
    SourceAlias.objects.filter(kind=kind, target_id__in=other_ids).update(target_id=survivor.pk)
    SourceAlias.objects.bulk_create(aliases, ignore_conflicts=True)
    model._default_manager.filter(pk__in=other_ids).delete()
    MergeEvent.objects.create(
        merge=record,
        action=MergeEvent.Action.MERGED,
        user=record.merged_by,
        summary=f"{len(others)} into {record.survivor_name}; {len(moved)} links moved"
        + (" (automatic)" if automatic else ""),
    )
    return record


def now() -> dt.datetime:
    return timezone.now()


@transaction.atomic
def unmerge(merge_id: int, *, user: Any = None, check: bool = True) -> Merge:
    record = Merge.objects.select_for_update().filter(pk=merge_id).first()
    if record is None:
        raise MergeError(f"No merge with id {merge_id}.")
    if record.undone:
        raise MergeError(f"Merge {merge_id} was already undone on {record.undone_at:%Y-%m-%d}.")
    model = MODELS[record.kind]
    survivor = model._default_manager.filter(pk=record.survivor_id).first()
    if survivor is None:
        raise MergeError("The surviving record no longer exists, so the merge cannot be undone.")
    later = Merge.objects.filter(
        kind=record.kind, undone_at__isnull=True, created_at__gt=record.created_at
    ).filter(survivor_id=record.survivor_id)
    if later.exists():
        raise MergeError(
            f"Undo merge {later.first().pk} first: it merged more records into the same survivor."  # type: ignore[union-attr]
        )
    if check and not can_merge(user, [survivor]):
        raise access.PermissionDenied(
            "Only the account's team or a data steward may undo this merge."
        )
    with bulk_change(model, [record.survivor_id, *record.merged_ids]):
        for row in record.merged_rows:
            _insert_row(model, row)
        for label, pk, attname, old in record.moved:
            link_model = apps.get_model(label)
            link_model._default_manager.filter(pk=pk, **{attname: record.survivor_id}).update(
                **{attname: old}
            )
        for entry in record.set_aside:
            _insert_row(apps.get_model(entry["model"]), entry["row"])
        before = {k: decode(v) for k, v in record.survivor_before.items()}
        before.pop(model._meta.pk.attname, None)
        model._default_manager.filter(pk=record.survivor_id).update(**before)
    record.aliases.all().delete()
    DuplicatePair.objects.filter(pk__in=record.pairs).update(
        status=DuplicatePair.Status.OPEN, decided_by=None, decided_at=None
    )
    record.undone_at = now()
    record.undone_by = user if user is not None and user.is_authenticated else None
    record.save(update_fields=["undone_at", "undone_by"])
    MergeEvent.objects.create(
        merge=record,
        action=MergeEvent.Action.UNMERGED,
        user=record.undone_by,
        summary=f"{len(record.merged_rows)} records restored beside {record.survivor_name}",
    )
    return record
