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

CANDIDATE_TEXTS = 20000  # by words only: the newest texts compared


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


@dataclass(frozen=True)
class _DealCentres:
    """Every deal's texts in the shared index, grouped: built once per index stamp and
    shared by every request of the process, so a query reads no text rows at all."""

    stamp: tuple[object, ...]
    deal_ids: np.ndarray  # int64, sorted: deals with at least one vector
    centres: np.ndarray  # float32 unit mean vector per deal
    starts: np.ndarray  # where each deal's texts begin in text_ids / rows
    counts: np.ndarray
    text_ids: np.ndarray  # int64, grouped by deal
    rows: np.ndarray  # the same texts' rows in the shared matrix


_centres: dict[str, _DealCentres] = {}


def _deal_centres(m: vectors.Matrix) -> _DealCentres:
    cached = _centres.get("current")
    if cached is not None and cached.stamp == m.stamp:
        return cached
    pairs = np.fromiter(
        (
            value
            for row in Text.objects.filter(opportunity_id__isnull=False)
            .order_by()
            .values_list("pk", "opportunity_id")
            .iterator(20000)
            for value in row
        ),
        dtype=np.int64,
    ).reshape(-1, 2)
    text_ids, deal_ids = pairs[:, 0], pairs[:, 1]
    positions = np.searchsorted(m.ids, text_ids)
    positions = np.clip(positions, 0, max(len(m.ids) - 1, 0))
    found = m.ids[positions] == text_ids if len(m.ids) else np.zeros(len(text_ids), dtype=bool)
    text_ids, deal_ids, rows = text_ids[found], deal_ids[found], positions[found]
    order = np.lexsort((text_ids, deal_ids))
    text_ids, deal_ids, rows = text_ids[order], deal_ids[order], rows[order]
    unique, starts, counts = np.unique(deal_ids, return_index=True, return_counts=True)
    width = m.vectors.shape[1] if m.vectors.ndim == 2 else 1
    sums = (
        np.add.reduceat(np.asarray(m.vectors[rows], dtype=np.float32), starts, axis=0)
        if len(rows)
        else np.zeros((0, width), dtype=np.float32)
    )
    centres = (sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)).astype(
        np.float32
    )
    built = _DealCentres(m.stamp, unique, centres, starts, counts, text_ids, rows)
    _centres["current"] = built
    return built


def _by_meaning(
    visibility: Visibility, own: list[Text], own_points: np.ndarray, closed: list[int], limit: int
) -> SimilarDeals:
    """Closed deals ranked by their mean text vector, kept per index stamp: a request costs
    the visible closed deals' ids, one matrix-vector product, and the few texts shown.

    Whoever sees a deal sees every text tied to it (the rule each deal-bound source follows;
    ``tests/test_demo_truth.py`` checks it on the demo), so a deal's mean over all its texts
    is the mean the user may see. The passages shown are still checked one by one."""
    m = vectors.matrix()
    centres = _deal_centres(m)
    wanted = np.isin(centres.deal_ids, np.asarray(closed, dtype=np.int64))
    candidates = np.flatnonzero(wanted)
    if not len(candidates):
        return SimilarDeals([], len(own), 0, True)
    scores = centres.centres[candidates] @ _unit(own_points.mean(axis=0)).astype(np.float32)
    ranked = sorted(
        range(len(candidates)),
        key=lambda i: (-float(scores[i]), int(centres.deal_ids[candidates[i]])),
    )
    chosen: list[tuple[int, float, int, int, float]] = []
    # The passages of the best deals are checked a batch at a time (one visibility check
    # for all of them); a deal left with no visible text gives way to the next.
    for first in range(0, len(ranked), limit):
        batch = [int(candidates[i]) for i in ranked[first : first + limit]]
        parts = [
            slice(int(centres.starts[at]), int(centres.starts[at] + centres.counts[at]))
            for at in batch
        ]
        seen = visibility.among(int(pk) for part in parts for pk in centres.text_ids[part])
        for i, at, part in zip(ranked[first : first + limit], batch, parts, strict=True):
            keep = np.fromiter((int(pk) in seen for pk in centres.text_ids[part]), dtype=bool)
            if len(chosen) == limit or not keep.any():
                continue
            ids = centres.text_ids[part][keep]
            points = np.asarray(m.vectors[centres.rows[part][keep]], dtype=np.float32)
            pairs = own_points @ points.T
            a, b = np.unravel_index(int(np.argmax(pairs)), pairs.shape)
            chosen.append((at, float(scores[i]), int(a), int(ids[int(b)]), float(pairs[a, b])))
        if len(chosen) == limit:
            break
    texts = Text.objects.in_bulk([pk for _, _, _, pk, _ in chosen])
    deals = Opportunity.objects.select_related("account").in_bulk(
        [int(centres.deal_ids[at]) for at, _, _, _, _ in chosen]
    )
    result = [
        SimilarDeal(
            opportunity=deals[int(centres.deal_ids[at])],
            similarity=score,
            ours=own[a],
            theirs=texts[pk],
            pair_similarity=pair,
            texts_compared=int(centres.counts[at]),
        )
        for at, score, a, pk, pair in chosen
    ]
    return SimilarDeals(result, len(own), len(candidates), True)
