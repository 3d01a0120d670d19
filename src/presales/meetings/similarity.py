"""Which past texts resemble a new one: the single place the planner asks.

Today it counts shared words (set cosine over lower-cased words of three letters or more,
without common English words). The team's text-by-meaning service will replace the body of
``related``; callers keep the same signature.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

_WORD = re.compile(r"[a-z0-9][a-z0-9'-]{2,}")
_COMMON = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "from",
        "have",
        "has",
        "had",
        "was",
        "were",
        "are",
        "our",
        "their",
        "they",
        "them",
        "you",
        "your",
        "will",
        "would",
        "can",
        "could",
        "should",
        "about",
        "into",
        "over",
        "under",
        "after",
        "before",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "how",
        "not",
        "but",
        "all",
        "any",
        "some",
        "more",
        "most",
        "other",
        "than",
        "then",
        "there",
        "these",
        "those",
        "very",
        "just",
        "also",
        "been",
        "being",
        "its",
        "it's",
        "his",
        "her",
        "him",
        "she",
        "one",
        "two",
        "three",
        "call",
        "meeting",
        "meet",
        "met",
        "team",
        "customer",
        "asked",
        "said",
        "want",
        "wants",
        "need",
        "needs",
        "next",
        "week",
        "today",
    ]
)


def words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _COMMON)


def related(
    query: str, candidates: Sequence[tuple[K, str]], *, limit: int = 5
) -> list[tuple[K, float]]:
    """The candidates most like ``query``, best first, with a score in (0, 1]; no zero scores."""
    q = words(query)
    if not q:
        return []
    scored: list[tuple[K, float]] = []
    for key, text in candidates:
        c = words(text)
        shared = len(q & c)
        if shared:
            scored.append((key, shared / math.sqrt(len(q) * len(c))))
    scored.sort(key=lambda item: -item[1])
    return scored[:limit]


MEANING_MINIMUM = 0.35


def related_texts(
    query: str, candidates: Sequence[tuple[int, str]], *, kind: str, limit: int = 5
) -> list[tuple[int, float]]:
    """Like ``related``, by meaning through the text service when its model is installed and
    the candidates (object ids of the registered text ``kind``) have vectors; by words
    otherwise. Scores are cosines in (MEANING_MINIMUM, 1] or word overlaps in (0, 1]."""
    from presales.texts import embedding, vectors
    from presales.texts.models import Text

    if embedding.available() and candidates and query.strip():
        objects = dict(
            Text.objects.filter(kind=kind, object_id__in=[k for k, _ in candidates]).values_list(
                "pk", "object_id"
            )
        )
        stored = vectors.vectors_for(list(objects))
        if stored:
            q = embedding.encode_query(query[:2000])
            scored = [(int(objects[pk]), float(v @ q)) for pk, v in stored.items()]
            scored = [item for item in scored if item[1] >= MEANING_MINIMUM]
            scored.sort(key=lambda item: -item[1])
            return scored[:limit]
    return related(query, candidates, limit=limit)
