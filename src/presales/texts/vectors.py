"""Reading vectors: nearest texts to a query vector.

Two paths with one result: on PostgreSQL with the pgvector extension installed, the database
orders by cosine distance (``texts_pgvector``, kept beside ``TextVector`` by the indexer);
everywhere else the vectors of the current model live in one shared index: a float32 matrix
and its sorted ids in two ``.npy`` files under ``PRESALES_HOME/vectors/``, memory-mapped by
every process that searches. The operating system keeps one copy of the pages for all web
processes, and a query is one matrix-vector product.

Past ``COARSE_FROM`` vectors the index also holds each vector projected on its
``COARSE_DIMENSIONS`` principal directions (a quarter of the size) and the length of what the
projection leaves out of each vector (its residual). A query first ranks every row by an
optimistic score, the projected product plus ``RESIDUAL_WEIGHT`` times the query's and the
row's residual lengths, then scores the best ``COARSE_POOL`` (or more) rows exactly with the
full vectors, and twice as many again while the best results still come from the pool's lower
half. Reading a quarter of the bytes is what makes it faster (the product is bound by
memory). The residual term matters for a text unlike the rest of the index (a note about
ships among sales notes): the directions fitted on the index say little about it, so its
projected product is low although its exact similarity may be the highest of all; its long
residual keeps it in the pool. ``benchmarks/search.py`` measures how many of the exact top
results the pool keeps, for ordinary queries and for texts unlike the index.

The files carry the stamp of the vectors they hold (how many, the newest ``encoded_at``).
A process that finds the database ahead of the files brings them up to date under a file
lock, incrementally: only vectors encoded since the stamp are read, and deleted texts are
dropped; then the new files replace the old ones atomically, so readers never see half a
file. Processes check the stamp at most every ``RECHECK_SECONDS``; the one that wrote the
vectors at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Max, QuerySet

from presales.texts import embedding
from presales.texts.models import TextVector

if TYPE_CHECKING:
    from presales.texts.visibility import Visibility

RECHECK_SECONDS = 2.0
COARSE_FROM = 20_000
# Measured on the 58,218 texts of the full demo with the 12 planted notes added (exact top 50
# of their paraphrases, of 40 ordinary queries and of 100 texts used as queries): the largest
# pool that keeps all of them, ranked by the optimistic score, was 2,269 rows with 96
# directions (5,400 with 64; 854 with 128, whose file no longer fits a 32 MB cache at 100,000
# rows). The pool grows past COARSE_POOL for the queries that need it (``Ranking._pooled``).
COARSE_DIMENSIONS = 96
COARSE_POOL = 2000
COARSE_SHARE = 50  # the pool holds at least this fraction (1/50) of the rows a reader sees
RESIDUAL_WEIGHT = 0.3
# What the coarse files hold; files written with another layout are made again.
COARSE_LAYOUT = f"{COARSE_DIMENSIONS} directions + residual lengths"


@dataclass
class Matrix:
    ids: np.ndarray  # int64, sorted
    vectors: np.ndarray  # float32, one row per id (memory-mapped)
    stamp: tuple[Any, ...]
    coarse: np.ndarray | None = None  # float32, rows by COARSE_DIMENSIONS (memory-mapped)
    projection: np.ndarray | None = None  # float32, DIMENSIONS by COARSE_DIMENSIONS
    residual: np.ndarray | None = None  # float32, per row: length of the vector off the projection

    def rows_for(self, ids: np.ndarray) -> np.ndarray:
        positions = np.searchsorted(self.ids, ids)
        positions = np.clip(positions, 0, max(len(self.ids) - 1, 0))
        found = self.ids[positions] == ids if len(self.ids) else np.zeros(len(ids), dtype=bool)
        return positions[found]


_lock = threading.Lock()
_state: dict[str, Any] = {"matrix": None, "checked": 0.0}


def _one_blas_thread() -> None:
    """Run numpy's matrix products on one thread in this process (once).

    A search is a product of the index with one vector: too small to share among threads, and
    on a few shared cores (web processes, their threads, the worker) BLAS threads spin waiting
    for each other. Measured on the 100,000-text benchmark: the projected ranking took 3.4 ms
    of CPU on one thread against 9 ms on two, the 2,000-row re-rank 1.6 ms against 8.7.
    """
    if _state.get("blas"):
        return
    _state["blas"] = True
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - comes with the meaning extra
        return
    threadpool_limits(limits=1, user_api="blas")


def invalidate() -> None:
    with _lock:
        _state["matrix"] = None
        _state["checked"] = 0.0


def _current() -> Any:
    return TextVector.objects.filter(model_name=embedding.model_name())


def _stamp() -> tuple[Any, ...]:
    """(database, how many vectors of any model, the newest ``encoded_at`` of this model).

    Two queries the database answers from its b-tree and the (model, encoded_at) index: one
    aggregate of both over the filtered rows read every row (half a second at 100,000 texts).
    A deleted text drops its vector and so the count; a re-encoded one moves the newest time.
    """
    count = TextVector.objects.count()
    last = _current().aggregate(last=Max("encoded_at"))["last"]
    return (connection.settings_dict["NAME"], count, last.isoformat() if last else None)


def index_folder() -> Path:
    return Path(settings.HOME) / "vectors"


def _paths() -> tuple[Path, Path, Path]:
    db = f"{connection.vendor}:{connection.settings_dict['NAME']}:{embedding.model_name()}"
    key = hashlib.sha256(db.encode()).hexdigest()[:16]
    folder = index_folder()
    return folder / f"{key}.ids.npy", folder / f"{key}.vectors.npy", folder / f"{key}.json"


def _coarse_paths(vectors_path: Path) -> tuple[Path, Path, Path]:
    stem = str(vectors_path).removesuffix(".vectors.npy")
    return Path(f"{stem}.coarse.npy"), Path(f"{stem}.projection.npy"), Path(f"{stem}.residual.npy")


def _fit_projection(vectors: np.ndarray) -> np.ndarray:
    """The ``COARSE_DIMENSIONS`` principal directions of (a sample of) the vectors."""
    sample = np.asarray(vectors[:: max(1, len(vectors) // 50_000)], dtype=np.float64)
    sample = sample - sample.mean(axis=0)
    _, directions = np.linalg.eigh(sample.T @ sample)
    return np.ascontiguousarray(directions[:, ::-1][:, :COARSE_DIMENSIONS], dtype=np.float32)


def _read_stamp(meta: Path) -> tuple[Any, ...] | None:
    try:
        return tuple(json.loads(meta.read_text())["stamp"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _coarse_stale(meta: Path) -> bool:
    """Whether the index is large enough for coarse files but they have another layout."""
    try:
        written = json.loads(meta.read_text())
        return int(written["rows"]) >= COARSE_FROM and written.get("coarse") != COARSE_LAYOUT
    except (OSError, ValueError, KeyError, TypeError):
        return False


def residual_lengths(vectors: np.ndarray, coarse: np.ndarray) -> np.ndarray:
    """Per row, the length of the vector's part outside the projection's directions (they are
    orthonormal, so it is what Pythagoras leaves of the full length)."""
    full = np.einsum("ij,ij->i", vectors, vectors, dtype=np.float64)
    kept = np.einsum("ij,ij->i", coarse, coarse, dtype=np.float64)
    return np.sqrt(np.maximum(full - kept, 0.0)).astype(np.float32)


def _open(ids_path: Path, vectors_path: Path, stamp: tuple[Any, ...]) -> Matrix:
    ids = np.load(ids_path, mmap_mode="r")
    vectors = np.load(vectors_path, mmap_mode="r")
    coarse_path, projection_path, residual_path = _coarse_paths(vectors_path)
    coarse = projection = residual = None
    if len(ids) >= COARSE_FROM and all(
        p.exists() for p in (coarse_path, projection_path, residual_path)
    ):
        coarse = np.load(coarse_path, mmap_mode="r")
        projection = np.load(projection_path)
        residual = np.load(residual_path)
        if (
            coarse.shape != (len(ids), projection.shape[1])
            or residual.shape != (len(ids),)
            or projection.shape[1] != COARSE_DIMENSIONS
        ):  # written by another build: use the exact path
            coarse = projection = residual = None
    return Matrix(np.asarray(ids), vectors, stamp, coarse, projection, residual)


def _save_coarse(vectors_path: Path, vectors: np.ndarray, fitted_rows: int) -> int:
    """Write the projected matrix; the directions are fitted again when the index has doubled
    since they were (or never were). How many rows the directions in use were fitted on."""
    coarse_path, projection_path, residual_path = _coarse_paths(vectors_path)
    if len(vectors) < COARSE_FROM:
        return 0
    projection = None
    if projection_path.exists() and fitted_rows > 0 and len(vectors) <= 2 * fitted_rows:
        projection = np.load(projection_path)
    if projection is None or projection.shape[1] != COARSE_DIMENSIONS:
        projection, fitted_rows = _fit_projection(vectors), len(vectors)
        _save(projection_path, projection)
    coarse = np.ascontiguousarray(vectors @ projection, dtype=np.float32)
    _save(residual_path, residual_lengths(vectors, coarse))
    _save(coarse_path, coarse)
    return fitted_rows


def _write_meta(meta: Path, stamp: tuple[Any, ...], rows: int, fitted: int) -> None:
    layout = {"coarse": COARSE_LAYOUT} if fitted else {}
    meta.write_text(
        json.dumps({"stamp": list(stamp), "rows": rows, "fitted_rows": fitted, **layout})
    )


def _read_fitted(meta: Path) -> int:
    try:
        return int(json.loads(meta.read_text()).get("fitted_rows", 0))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0


def _rows(queryset: Any) -> tuple[np.ndarray, np.ndarray]:
    ids: list[int] = []
    chunks: list[bytes] = []
    for text_id, blob in (
        queryset.order_by("text_id").values_list("text_id", "vector").iterator(5000)
    ):
        ids.append(text_id)
        chunks.append(bytes(blob))
    vectors = (
        np.frombuffer(b"".join(chunks), dtype=np.float32).reshape(len(ids), -1)
        if ids
        else np.zeros((0, embedding.DIMENSIONS), dtype=np.float32)
    )
    return np.asarray(ids, dtype=np.int64), vectors


def _save(path: Path, array: np.ndarray) -> None:
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    with temporary.open("wb") as handle:
        np.save(handle, array)
    os.replace(temporary, path)


def _rebuild(stamp: tuple[Any, ...]) -> Matrix:
    """Bring the index files up to ``stamp`` (another process may have done it already)."""
    ids_path, vectors_path, meta = _paths()
    ids_path.parent.mkdir(parents=True, exist_ok=True)
    with (ids_path.parent / "index.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            written = _read_stamp(meta)
            if written == stamp and _coarse_stale(meta):
                # Same vectors, coarse files of an earlier layout: make them again from the file.
                current = np.load(vectors_path, mmap_mode="r")
                fitted = _save_coarse(vectors_path, current, _read_fitted(meta))
                _write_meta(meta, stamp, len(current), fitted)
            if written == stamp:
                return _open(ids_path, vectors_path, stamp)
            old_ids = np.zeros(0, dtype=np.int64)
            old_vectors = np.zeros((0, embedding.DIMENSIONS), dtype=np.float32)
            changed = _current()
            if written is not None and written[2] is not None and ids_path.exists():
                old_ids = np.load(ids_path)
                old_vectors = np.load(vectors_path, mmap_mode="r")
                changed = changed.filter(encoded_at__gte=written[2])
            new_ids, new_vectors = _rows(changed)
            keep = ~np.isin(old_ids, new_ids)
            if len(old_ids) and int(keep.sum()) + len(new_ids) != stamp[1]:
                present = np.fromiter(_current().values_list("text_id", flat=True), np.int64)
                keep &= np.isin(old_ids, present)
            ids = np.concatenate([old_ids[keep], new_ids])
            vectors = np.concatenate([np.asarray(old_vectors[keep]), new_vectors])
            order = np.argsort(ids, kind="stable")
            ordered = np.ascontiguousarray(vectors[order], dtype=np.float32)
            fitted = _save_coarse(vectors_path, ordered, _read_fitted(meta))
            _save(ids_path, ids[order])
            _save(vectors_path, ordered)
            _write_meta(meta, stamp, len(ids), fitted)
            return _open(ids_path, vectors_path, stamp)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def matrix() -> Matrix:
    """The shared index of the current model's vectors, brought up to date if needed."""
    _one_blas_thread()
    now = time.monotonic()
    cached: Matrix | None = _state["matrix"]
    if cached is not None and now - _state["checked"] < RECHECK_SECONDS:
        return cached
    stamp = _stamp()
    if cached is not None and cached.stamp == stamp:
        _state["checked"] = now
        return cached
    ids_path, vectors_path, meta = _paths()
    if _read_stamp(meta) == stamp and ids_path.exists() and not _coarse_stale(meta):
        loaded = _open(ids_path, vectors_path, stamp)
    else:
        loaded = _rebuild(stamp)
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
        positions, scores = Ranking(m, query).best(k)
        return list(zip(m.ids[positions].tolist(), scores.tolist(), strict=True))
    rows = m.rows_for(allowed_ids)
    return _top(m.vectors[rows] @ query.astype(np.float32), m.ids[rows], k)


