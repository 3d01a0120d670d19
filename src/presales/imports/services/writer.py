"""Upserts of one object type, a batch at a time (see ``engine`` for the whole write path).

Per batch: one query for the existing objects and their digests, the records sorted into new,
changed and unchanged, references resolved, then the new ones written with one ``executemany``
(COPY on PostgreSQL) per table (the object's, the digests', each many-to-many link table) and
the changed ones with one ``executemany`` update.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from presales.core.signals import bulk_change
from presales.imports.models import ImportedRecord, PendingReference, digest_number
from presales.imports.services.bulk import ROWS_LEDGER, IndexDeferral
from presales.imports.services.engine import Counts, Record, Ref, Resolver, Target, lookup
from presales.imports.services.pending import encode_record
from presales.imports.services.sql import (
    allocate_ids,
    chunks,
    converter_for,
    insert_links,
    insert_rows,
    is_sqlite,
    quoted,
    sqlite_datetime,
)

__all__ = ["BATCH", "Writer"]

# Records a writer gathers before it writes them.
BATCH = 5000


@dataclass
class Writer:
    """Upserts the records of one object type for one source, a batch at a time."""

    source: str
    target: Target
    resolver: Resolver
    counts: Counts
    hooks: list[Callable[[list[tuple[int, Record]]], None]] = field(default_factory=list)
    has_pending: bool = False
    on_reject: Callable[[Record, str, str], None] | None = None
    on_warn: Callable[[Record, str, str], None] | None = None
    buffer: list[Record] = field(default_factory=list)

    def __post_init__(self) -> None:
        model = self.target.model
        refs = tuple(r.field for r in self.target.refs)
        own = (*self.target.columns, *refs)
        self._own = own
        converters = [converter_for(model, c) for c in self.target.columns]
        self._converters = [(i, conv) for i, conv in enumerate(converters) if conv is not None]
        meta_fields = {f.attname: f for f in model._meta.concrete_fields}
        self._timestamps = [n for n in ("created_at", "updated_at") if n in meta_fields]
        self._sourced = "source" in meta_fields and self.target.identity == "model"
        skip = {"id", *own, *self._timestamps, "source", "external_id"}
        self._defaults = {
            name: f.get_default() for name, f in meta_fields.items() if name not in skip
        }
        self._deferral = IndexDeferral.for_model(model, tuple(n for n, _ in self.target.m2m))

    def add(self, record: Record) -> None:
        self.buffer.append(record)
        if len(self.buffer) >= BATCH:
            self.flush()

    def add_many(self, records: list[Record]) -> None:
        """A batch the caller has already read and checked, written at once."""
        self.buffer.extend(records)
        if len(self.buffer) >= BATCH:
            self.flush()

    def expect(self, rows: int) -> None:
        """How many rows the file being read is likely to hold (from its size and the rows read
        so far), so that a large load sets its indexes aside from its first batch on."""
        self._deferral.expected = rows

    def flush(self) -> None:
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        self._deferral.seen += len(batch)
        existing = dict(lookup(self.source, self.target, [r.external_id for r in batch]))
        new: list[Record] = []
        changed: list[tuple[int, Record]] = []
        if existing:
            get = existing.get
            number = digest_number
            unchanged = 0
            for record in batch:
                found = get(record.external_id)
                if found is None:
                    new.append(record)
                elif found[1] == number(record.digest):
                    unchanged += 1
                else:
                    changed.append((found[0], record))
            self.counts.unchanged += unchanged
        else:
            new = batch
        if not new and not changed:
            return
        waiting: list[PendingReference] = []
        if self.has_pending:
            # Whatever waited for these records is superseded by their new content.
            self._drop_pending([r.external_id for r in new] + [r.external_id for _, r in changed])
        fk = self._resolve_refs([*new, *(r for _, r in changed)], waiting)
        if len(fk) < len(new) + len(changed):
            new = [r for r in new if r.external_id in fk]
            changed = [(pk, r) for pk, r in changed if r.external_id in fk]
        if self._set_aside(len(new)):
            # A large load: the figures kept from these rows are computed again at its end.
            self._write(new, changed, fk, waiting)
            return
        # Figures kept from these rows (the team's weekly totals) follow the batch.
        with bulk_change(self.target.model, [pk for pk, _ in changed]) as ids:
            inserted = self._write(new, changed, fk, waiting)
            ids += [pk for pk, _ in inserted]

    def _write(
        self,
        new: list[Record],
        changed: list[tuple[int, Record]],
        fk: dict[str, tuple[int | None, ...]],
        waiting: list[PendingReference],
    ) -> list[tuple[int, Record]]:
        inserted = self._insert(new, fk, waiting)
        self._update(changed, fk)
        if changed:
            self._write_m2m(changed, changed_ids=[pk for pk, _ in changed], waiting=waiting)
        if waiting:
            PendingReference.objects.bulk_create(waiting, ignore_conflicts=True)
        if self.hooks:
            written = [*inserted, *changed]
            for hook in self.hooks:
                hook(written)
        return inserted

    def _set_aside(self, coming: int) -> bool:
        """Whether this batch goes in without ``rows_changed``: its run set the model's kept
        figures aside already, or this file is a large load (its projected new rows are at
        least half the table's), and the run may set them aside (see ``bulk.ROWS_LEDGER``)."""
        ledger = ROWS_LEDGER.get()
        model = self.target.model
        if ledger is None:
            return False
        if model in ledger.models:
            return True
        if coming and self._deferral.large(coming):
            ledger.add(model)
            return True
        return False

    def finish(self, *, restore: bool = True) -> IndexDeferral:
        """The end of a file: indexes set aside for a large load are built again, unless the
        caller builds them at the end of the run (returned for that)."""
        self.flush()
        if restore:
            self._deferral.restore()
        return self._deferral

    def _resolve_refs(
        self, records: list[Record], waiting: list[PendingReference]
    ) -> dict[str, tuple[int | None, ...]]:
        """The foreign key ids of each record that can be written; a record whose required
        target is missing is parked as a whole and left out."""
        refs = self.target.refs
        if not refs:
            return {r.external_id: () for r in records}
        ids = [
            self.resolver.ids(ref.kind, (r.refs[i] for r in records)) for i, ref in enumerate(refs)
        ]
        result: dict[str, tuple[int | None, ...]] = {}
        if len(refs) == 1:
            (get,) = [found.get for found in ids]
            for record in records:
                (wanted,) = record.refs
                pk = get(wanted) if wanted else None
                if pk is not None or not wanted:
                    result[record.external_id] = (pk,)
                else:
                    self._park(record, refs, ids, waiting, result)
            return result
        getters = [found.get for found in ids]
        for record in records:
            # Empty references are never keys, so they come out None as they should.
            pks = tuple([get(wanted) for get, wanted in zip(getters, record.refs, strict=True)])
            if None not in pks or all(
                pk is not None or not w for pk, w in zip(pks, record.refs, strict=True)
            ):
                result[record.external_id] = pks
            else:
                self._park(record, refs, ids, waiting, result)
        return result

    def _park(
        self,
        record: Record,
        refs: tuple[Ref, ...],
        ids: list[dict[str, int]],
        waiting: list[PendingReference],
        result: dict[str, tuple[int | None, ...]],
    ) -> None:
        """A record naming something not imported yet: each missing target is waited for; the
        record is written without it, or not at all when it cannot exist without it."""
        values: list[int | None] = []
        parked = False
        for i, ref in enumerate(refs):
            wanted = record.refs[i]
            pk = ids[i].get(wanted) if wanted else None
            if wanted and pk is None:
                waiting.append(self._pending(record, ref.field, ref.kind, wanted, ref.required))
                if ref.required:
                    parked = True
            values.append(pk)
        if parked:
            self.counts.pending += 1
        else:
            result[record.external_id] = tuple(values)

    def _pending(
        self, record: Record, name: str, kind: str, wanted: str, park: bool
    ) -> PendingReference:
        return PendingReference(
            source=self.source,
            kind=self.target.kind,
            external_id=record.external_id,
            field=name,
            target_kind=kind,
            target_external_id=wanted,
            payload=encode_record(record) if park else None,
            file=record.file,
            line=record.line,
        )

    def _drop_pending(self, external_ids: list[str]) -> None:
        for part in chunks(external_ids):
            PendingReference.objects.filter(
                source=self.source, kind=self.target.kind, external_id__in=part
            ).delete()

    def _values(self, record: Record) -> list[Any]:
        values = list(record.values)
        for i, conv in self._converters:
            values[i] = conv(values[i])
        return values

    def _insert(
        self,
        records: list[Record],
        fk: dict[str, tuple[int | None, ...]],
        waiting: list[PendingReference],
    ) -> list[tuple[int, Record]]:
        """New records in one pass: each gives its row, its digest's row and its many-to-many
        links, and each list goes in with one statement."""
        if not records:
            return []
        model = self.target.model
        self._deferral.inserting(len(records))
        ids = allocate_ids(model, len(records))
        now = timezone.now()
        stamp = sqlite_datetime(now) if is_sqlite() else now
        columns = ["id", *self._own, *self._defaults, *self._timestamps]
        extra = (*self._defaults.values(), *[stamp] * len(self._timestamps))
        if self._sourced:
            columns += ["source", "external_id"]
            extra = (*extra, self.source)
        sourced = self._sourced
        converters = self._converters
        source, kind = self.source, self.target.kind
        relations = self._relations()
        targets = [
            self.resolver.ids(other, (e for r in records for e in r.m2m[index]))
            for index, (_name, other) in enumerate(self.target.m2m)
        ]
        links: list[list[tuple[int, int]]] = [[] for _ in relations]
        rows: list[tuple[Any, ...]] = []
        marks: list[tuple[str, str, str, int, int]] = []
        number = digest_number
        pairs = list(zip(ids, records, strict=True))
        for pk, record in pairs:
            values: Any = record.values
            if converters:
                values = list(values)
                for i, conv in converters:
                    values[i] = conv(values[i])
            external = record.external_id
            if sourced:
                rows.append((pk, *values, *fk[external], *extra, external))
            else:
                rows.append((pk, *values, *fk[external], *extra))
            marks.append((source, kind, external, pk, number(record.digest)))
            for index, named in enumerate(record.m2m):
                if not named:
                    continue
                # Nearly always one name, already imported: one look-up.
                if len(named) == 1 and (other := targets[index].get(named[0])) is not None:
                    links[index].append((pk, other))
                else:
                    self._link(pk, record, index, named, targets[index], links[index], waiting)
        insert_rows(model._meta.db_table, columns, rows)
        insert_rows(
            ImportedRecord._meta.db_table,
            ["source", "kind", "external_id", "object_id", "digest"],
            marks,
        )
        for (table, own_column, other_column), found in zip(relations, links, strict=True):
            insert_links(table, own_column, other_column, found)
        if self.resolver.referenced(kind):
            self.resolver.remember(kind, ((r.external_id, pk) for pk, r in pairs))
        self.counts.created += len(records)
        return pairs

    def _relations(self) -> list[tuple[str, str, str]]:
        """(link table, own column, other column) of each many-to-many relation."""
        found = []
        for name, _kind in self.target.m2m:
            relation = self.target.model._meta.get_field(name)
            through = relation.remote_field.through  # type: ignore[union-attr]
            found.append(
                (
                    through._meta.db_table,
                    relation.m2m_column_name(),  # type: ignore[union-attr]
                    relation.m2m_reverse_name(),  # type: ignore[union-attr]
                )
            )
        return found

    def _link(
        self,
        pk: int,
        record: Record,
        index: int,
        named: tuple[str, ...],
        ids: dict[str, int],
        links: list[tuple[int, int]],
        waiting: list[PendingReference],
    ) -> None:
        """The links of one record to the objects it names, or a wait for those not imported."""
        name, kind = self.target.m2m[index]
        for wanted in named if len(named) == 1 else dict.fromkeys(named):
            other = ids.get(wanted)
            if other is None:
                waiting.append(self._pending(record, f"+{name}:{wanted}", kind, wanted, park=False))
            else:
                links.append((pk, other))

    def _update(
        self, changed: list[tuple[int, Record]], fk: dict[str, tuple[int | None, ...]]
    ) -> None:
        if not changed:
            return
        model = self.target.model
        stamp = sqlite_datetime(timezone.now()) if is_sqlite() else timezone.now()
        sets = [*self._own, *(["updated_at"] if "updated_at" in self._timestamps else [])]
        assignments = ", ".join(f"{quoted(c)} = %s" for c in sets)
        tail = [stamp] if "updated_at" in self._timestamps else []
        rows = [[*self._values(r), *fk[r.external_id], *tail, pk] for pk, r in changed]
        record_table = ImportedRecord._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quoted(model._meta.db_table)} SET {assignments} WHERE id = %s",  # noqa: S608
                rows,
            )
            # Objects that exist under this source without a digest (made before digests were
            # kept, or by hand) get one now.
            keys = [r.external_id for _, r in changed]
            have: set[str] = set()
            for part in chunks(keys):
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(
                    f"SELECT external_id FROM {quoted(record_table)} "  # noqa: S608
                    f"WHERE source = %s AND kind = %s AND external_id IN ({marks})",
                    [self.source, self.target.kind, *part],
                )
                have.update(row[0] for row in cursor.fetchall())
            cursor.executemany(
                f"UPDATE {quoted(record_table)} SET digest = %s, object_id = %s "  # noqa: S608
                "WHERE source = %s AND kind = %s AND external_id = %s",
                [
                    (digest_number(r.digest), pk, self.source, self.target.kind, r.external_id)
                    for pk, r in changed
                    if r.external_id in have
                ],
            )
        missing = [(pk, r) for pk, r in changed if r.external_id not in have]
        if missing:
            insert_rows(
                record_table,
                ["source", "kind", "external_id", "object_id", "digest"],
                [
                    (self.source, self.target.kind, r.external_id, pk, digest_number(r.digest))
                    for pk, r in missing
                ],
            )
        self.counts.updated += len(changed)

    def _write_m2m(
        self,
        written: list[tuple[int, Record]],
        *,
        changed_ids: list[int],
        waiting: list[PendingReference],
    ) -> None:
        """The links of changed records: the old ones go, the named ones come back."""
        for index, (table, own_column, other_column) in enumerate(self._relations()):
            if changed_ids:
                with connection.cursor() as cursor:
                    for part in chunks(changed_ids):
                        marks = ", ".join(["%s"] * len(part))
                        cursor.execute(
                            f"DELETE FROM {quoted(table)} WHERE {quoted(own_column)} IN ({marks})",  # noqa: S608
                            list(part),
                        )
            kind = self.target.m2m[index][1]
            ids = self.resolver.ids(kind, (e for _, r in written for e in r.m2m[index]))
            links: list[tuple[int, int]] = []
            for pk, record in written:
                named = record.m2m[index]
                if named:
                    self._link(pk, record, index, named, ids, links, waiting)
            insert_links(table, own_column, other_column, links)
