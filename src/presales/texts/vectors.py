"""Reading vectors: nearest texts to a query vector.

Two paths with one result: on PostgreSQL with the pgvector extension installed, the database
orders by cosine distance (``texts_pgvector``, kept beside ``TextVector`` by the indexer);
everywhere else the vectors of the current model are held in one in-memory float32 matrix per
process and a query is one matrix-vector product. The matrix is reloaded when the vectors
change: at once in the process that wrote them, within ``RECHECK_SECONDS`` in the others.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Count, Max, QuerySet

from presales.texts import embedding
from presales.texts.models import TextVector

RECHECK_SECONDS = 2.0


@dataclass
class Matrix:
    ids: np.ndarray  # int64, sorted
    vectors: np.ndarray  # float32, one row per id
    stamp: tuple[Any, ...]

    def rows_for(self, ids: np.ndarray) -> np.ndarray:
        positions = np.searchsorted(self.ids, ids)
        positions = np.clip(positions, 0, max(len(self.ids) - 1, 0))
        found = self.ids[positions] == ids if len(self.ids) else np.zeros(len(ids), dtype=bool)
        return positions[found]


_lock = threading.Lock()
_state: dict[str, Any] = {"matrix": None, "checked": 0.0}


def invalidate() -> None:
    with _lock:
        _state["matrix"] = None
        _state["checked"] = 0.0


def _stamp() -> tuple[Any, ...]:
    agg = TextVector.objects.filter(model_name=embedding.model_name()).aggregate(
        n=Count("pk"), last=Max("encoded_at")
    )
    return (connection.alias, connection.settings_dict["NAME"], agg["n"], agg["last"])


def matrix() -> Matrix:
    now = time.monotonic()
    cached: Matrix | None = _state["matrix"]
    if cached is not None and now - _state["checked"] < RECHECK_SECONDS:
        return cached
    stamp = _stamp()
    if cached is not None and cached.stamp == stamp:
        _state["checked"] = now
        return cached
    rows = (
        TextVector.objects.filter(model_name=embedding.model_name())
        .order_by("text_id")
        .values_list("text_id", "vector")
    )
    ids: list[int] = []
    chunks: list[bytes] = []
    for text_id, blob in rows.iterator(5000):
        ids.append(text_id)
        chunks.append(bytes(blob))
    vectors = (
        np.frombuffer(b"".join(chunks), dtype=np.float32).reshape(len(ids), -1)
        if ids
        else np.zeros((0, embedding.DIMENSIONS), dtype=np.float32)
    )
    loaded = Matrix(np.asarray(ids, dtype=np.int64), vectors, stamp)
    with _lock:
        _state["matrix"] = loaded
        _state["checked"] = now
    return loaded


def pgvector_enabled() -> bool:
    """Whether the migration found pgvector and made ``texts_pgvector`` (checked once)."""
    if connection.vendor != "postgresql":
        return False
    key = f"pgvector:{connection.settings_dict['NAME']}"
    if key not in _state:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('texts_pgvector') IS NOT NULL")
            row = cursor.fetchone()
            _state[key] = bool(row and row[0])
    return bool(_state[key])


def vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"


def id_filter_sql(
    allowed: QuerySet[Any] | None, *, column: str, keyword: str
) -> tuple[str, list[Any]]:
    """``WHERE/AND column IN (<allowed's SQL>)`` and its parameters, or nothing for None.

    The subquery is Django's own SQL for the permission filter; every value stays a bound
    parameter, so the raw queries built with it are safe.
    """
    if allowed is None:
        return "", []
    sub, params = allowed.values("pk").query.sql_with_params()
    return f"{keyword} {column} IN ({sub})", list(params)


def _top(scores: np.ndarray, ids: np.ndarray, k: int) -> list[tuple[int, float]]:
    if len(scores) == 0:
        return []
    k = min(k, len(scores))
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.argsort(-scores[best], kind="stable")]
    return [(int(ids[i]), float(scores[i])) for i in best]


def nearest(
    query: np.ndarray,
    *,
    allowed: QuerySet[Any] | None,
    k: int,
    minimum: float = -1.0,
    allowed_ids: np.ndarray | None = None,
) -> list[tuple[int, float]]:
    """The ``k`` text ids closest to ``query`` by cosine, best first, with their similarity.

    ``allowed`` is a queryset of texts the caller may see (after filters); None means all.
    ``allowed_ids`` may carry the same ids already fetched (sorted), to spare a query.
    """
    if pgvector_enabled():
        hits = _nearest_pgvector(query, allowed=allowed, k=k)
    else:
        if allowed is not None and allowed_ids is None:
            allowed_ids = allowed_id_array(allowed)
        hits = _nearest_matrix(query, allowed_ids=allowed_ids, k=k)
    return [(pk, score) for pk, score in hits if score >= minimum]


def allowed_id_array(allowed: QuerySet[Any]) -> np.ndarray:
    """The sorted ids of a queryset of texts. One query: SQLite plans ``pk IN (list) AND
    <permission subqueries>`` badly (seconds on 50,000 texts), a plain id list it does fast."""
    ids = np.fromiter(allowed.values_list("pk", flat=True), dtype=np.int64)
    ids.sort()
    return ids


def _nearest_matrix(
    query: np.ndarray, *, allowed_ids: np.ndarray | None, k: int
) -> list[tuple[int, float]]:
    m = matrix()
    if not len(m.ids):
        return []
    if allowed_ids is None:
        return _top(m.vectors @ query.astype(np.float32), m.ids, k)
    rows = m.rows_for(allowed_ids)
    return _top(m.vectors[rows] @ query.astype(np.float32), m.ids[rows], k)


def _nearest_pgvector(
    query: np.ndarray, *, allowed: QuerySet[Any] | None, k: int
) -> list[tuple[int, float]]:
    literal = vector_literal(query)
    where, params = id_filter_sql(allowed, column="text_id", keyword="WHERE")
    sql = (
        "SELECT text_id, 1 - (embedding <=> %s::vector) FROM texts_pgvector "  # noqa: S608
        f"{where} ORDER BY embedding <=> %s::vector LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [literal, *params, literal, k])
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]


def vectors_for(text_ids: list[int]) -> dict[int, np.ndarray]:
    """The current model's vectors of these texts (those that have one)."""
    m = matrix()
    wanted = np.asarray(sorted(set(text_ids)), dtype=np.int64)
    rows = m.rows_for(wanted)
    return {int(m.ids[r]): m.vectors[r] for r in rows}
