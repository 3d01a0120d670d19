"""Similar deals: the closed (won and lost) opportunities at other accounts whose texts read
most like this one's, with the pair of passages that match best as the reason. Read-only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from presales.deals.access import opportunities_for
from presales.deals.models import CLOSED_STAGES, Opportunity
from presales.people.models import User
from presales.texts import embedding, vectors, words
from presales.texts.access import texts_for
from presales.texts.models import Text
from presales.texts.visibility import Visibility

CANDIDATE_TEXTS = 20000


@dataclass
class SimilarDeal:
    opportunity: Opportunity
    similarity: float  # cosine of the two deals' mean text vectors
    ours: Text  # the passage of this deal...
    theirs: Text  # ...closest to this passage of the similar deal
    pair_similarity: float
    texts_compared: int  # texts of the similar deal


@dataclass
class SimilarDeals:
    deals: list[SimilarDeal]
    own_texts: int
    closed_deals_compared: int
    by_meaning: bool


def _vectors(texts: list[Text], by_meaning: bool) -> tuple[list[Text], np.ndarray]:
    if by_meaning:
        found = vectors.vectors_for([t.pk for t in texts])
        kept = [t for t in texts if t.pk in found]
        return kept, (np.vstack([found[t.pk] for t in kept]) if kept else np.zeros((0, 1)))
    return texts, words.bag_of_words([t.body for t in texts])


def _unit(v: np.ndarray) -> np.ndarray:
    return v / (np.linalg.norm(v) or 1.0)


def similar_deals(*, actor: User, opportunity: Opportunity, limit: int = 5) -> SimilarDeals:
    by_meaning = embedding.available()
    visibility = Visibility(actor, {})
    deal_texts = list(Text.objects.filter(opportunity=opportunity).order_by("-written_at", "-pk"))
    seen = visibility.among(t.pk for t in deal_texts)
    own, own_points = _vectors([t for t in deal_texts if t.pk in seen], by_meaning)
    # Deals at the same account share its name, people and products, so they always "read
    # alike"; the useful comparison is with other customers.
    closed = opportunities_for(actor).filter(stage__in=CLOSED_STAGES).exclude(pk=opportunity.pk)
    if opportunity.account_id is not None:
        closed = closed.exclude(account_id=opportunity.account_id)
    if not own:
        return SimilarDeals([], 0, 0, by_meaning)
    if by_meaning:
        closed_ids = list(closed.values_list("pk", flat=True))
        return _by_meaning(visibility, own, own_points, closed_ids, limit)
    theirs = list(
        texts_for(actor)
        .filter(opportunity__in=closed.values("pk"))
        .order_by("-written_at")[:CANDIDATE_TEXTS]
    )
    if not theirs:
        return SimilarDeals([], len(own), 0, by_meaning)
    # One vocabulary for both sides, so hashed bags of words are comparable.
    both = words.bag_of_words([t.body for t in own] + [t.body for t in theirs])
    own_points, their_points = both[: len(own)], both[len(own) :]
    groups: dict[int, list[int]] = {}
    for i, text in enumerate(theirs):
        assert text.opportunity_id is not None
        groups.setdefault(text.opportunity_id, []).append(i)
    centre = _unit(own_points.mean(axis=0))
    scored = sorted(
        ((float(centre @ _unit(their_points[ix].mean(axis=0))), d, ix) for d, ix in groups.items()),
        key=lambda s: (-s[0], s[1]),
    )[:limit]
    deals = Opportunity.objects.select_related("account").in_bulk([d for _, d, _ in scored])
    result = []
    for similarity, deal_id, index in scored:
        pairs = own_points @ their_points[index].T
        a, b = np.unravel_index(int(np.argmax(pairs)), pairs.shape)
        result.append(
            SimilarDeal(
                deals[deal_id],
                similarity,
                own[int(a)],
                theirs[index[int(b)]],
                float(pairs[a, b]),
                len(index),
            )
        )
    return SimilarDeals(result, len(own), len(groups), by_meaning)


def _by_meaning(
    visibility: Visibility, own: list[Text], own_points: np.ndarray, closed: list[int], limit: int
) -> SimilarDeals:
    """The closed deals' texts read straight from the shared vector index: only ids and
    deal ids come from the database, and only the few texts shown are loaded."""
    rows = list(
        Text.objects.filter(opportunity_id__in=closed)
        .order_by("-written_at")
        .values_list("pk", "opportunity_id")[:CANDIDATE_TEXTS]
    )
    seen = visibility.among(pk for pk, _ in rows)
    deal_of = {pk: deal for pk, deal in rows if pk in seen}
    m = vectors.matrix()
    positions = m.rows_for(np.asarray(sorted(deal_of), dtype=np.int64))
    if not len(positions):
        return SimilarDeals([], len(own), 0, True)
    ids = m.ids[positions]
    points = np.asarray(m.vectors[positions], dtype=np.float32)
    deal_ids = np.fromiter((deal_of[int(pk)] for pk in ids), dtype=np.int64, count=len(ids))
    # Each deal's mean vector: texts sorted by deal, summed per run of the same deal.
    order = np.argsort(deal_ids, kind="stable")
    deal_ids, ids, points = deal_ids[order], ids[order], points[order]
    unique, starts, counts = np.unique(deal_ids, return_index=True, return_counts=True)
    sums = np.add.reduceat(points, starts, axis=0)
    centres = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
    scores = centres @ _unit(own_points.mean(axis=0))
    best = sorted(range(len(unique)), key=lambda i: (-float(scores[i]), int(unique[i])))[:limit]
    chosen = []
    for i in best:
        part = slice(int(starts[i]), int(starts[i] + counts[i]))
        pairs = own_points @ points[part].T
        a, b = np.unravel_index(int(np.argmax(pairs)), pairs.shape)
        chosen.append((i, int(a), int(ids[part][int(b)]), float(pairs[a, b])))
    texts = Text.objects.in_bulk([pk for _, _, pk, _ in chosen])
    deals = Opportunity.objects.select_related("account").in_bulk(
        [int(unique[i]) for i, _, _, _ in chosen]
    )
    result = [
        SimilarDeal(
            opportunity=deals[int(unique[i])],
            similarity=float(scores[i]),
            ours=own[a],
            theirs=texts[pk],
            pair_similarity=pair,
            texts_compared=int(counts[i]),
        )
        for i, a, pk, pair in chosen
    ]
    return SimilarDeals(result, len(own), len(unique), True)
