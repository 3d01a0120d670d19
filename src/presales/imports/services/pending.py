"""References that wait for their target: a record naming an account, deal or person that
has not been imported yet keeps a ``PendingReference``; a record that cannot exist without its
target (a contact without its account) waits whole, its content kept in the reference's payload.
Each file's import ends by resolving whatever now can be."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from presales.core.signals import bulk_change
from presales.imports.models import PendingReference

if TYPE_CHECKING:
    from presales.imports.services.engine import Record, Resolver, Target
    from presales.imports.services.writer import Writer


def encode_record(record: Record) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return {"t": "dt", "v": value.isoformat()}
        if isinstance(value, date):
            return {"t": "d", "v": value.isoformat()}
        if isinstance(value, Decimal):
            return {"t": "dec", "v": str(value)}
        return value

    return {
        "kind": record.kind,
        "external_id": record.external_id,
        "values": [plain(v) for v in record.values],
        "refs": list(record.refs),
        "m2m": [list(v) for v in record.m2m],
        "digest": record.digest,
        "extra": [plain(v) for v in record.extra],
        "file": record.file,
        "line": record.line,
    }


def decode_record(payload: dict[str, Any]) -> Record:
    from presales.imports.services.engine import Record

    def typed(value: Any) -> Any:
        if isinstance(value, dict):
            kind, text = value["t"], value["v"]
            if kind == "dt":
                return datetime.fromisoformat(text)
            if kind == "d":
                return date.fromisoformat(text)
            return Decimal(text)
        return value

    return Record(
        kind=payload["kind"],
        external_id=payload["external_id"],
        values=tuple(typed(v) for v in payload["values"]),
        refs=tuple(payload["refs"]),
        m2m=tuple(tuple(v) for v in payload["m2m"]),
        digest=payload["digest"],
        extra=tuple(typed(v) for v in payload.get("extra", [])),
        file=payload.get("file", ""),
        line=payload.get("line", 0),
    )


def resolve_pending(
    *, source: str, resolver: Resolver, writers: dict[str, Writer], targets: dict[str, Target]
) -> int:
    """Fill in every waiting reference whose target now exists; parked rows go back through
    their writer. Repeats while that makes progress (a parked contact may free a parked
    activity). Returns how many references were resolved."""
    resolved_total = 0
    resolver.forget_absent()
    while True:
        waiting = list(PendingReference.objects.filter(source=source).order_by("id"))
        if not waiting:
            return resolved_total
        by_kind: dict[str, list[PendingReference]] = defaultdict(list)
        for item in waiting:
            by_kind[item.target_kind].append(item)
        done: list[int] = []
        for kind, items in by_kind.items():
            if kind not in targets:
                continue
            ids = resolver.ids(kind, (i.target_external_id for i in items))
            for item in items:
                pk = ids.get(item.target_external_id)
                if pk is None:
                    continue
                done.append(item.pk)
                if item.payload is not None:
                    continue
                _apply_reference(source, targets[item.kind], resolver, item, pk)
        parked = [
            i
            for i in waiting
            if i.payload is not None
            and i.pk in done
            and not _still_blocked(i, waiting, done)
            and i.kind in writers
        ]
        PendingReference.objects.filter(pk__in=done).delete()
        for item in parked:
            PendingReference.objects.filter(
                source=source, kind=item.kind, external_id=item.external_id
            ).delete()
            writer = writers[item.kind]
            writer.counts.pending = max(0, writer.counts.pending - 1)
            assert item.payload is not None
            writer.add(decode_record(item.payload))
        for writer in writers.values():
            writer.flush()
        resolved_total += len(done)
        if not done:
            return resolved_total


def _still_blocked(
    item: PendingReference, waiting: list[PendingReference], done: list[int]
) -> bool:
    return any(
        other.kind == item.kind
        and other.external_id == item.external_id
        and other.payload is not None
        and other.pk not in done
        for other in waiting
    )


def _apply_reference(
    source: str, target: Target, resolver: Resolver, item: PendingReference, pk: int
) -> None:
    own = resolver.ids(target.kind, [item.external_id]).get(item.external_id)
    if own is None:
        return
    model = target.model
    if item.field.startswith("+"):
        name = item.field[1:].split(":", 1)[0]
        relation = model._meta.get_field(name)
        getattr(model._default_manager.get(pk=own), relation.name).add(pk)
        return
    with bulk_change(model, [own]):
        model._default_manager.filter(pk=own).update(**{item.field: pk})
