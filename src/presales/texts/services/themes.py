"""Themes: similar texts grouped together (k-means over their vectors), each named by its most
distinctive words, with counts against the sample they were drawn from. Read-only."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from presales.accounts.models import Account
from presales.deals.models import Stage
from presales.people.models import User
from presales.texts import embedding, vectors, words
from presales.texts.access import texts_for
from presales.texts.models import Text

SCOPES = {
    "all": "Everything written",
    "lost": "Texts on lost deals (loss reasons)",
    "gaps": "Texts that mention a product gap",
    "risks": "Texts with a risk signal",
}
SAMPLE = 1500


@dataclass
class Theme:
    label: str
    terms: list[str]
    count: int
    share: float  # of the sample
    members: list[Text]  # closest to the theme's centre first


@dataclass
class Themes:
    scope: str
    themes: list[Theme]
    sample: int  # texts grouped
    population: int  # texts in scope the user may see
    by_meaning: bool


def _kmeans(points: np.ndarray, k: int, *, rounds: int = 25) -> np.ndarray:
    """Cosine k-means with farthest-point seeding (deterministic); the cluster of each point."""
    centres = [points[0]]
    for _ in range(1, k):
        sims = np.max(points @ np.vstack(centres).T, axis=1)
        centres.append(points[int(np.argmin(sims))])
    centre = np.vstack(centres)
    assigned = np.zeros(len(points), dtype=np.int64)
    for _ in range(rounds):
        new = np.argmax(points @ centre.T, axis=1)
        if np.array_equal(new, assigned) and _ > 0:
            break
        assigned = new
        for c in range(k):
            members = points[assigned == c]
            if len(members):
                mean = members.mean(axis=0)
                centre[c] = mean / (np.linalg.norm(mean) or 1.0)
    return assigned


def _in_scope(actor: User, scope: str) -> object:
    rows = texts_for(actor)
    if scope == "lost":
        rows = rows.filter(opportunity__stage=Stage.LOST)
    elif scope == "gaps":
        rows = rows.filter(labels__product_gap="yes")
    elif scope == "risks":
        rows = (
            rows.filter(labels__budget_freeze="yes")
            | rows.filter(labels__champion_left="yes")
            | rows.filter(labels__timeline_slip="yes")
            | rows.filter(labels__security_objection="yes")
        )
    return rows


def group_texts(
    *, actor: User, scope: str = "all", kind: str | None = None, themes: int | None = None
) -> Themes:
    """Group the latest texts in ``scope`` (of one ``kind`` if given) that ``actor`` may see
    into themes, largest first."""
    if scope not in SCOPES:
        scope = "all"
    rows = _in_scope(actor, scope)
    if kind:
        rows = rows.filter(kind=kind)  # type: ignore[attr-defined]
    population = rows.count()  # type: ignore[attr-defined]
    texts = list(rows.order_by("-written_at", "-id")[:SAMPLE])  # type: ignore[attr-defined]
    by_meaning = embedding.available()
    if by_meaning:
        found = vectors.vectors_for([t.pk for t in texts])
        texts = [t for t in texts if t.pk in found]
        points = np.vstack([found[t.pk] for t in texts]) if texts else np.zeros((0, 1))
    else:
        points = words.bag_of_words([t.body for t in texts])
    if len(texts) < 2:
        return Themes(scope, [], len(texts), population, by_meaning)
    k = themes or max(2, min(12, round(math.sqrt(len(texts) / 2))))
    k = min(k, len(texts))
    assigned = _kmeans(points.astype(np.float32), k)
    # Account names are frequent inside a group and rare elsewhere, but they name no theme.
    names = {
        w
        for name in Account.objects.filter(
            pk__in={t.account_id for t in texts if t.account_id}
        ).values_list("name", flat=True)
        for w in words.tokens(name)
    }
    result = []
    for c in range(k):
        index = np.flatnonzero(assigned == c)
        if not len(index):
            continue
        centre = points[index].mean(axis=0)
        order = index[np.argsort(-(points[index] @ centre), kind="stable")]
        members = [texts[i] for i in order]
        others = [texts[i].body for i in np.flatnonzero(assigned != c)]
        terms = words.distinctive_terms([m.body for m in members], others, ignore=names)
        result.append(
            Theme(
                label=", ".join(terms) or "miscellaneous",
                terms=terms,
                count=len(members),
                share=len(members) / len(texts),
                members=members,
            )
        )
    result.sort(key=lambda t: (-t.count, t.label))
    return Themes(scope, result, len(texts), population, by_meaning)
