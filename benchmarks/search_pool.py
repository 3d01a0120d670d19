"""The first pass of the meaning ranking (``vectors.Ranking``), for ``benchmarks/search.py``.

Past ``vectors.COARSE_FROM`` rows a query ranks every row by its projection on a few principal
directions plus a bound on the rest, and scores only the best pool exactly. This measures, on
the index the benchmark built:

- how many of the exact nearest rows (what a search asks for: 70) the pool keeps (a row tied
  with the 70th counts: texts saved twice have equal vectors), for ordinary
  queries and for texts unlike the index: the planted notes (``planted.jsonl``) encoded and
  appended to a copy of the index (projected on the directions fitted without them, as a new
  note would be), each searched with its paraphrase; and whether the note itself is kept when it
  is among the exact nearest;
- the same for the former first pass, in the same run: 64 directions (the first 64 of the
  index's, which are what fitting 64 gives), no residual term, a pool of 2,000;
- the time of the first pass and pool against scoring every row exactly (p50 over the queries).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

DEPTH = 70  # what a search asks of the meaning side: 50 candidates + a page of 20


@dataclass
class Kept:
    queries: int = 0
    share: float = 0.0  # mean share of the exact DEPTH nearest that the pool keeps
    whole: int = 0  # queries whose pool kept all of them
    notes: int = 0  # planted notes among the exact DEPTH nearest of their paraphrase
    notes_kept: int = 0  # ... that the pool kept


def _with_rows(m: Any, extra: np.ndarray) -> Any:
    """A copy of the index with ``extra`` vectors appended (projected on its directions)."""
    from presales.texts import vectors

    ids = np.concatenate([m.ids, m.ids.max() + 1 + np.arange(len(extra), dtype=np.int64)])
    stacked = np.concatenate([np.asarray(m.vectors), extra])
    coarse = residual = None
    if m.projection is not None and m.coarse is not None:
        added = np.ascontiguousarray(extra @ m.projection, dtype=np.float32)
        coarse = np.concatenate([np.asarray(m.coarse), added])
        residual = vectors.residual_lengths(stacked, coarse)
    return vectors.Matrix(ids, stacked, m.stamp, coarse, m.projection, residual)


class Former:
    """The former first pass: the projected product on 64 directions (the first 64 of the
    index's, which are what fitting 64 gives), no residual term, a fixed pool of 2,000."""

    def __init__(self, m: Any) -> None:
        self.m = m
        self.coarse = np.ascontiguousarray(np.asarray(m.coarse)[:, :64])
        self.projection = np.ascontiguousarray(m.projection[:, :64])

    def best(self, query: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        from presales.texts.visibility import top_order

        approximate = self.coarse @ (query @ self.projection)
        positions = np.sort(np.argpartition(-approximate, 1999)[:2000])
        scores = np.asarray(self.m.vectors)[positions] @ query
        order = top_order(scores, n)
        return positions[order], scores[order]


def _kept(
    m: Any, queries: np.ndarray, targets: list[int] | None = None, former: bool = False
) -> Kept:
    from presales.texts import vectors

    ranking = Former(m).best if former else (lambda q, n: vectors.Ranking(m, q).best(n))
    result = Kept(queries=len(queries))
    shares = []
    for i, query in enumerate(queries):
        every = np.asarray(m.vectors) @ query
        # Texts saved twice have equal vectors: any of a tie at the last place is as good.
        last = np.partition(every, len(every) - DEPTH)[len(every) - DEPTH]
        positions, scores = ranking(query, DEPTH)
        kept = int((scores >= last).sum())
        shares.append(kept / DEPTH)
        result.whole += kept == DEPTH
        if targets is not None and every[targets[i]] >= last:
            result.notes += 1
            result.notes_kept += targets[i] in set(positions.tolist())
    result.share = float(np.mean(shares)) if shares else 0.0
    return result


def _times(m: Any, queries: np.ndarray) -> tuple[float, float, float]:
    """p50 ms of the ranking as searches run it, of the former pass and of scoring every row
    exactly, each query timed by all three in turn."""
    from presales.texts import vectors
    from presales.texts.visibility import top_order

    former = Former(m)
    pooled, before, exact = [], [], []
    for query in queries:
        started = time.perf_counter()
        vectors.Ranking(m, query).best(DEPTH)
        pooled.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        former.best(query, DEPTH)
        before.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        top_order(m.vectors @ query, DEPTH)
        exact.append((time.perf_counter() - started) * 1000)
    return statistics.median(pooled), statistics.median(before), statistics.median(exact)


def _line(name: str, kept: Kept) -> str:
    text = f"  {name:<34} {kept.share:8.1%}   all {DEPTH} kept for {kept.whole} of {kept.queries}"
    if kept.notes:
        text += f"; the note itself kept {kept.notes_kept} of {kept.notes}"
    return text


def report_first_pass(batch: list[str]) -> None:
    """Print what the first pass keeps (ordinary queries, texts unlike the index) and costs."""
    from presales.texts import embedding, vectors
    from presales.texts.services.planted import load_planted

    m = vectors.matrix()
    rows = len(m.ids)
    ordinary = np.stack([embedding.encode_query(q) for q in batch])
    if m.coarse is None:
        print(
            f"\nmeaning ranking: {rows:,} rows, below {vectors.COARSE_FROM:,}: every row is"
            " scored exactly (no first pass)"
        )
        return
    pairs = load_planted()
    notes = embedding.encode([p.text for p in pairs])
    paraphrases = np.stack([embedding.encode_query(p.query) for p in pairs])
    grown = _with_rows(m, notes)
    targets = list(range(rows, rows + len(pairs)))
    print(
        f"\nmeaning ranking, first pass over {rows:,} rows: share of the exact {DEPTH} nearest"
        f" the pool keeps ({vectors.COARSE_DIMENSIONS} directions + residual term, pool"
        f" max({vectors.COARSE_POOL:,}, rows/{vectors.COARSE_SHARE}), doubled while needed)"
    )
    print(_line(f"{len(batch)} ordinary queries", _kept(m, ordinary)))
    print(
        _line(
            f"{len(pairs)} texts unlike the index",
            _kept(grown, paraphrases, targets),
        )
    )
    print("  former pass (64 directions, pool 2,000), same queries:")
    print(_line(f"{len(batch)} ordinary queries", _kept(m, ordinary, former=True)))
    print(
        _line(
            f"{len(pairs)} texts unlike the index",
            _kept(grown, paraphrases, targets, former=True),
        )
    )
    pooled, former, exact = _times(m, ordinary)
    print(
        f"  time per query, p50: first pass + pool {pooled:.1f} ms, former pass {former:.1f} ms,"
        f" every row scored exactly {exact:.1f} ms (all rows, as an administrator)"
    )
