"""Merging the meaning ranking and the word ranking into the one users see.

Each side gives every candidate a score between 0 and 1 on a scale that means the same thing
for every query, and the fused score adds them:

- **meaning**: the cosine similarity, calibrated so that 0 is "not about the query"
  (``MEANING_FLOOR``) and 1 is "says the same thing" (``MEANING_FULL``);
- **words**: the share of the query's words the text holds, each word weighted by how rare it
  is in the index (IDF), then squared, so that a text scores on words only when the query's
  words really occur in it: all of a name or a code, most of a phrase. A text holding one
  common word of five scores almost nothing there. A query word that no text holds still
  counts in the total, at the weight of the rarest word: when a query says what the texts
  never say in its words ("vessels at sea with intermittent connectivity"), the one common
  word a text shares with it ("connectivity") is not a full match, and meaning leads.

Reciprocal rank fusion, used before, looked at ranks alone: for a paraphrase the word list is
full of loosely related texts, and a text that sat in both lists beat the one meaning put
first. With scores, a strong meaning match keeps its place unless a text matches both the
words and the meaning better; an exact account name or code still comes first by words,
because only the texts holding it get the words' full point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MEANING_FLOOR = 0.2
MEANING_FULL = 0.7
WORDS_WEIGHT = 1.0
WORDS_POWER = 2.0


@dataclass
class Candidate:
    pk: int
    similarity: float | None = None
    meaning_rank: int | None = None
    words_rank: int | None = None
    coverage: float = 0.0
    score: float = 0.0


def meaning_score(similarity: float | None) -> float:
    if similarity is None:
        return 0.0
    return min(1.0, max(0.0, (similarity - MEANING_FLOOR) / (MEANING_FULL - MEANING_FLOOR)))


def idf_weights(frequency: dict[str, int], texts: int) -> dict[str, float]:
    """Rarer words weigh more; a word no text holds weighs most (no text can hold it, so it
    only lowers every text's share)."""
    return {t: math.log(1 + (texts + 1) / (df + 1)) for t, df in frequency.items()}


def coverage(held: set[str], weights: dict[str, float]) -> float:
    total = sum(weights.values())
    if not total:
        return 0.0
    return sum(w for t, w in weights.items() if t in held) / total


def fuse(candidates: list[Candidate]) -> list[Candidate]:
    """The candidates scored and ordered best first (ties: meaning rank, then word rank)."""
    for c in candidates:
        c.score = meaning_score(c.similarity) + WORDS_WEIGHT * c.coverage**WORDS_POWER
    return sorted(
        candidates,
        key=lambda c: (-c.score, c.meaning_rank or 10**9, c.words_rank or 10**9, -c.pk),
    )


RRF_K = 60


def fuse_by_rank(candidates: list[Candidate]) -> list[Candidate]:
    """The former reciprocal rank fusion, kept to measure the new fusion against it."""
    for c in candidates:
        c.score = sum(1 / (RRF_K + r) for r in (c.meaning_rank, c.words_rank) if r is not None)
    return sorted(candidates, key=lambda c: (-c.score, -c.pk))


FUSIONS = {"scores": fuse, "ranks": fuse_by_rank}
