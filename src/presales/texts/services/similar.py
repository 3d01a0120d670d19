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
    visible = texts_for(actor)
    own, own_points = _vectors(list(visible.filter(opportunity=opportunity)), by_meaning)
    # Deals at the same account share its name, people and products, so they always "read
    # alike"; the useful comparison is with other customers.
    closed = opportunities_for(actor).filter(stage__in=CLOSED_STAGES).exclude(pk=opportunity.pk)
    if opportunity.account_id is not None:
        closed = closed.exclude(account_id=opportunity.account_id)
    theirs = list(
        visible.filter(opportunity__in=closed.values("pk")).order_by("-written_at")[
            :CANDIDATE_TEXTS
        ]
    )
    if not own or not theirs:
        return SimilarDeals([], len(own), 0, by_meaning)
    if by_meaning:
        their_texts, their_points = _vectors(theirs, True)
    else:
        # One vocabulary for both sides, so hashed bags of words are comparable.
        both = words.bag_of_words([t.body for t in own] + [t.body for t in theirs])
        own_points, their_texts, their_points = both[: len(own)], theirs, both[len(own) :]
    centre = _unit(own_points.mean(axis=0))
    groups: dict[int, list[int]] = {}
    for i, text in enumerate(their_texts):
        assert text.opportunity_id is not None
        groups.setdefault(text.opportunity_id, []).append(i)
    scored = []
    for deal_id, index in groups.items():
        their_centre = _unit(their_points[index].mean(axis=0))
        scored.append((float(centre @ their_centre), deal_id, index))
    scored.sort(key=lambda s: (-s[0], s[1]))
    top = scored[:limit]
    deals = Opportunity.objects.select_related("account").in_bulk([d for _, d, _ in top])
    result = []
    for similarity, deal_id, index in top:
        pairs = own_points @ their_points[index].T
        a, b = np.unravel_index(int(np.argmax(pairs)), pairs.shape)
        result.append(
            SimilarDeal(
                opportunity=deals[deal_id],
                similarity=similarity,
                ours=own[int(a)],
                theirs=their_texts[index[int(b)]],
                pair_similarity=float(pairs[a, b]),
                texts_compared=len(index),
            )
        )
    return SimilarDeals(result, len(own), len(groups), by_meaning)
