"""Which existing gaps read like a new one: the one place duplicate suggestions come from.

By words: the title and description are cut into normalised words (lower case, common words
dropped, plural endings folded) stored in ``GapWord``; a new text is scored against the gaps that
share its words, each shared word weighted by its inverse document frequency, and normalised
like a cosine (with equal weights it is the set cosine of meetings.similarity). The database does
the counting, so a suggestion over 50,000 gaps reads a few index ranges, not every gap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, FloatField, QuerySet, Sum, Value, When

from presales.gaps.models import GapWord, ProductGap
from presales.meetings.similarity import words as plain_words

MAX_WORDS = 80
# A word in more than this share of all gaps says little about any one of them.
COMMON_SHARE = 0.2


def _fold(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def gap_words(text: str) -> list[str]:
    """The distinct normalised words of ``text``, at most MAX_WORDS of them, in a stable order."""
    folded = sorted({_fold(w)[:40] for w in plain_words(text)})
    return folded[:MAX_WORDS]


def gap_text(gap: ProductGap) -> str:
    return f"{gap.title}\n{gap.description}"


def index_gap_words(gaps: Iterable[ProductGap]) -> None:
    """Rewrite the word index of these gaps (and their ``word_count``)."""
    gaps = list(gaps)
    if not gaps:
        return
    GapWord.objects.filter(gap__in=[g.pk for g in gaps]).delete()
    rows: list[GapWord] = []
    for gap in gaps:
        found = gap_words(gap_text(gap))
        gap.word_count = len(found)
        rows.extend(GapWord(gap_id=gap.pk, word=w) for w in found)
    GapWord.objects.bulk_create(rows, batch_size=5000)
    ProductGap.objects.bulk_update(gaps, ["word_count"], batch_size=2000)


@dataclass(frozen=True)
class WordMatch:
    gap_id: int
    score: float
    shared: tuple[str, ...]


def similar_by_words(
    text: str,
    *,
    among: QuerySet[ProductGap],
    limit: int = 5,
    exclude_ids: Iterable[int] = (),
    min_score: float = 0.2,
) -> list[WordMatch]:
    """Gaps of ``among`` whose words most resemble ``text``, best first."""
    query = gap_words(text)
    if not query:
        return []
    total = ProductGap.objects.count()
    frequency = dict(
        GapWord.objects.filter(word__in=query)
        .values_list("word")
        .annotate(n=Count("id"))
        .values_list("word", "n")
    )
    if not frequency:
        return []
    idf = {w: math.log((total + 1) / (frequency.get(w, 0) + 1)) + 1 for w in query}
    informative = [w for w in frequency if frequency[w] <= COMMON_SHARE * total] or list(frequency)
    weight = Case(
        *[When(word=w, then=Value(idf[w])) for w in informative],
        default=Value(0.0),
        output_field=FloatField(),
    )
    excluded = list(exclude_ids)
    candidates = GapWord.objects.filter(word__in=informative, gap__merged_into__isnull=True)
    if among.query.where:  # a restricted view: only gaps the user may see
        candidates = candidates.filter(gap__in=among.values("pk"))
    if excluded:
        candidates = candidates.exclude(gap_id__in=excluded)
    top = list(
        candidates.values("gap_id")
        .annotate(score=Sum(weight))
        .order_by("-score", "gap_id")
        .values_list("gap_id", "score")[: limit * 10]
    )
    if not top:
        return []
    counts = dict(
        ProductGap.objects.filter(pk__in=[pk for pk, _ in top]).values_list("pk", "word_count")
    )
    shared_words: dict[int, list[str]] = {}
    for gap_id, word in GapWord.objects.filter(
        gap_id__in=[pk for pk, _ in top], word__in=informative
    ).values_list("gap_id", "word"):
        shared_words.setdefault(gap_id, []).append(word)
    mean_idf = sum(idf.values()) / len(query)
    matches = []
    for gap_id, raw in top:
        size = max(counts.get(gap_id, 1), 1)
        score = min(1.0, raw / (mean_idf * math.sqrt(len(query) * size)))
        if score >= min_score:
            matches.append(WordMatch(gap_id, round(score, 3), tuple(sorted(shared_words[gap_id]))))
    matches.sort(key=lambda m: (-m.score, m.gap_id))
    return matches[:limit]


@dataclass(frozen=True)
class Suggestion:
    gap: ProductGap
    score: float
    reason: str


# A gap at least this close in meaning (cosine of the text service's vectors) is suggested.
MEANING_MINIMUM = 0.55


def similar_by_meaning(
    text: str, *, actor: Any, limit: int, exclude_ids: Iterable[int] = ()
) -> list[tuple[int, float]]:
    """(gap id, cosine) of the indexed gaps the actor sees closest in meaning to ``text``;
    empty when the meaning model is not installed."""
    from presales.texts import embedding, vectors
    from presales.texts.access import texts_for

    if not embedding.available() or len(text.strip()) < 3:
        return []
    allowed = texts_for(actor).filter(kind="gap").exclude(object_id__in=list(exclude_ids))
    near = vectors.nearest(
        embedding.encode_query(text[:2000]), allowed=allowed, k=limit * 2, minimum=MEANING_MINIMUM
    )
    gap_of = dict(allowed.filter(pk__in=[pk for pk, _ in near]).values_list("pk", "object_id"))
    live = set(
        ProductGap.objects.filter(pk__in=gap_of.values(), merged_into__isnull=True).values_list(
            "pk", flat=True
        )
    )
    return [(gap_of[pk], sim) for pk, sim in near if gap_of.get(pk) in live][:limit]


def _covered(gap_ids: list[int]) -> set[int]:
    """Those of these gaps whose text has a current vector in the index."""
    from presales.texts import embedding, vectors
    from presales.texts.models import Text

    if not gap_ids or not embedding.available():
        return set()
    texts = dict(
        Text.objects.filter(kind="gap", object_id__in=gap_ids).values_list("pk", "object_id")
    )
    return {texts[pk] for pk in vectors.vectors_for(list(texts))}


def suggest_similar(
    *, actor: Any, text: str, exclude_ids: Iterable[int] = (), limit: int = 5
) -> list[Suggestion]:
    """Existing gaps (that the actor sees, not merged away) that may say the same as ``text``:
    by meaning through the text service when its model is installed, then by shared words
    among the gaps the index does not cover yet."""
    from presales.gaps.access import gaps_for

    excluded = list(exclude_ids)
    meaning = similar_by_meaning(text, actor=actor, limit=limit, exclude_ids=excluded)
    matches = similar_by_words(text, among=gaps_for(actor), limit=limit, exclude_ids=excluded)
    # Words speak only for gaps the index does not cover yet (no model, or a vector still to
    # be encoded): meaning has already judged the others.
    covered = _covered([m.gap_id for m in matches])
    matches = [m for m in matches if m.gap_id not in covered]
    found = ProductGap.objects.select_related("account").in_bulk(
        [pk for pk, _ in meaning] + [m.gap_id for m in matches]
    )
    suggestions = [
        Suggestion(found[pk], round(sim, 3), f"close in meaning ({sim:.0%})")
        for pk, sim in meaning
        if pk in found
    ]
    seen = {s.gap.pk for s in suggestions}
    suggestions += [
        Suggestion(found[m.gap_id], m.score, "shared words: " + ", ".join(m.shared))
        for m in matches
        if m.gap_id in found and m.gap_id not in seen
    ]
    return suggestions[:limit]
