"""Which past meetings resemble a new one: the single place the planner asks.

By meaning first, through the text service (``similar_debriefs``): among the debriefed meetings
the viewer may see, the texts of the meeting (subject and description) and of its debrief are
ranked by the cosine of their vectors to the query's, and each meeting counts at its best.
Meetings the index does not cover yet (the model is not installed, or their vectors are still
to be encoded) are compared by shared words instead (``related``: set cosine over lower-cased
words of three letters or more, without common English words), so a new debrief is found at
once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from presales.meetings.models import Debrief
    from presales.texts.models import Text

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


def similar_debriefs(
    query: str,
    candidates: Sequence[tuple[int, str]],
    *,
    debriefs: QuerySet[Debrief],
    texts: QuerySet[Text],
    limit: int = 5,
) -> list[tuple[int, float]]:
    """Ids of the ``debriefs`` whose meetings are most like ``query``, best first.

    ``texts`` are the texts the viewer may see (``texts_for``); meaning searches every one of
    ``debriefs``, not only ``candidates``. Then the candidates (debrief id, text) the index does
    not cover are compared by words and fill the places left. Scores are cosines in
    [MEANING_MINIMUM, 1] for the first, word overlaps in (0, 1] for the others."""
    from django.db.models import Q

    from presales.texts import embedding, vectors

    if not query.strip():
        return []
    found: list[tuple[int, float]] = []
    uncovered = list(candidates)
    if embedding.available():
        allowed = texts.filter(
            Q(kind="debrief", object_id__in=debriefs.values("pk"))
            | Q(kind="activity", object_id__in=debriefs.values("activity_id"))
        )
        near = vectors.nearest(
            embedding.encode_query(query[:2000]),
            allowed=allowed,
            k=3 * limit,
            minimum=MEANING_MINIMUM,
        )
        hits = allowed.filter(pk__in=[pk for pk, _ in near]).values_list("pk", "kind", "object_id")
        debrief_of = _debrief_ids(debriefs, {pk: (kind, oid) for pk, kind, oid in hits})
        for pk, score in near:
            key = debrief_of.get(pk)
            if key is not None and key not in {k for k, _ in found}:
                found.append((key, score))
        own = {
            pk: (kind, oid)
            for pk, kind, oid in allowed.filter(
                Q(kind="debrief", object_id__in=[key for key, _ in candidates])
                | Q(
                    kind="activity",
                    object_id__in=debriefs.filter(pk__in=[key for key, _ in candidates]).values(
                        "activity_id"
                    ),
                )
            ).values_list("pk", "kind", "object_id")
        }
        debrief_of = _debrief_ids(debriefs, own)
        covered = {debrief_of[pk] for pk in vectors.vectors_for(list(own)) if pk in debrief_of}
        uncovered = [(key, text) for key, text in candidates if key not in covered]
    shown = {key for key, _ in found}
    found += [item for item in related(query, uncovered, limit=limit) if item[0] not in shown]
    return found[:limit]


def _debrief_ids(debriefs: QuerySet[Debrief], texts: dict[int, tuple[str, int]]) -> dict[int, int]:
    """Text id to debrief id, for texts of debriefs and of debriefed meetings."""
    by_activity = dict(
        debriefs.filter(
            activity_id__in=[oid for kind, oid in texts.values() if kind == "activity"]
        ).values_list("activity_id", "pk")
    )
    out: dict[int, int] = {}
    for pk, (kind, oid) in texts.items():
        key = oid if kind == "debrief" else by_activity.get(oid)
        if key is not None:
            out[pk] = key
    return out