class Ranking:
    """The rows of the shared index best first for one query, computed as deep as asked.

    With the projected matrix, the best ``max(4 n, COARSE_POOL, rows / COARSE_SHARE)`` rows by
    the optimistic score (``optimistic``) are scored exactly and ranked (among the reader's
    rows alone when they see less than half of the index), the pool doubling while it has to
    (``_pooled``); asking deeper than a quarter of that pool ranks again from a pool four
    times larger, and when the pool would hold every row the reader sees, or grows past what
    ``_pooled`` allows, each is scored exactly.
    """

    def __init__(
        self,
        m: Matrix,
        query: np.ndarray,
        minimum: float = -1.0,
        mask: np.ndarray | None = None,
    ) -> None:
        self.m = m
        self.query = np.asarray(query, dtype=np.float32)
        self.minimum = minimum
        # Rows the reader may see (None: all): the others are never ranked.
        self.mask = mask
        self.rows = None if mask is None else np.flatnonzero(mask)
        self.pool = 0
        self.exact = False
        self.positions = np.zeros(0, dtype=np.int64)
        self.scores = np.zeros(0, dtype=np.float32)

    def optimistic(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Per row (all, or ``rows``): the projected product plus ``RESIDUAL_WEIGHT`` times
        the lengths of the query's and the row's parts off the projection.

        The exact similarity is the projected product plus the product of those two parts;
        the second is at most the product of their lengths. A row the directions describe
        badly (long residual) gets the benefit of the doubt in proportion."""
        m = self.m
        assert m.coarse is not None and m.projection is not None and m.residual is not None
        projected = self.query @ m.projection
        off = float(np.sqrt(max(float(self.query @ self.query - projected @ projected), 0.0)))
        if rows is None:
            scores = m.coarse @ projected
            scores += np.float32(RESIDUAL_WEIGHT * off) * m.residual
        else:
            scores = np.asarray(m.coarse).take(rows, axis=0) @ projected
            scores += np.float32(RESIDUAL_WEIGHT * off) * m.residual[rows]
        return scores

    def _fill(self, n: int) -> None:
        m = self.m
        rows = len(m.ids) if self.rows is None else len(self.rows)
        pool = max(4 * n, COARSE_POOL, rows // COARSE_SHARE)
        found = None
        if m.coarse is not None and m.projection is not None and m.residual is not None:
            if rows > pool and self.rows is not None and 2 * rows < len(m.ids):
                # A reader who sees less than half the index: only their rows are ranked.
                found = self._pooled(self.optimistic(self.rows), self.rows, pool, n, rows)
            elif rows > pool:
                approximate = self.optimistic()
                if self.mask is not None:
                    approximate[~self.mask] = -np.inf
                found = self._pooled(approximate, None, pool, n, rows)
        if found is not None:
            positions, scores, pool = found
        elif self.rows is None:
            scores, positions = m.vectors @ self.query, np.arange(len(m.ids))
            self.exact = True
        elif 2 * rows < len(m.ids):
            positions = self.rows
            scores = np.asarray(m.vectors[positions]) @ self.query
            self.exact = True
        else:
            positions = self.rows
            scores = (m.vectors @ self.query)[positions]
            self.exact = True
        self.pool = pool
        keep = np.flatnonzero(scores >= self.minimum)
        self.positions, self.scores = positions[keep], scores[keep]

    def _pooled(
        self, approximate: np.ndarray, candidates: np.ndarray | None, pool: int, n: int, rows: int
    ) -> tuple[np.ndarray, np.ndarray, int] | None:
        """Score exactly the best ``pool`` rows by ``approximate`` (of ``candidates``, or of
        the whole index); while one of the best ``n`` found comes from the pool's lower half,
        the edge of the pool is still giving results: double it (scoring only the rows added).
        None once it would pass an eighth of the index (half the reader's rows when only those
        are ranked): scoring every row is then about as cheap as fetching that many rows one
        by one (a full pass reads the file in order, faster than rows here and there).

        Positions in the index (sorted), their exact similarities, and the pool's final size.
        """
        from presales.texts.visibility import top_order

        full = np.asarray(self.m.vectors)
        seen = np.zeros(len(approximate), dtype=bool)
        picked: list[np.ndarray] = []
        scored: list[np.ndarray] = []
        while True:
            best = np.argpartition(-approximate, pool - 1)[:pool]
            new = np.sort(best[~seen[best]])
            seen[new] = True
            picked.append(new)
            # take() on the plain view: fancy indexing of the memory map costs a third more.
            rows_new = new if candidates is None else candidates[new]
            scored.append(full.take(rows_new, axis=0) @ self.query)
            chosen, scores = np.concatenate(picked), np.concatenate(scored)
            upper = np.partition(approximate[best], pool - pool // 2)[pool - pool // 2]
            if approximate[chosen[top_order(scores, n)]].min() >= upper:
                break
            pool *= 2
            if (8 if candidates is None else 2) * pool > rows:
                return None
        positions = chosen if candidates is None else candidates[chosen]
        order = np.argsort(positions)
        return positions[order], scores[order], pool

    def best(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions in the index and similarities of the best ``n`` rows, best first."""
        from presales.texts.visibility import top_order

        if not self.pool or (not self.exact and 4 * n > self.pool):
            self._fill(n)
        order = top_order(self.scores, n)
        return self.positions[order], self.scores[order]


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


def nearest_visible(
    query: np.ndarray, *, k: int, minimum: float, visibility: Visibility
) -> list[tuple[int, float]]:
    """``nearest`` for a user, from the shared index: the rows they may not see are masked
    out before ranking (``Visibility.row_mask``), so no candidate is checked one by one."""
    m = matrix()
    if not len(m.ids):
        return []
    mask = visibility.row_mask(m.ids, m.stamp)
    positions, scores = Ranking(m, query, minimum, mask).best(k)
    return list(zip(m.ids[positions].tolist(), scores.tolist(), strict=True))


def vectors_for(text_ids: list[int]) -> dict[int, np.ndarray]:
    """The current model's vectors of these texts (those that have one)."""
    m = matrix()
    wanted = np.asarray(sorted(set(text_ids)), dtype=np.int64)
    rows = m.rows_for(wanted)
    return {int(m.ids[r]): m.vectors[r] for r in rows}
