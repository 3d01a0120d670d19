"""The write path of every import: records in, upserts out, in large batches.

Per batch of records of one object type the engine makes one query for the existing objects
(their ids and the digest of their content as last imported), sorts the records into new,
changed and unchanged, resolves references to other objects (cached per run), then writes the
new ones with one ``executemany`` insert and the changed ones with one ``executemany`` update.
Unchanged records cost one dictionary look-up, which is why a re-import is cheap. References
whose target has not arrived wait in ``PendingReference`` and are resolved when it does.

The ORM builds the statements' names (tables, columns) but per-row model instances would cost
more than the whole rest of the import, so rows travel as tuples.

Here: what a record and an object type are, the look-ups by external id and the per-run cache
of them; ``writer.Writer`` does the writing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Model

from presales.imports.models import ImportedRecord
from presales.imports.services.sql import (
    LIST_CHUNK,
    LOOKUP_CHUNK,
    chunks,
    is_sqlite,
    one_of,
    quoted,
)

__all__ = ["Counts", "Record", "Ref", "Resolver", "Target", "chunks", "digest_of", "lookup"]


def digest_of(cells: Iterable[str], salt: str = "") -> str:
    text = salt + "\x1f" + "\x1f".join(cells)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Ref:
    """A foreign key the record fills from another record's external id."""

    field: str
    kind: str
    required: bool = False


@dataclass(frozen=True)
class Target:
    """An object type imports write: which model, which columns the records carry (in order),
    which references and many-to-many relations they name by external id.

    ``identity`` says where the (source, external id) identity lives: on the model itself
    (``model``) or, for objects that have no such fields or are matched by name (users,
    products), only in ``ImportedRecord`` (``record``).
    """

    kind: str
    model: type[Model]
    columns: tuple[str, ...]
    refs: tuple[Ref, ...] = ()
    m2m: tuple[tuple[str, str], ...] = ()
    identity: str = "model"


@dataclass(slots=True)
class Record:
    kind: str
    external_id: str
    values: tuple[Any, ...]
    refs: tuple[str, ...] = ()
    m2m: tuple[tuple[str, ...], ...] = ()
    digest: str = ""
    file: str = ""
    line: int = 0
    extra: tuple[Any, ...] = ()


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    pending: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "pending": self.pending,
        }


class Resolver:
    """External id → local id per object type, cached for the run."""

    def __init__(self, source: str, targets: dict[str, Target]) -> None:
        self.source = source
        self.targets = targets
        self.cache: dict[str, dict[str, int]] = defaultdict(dict)
        self.absent: dict[str, set[str]] = defaultdict(set)
        self._named: set[str] | None = None

    def remember(self, kind: str, pairs: Iterable[tuple[str, int]]) -> None:
        known = self.cache[kind]
        absent = self.absent[kind]
        for ext, pk in pairs:
            known[ext] = pk
            absent.discard(ext)

    def referenced(self, kind: str) -> bool:
        """Whether another object type names objects of ``kind`` (only those are worth keeping
        in memory: a million activities that nothing points at are not)."""
        named = self._named
        if named is None:
            named = self._named = {
                k
                for t in self.targets.values()
                for k in (*(r.kind for r in t.refs), *(m for _, m in t.m2m))
            }
        return kind in named

    def forget_absent(self) -> None:
        self.absent.clear()

    def ids(self, kind: str, external_ids: Iterable[str]) -> dict[str, int]:
        known = self.cache[kind]
        absent = self.absent[kind]
        wanted = [e for e in set(external_ids) if e and e not in known and e not in absent]
        if wanted:
            found = dict(lookup(self.source, self.targets[kind], wanted, with_digest=False))
            for ext, (pk, _digest) in found.items():
                known[ext] = pk
            absent.update(e for e in wanted if e not in found)
        return known


# Other apps may answer for external ids whose object no longer exists under its own id (a
# record merged into another): ``fn(source, model, kind, external_ids)`` returns
# ``{external id: (object id, digest)}``. The import then updates that object.
ALIASES: list[Callable[..., dict[str, tuple[int, int | None]]]] = []


def lookup(
    source: str, target: Target, external_ids: Sequence[str], *, with_digest: bool = True
) -> Iterable[tuple[str, tuple[int, int | None]]]:
    """``(external id, (object id, digest))`` for the objects of ``target`` that exist."""
    seen: set[str] = set()
    for ext, found in _lookup(source, target, external_ids, with_digest=with_digest):
        seen.add(ext)
        yield ext, found
    if ALIASES and target.identity == "model":
        missing = [e for e in external_ids if e not in seen]
        for alias in ALIASES:
            yield from alias(source, target.model, target.kind, missing).items()


def _lookup(
    source: str, target: Target, external_ids: Sequence[str], *, with_digest: bool = True
) -> Iterable[tuple[str, tuple[int, int | None]]]:
    record = ImportedRecord._meta.db_table
    table = target.model._meta.db_table
    with connection.cursor() as cursor:
        for part in chunks(list(external_ids), LIST_CHUNK if is_sqlite() else LOOKUP_CHUNK):
            among, listed = one_of(part)
            if target.identity == "record":
                sql = (
                    f"SELECT r.external_id, r.object_id, r.digest FROM {quoted(record)} r "  # noqa: S608
                    f"JOIN {quoted(table)} m ON m.id = r.object_id "
                    f"WHERE r.source = %s AND r.kind = %s AND r.external_id {among}"
                )
                params: list[Any] = [source, target.kind, *listed]
            elif with_digest:
                # NOT (external_id = '') repeats the partial unique index's condition so that
                # SQLite may use that index.
                sql = (
                    f"SELECT m.external_id, m.id, r.digest FROM {quoted(table)} m "  # noqa: S608
                    f"LEFT JOIN {quoted(record)} r ON r.source = m.source AND r.kind = %s "
                    "AND r.external_id = m.external_id "
                    f"WHERE m.source = %s AND NOT (m.external_id = '') "
                    f"AND m.external_id {among}"
                )
                params = [target.kind, source, *listed]
            else:
                sql = (
                    f"SELECT m.external_id, m.id, NULL FROM {quoted(table)} m "  # noqa: S608
                    f"WHERE m.source = %s AND NOT (m.external_id = '') "
                    f"AND m.external_id {among}"
                )
                params = [source, *listed]
            cursor.execute(sql, params)
            for ext, pk, digest in cursor.fetchall():
                yield ext, (pk, digest)
