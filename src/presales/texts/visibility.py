"""Which of some candidate texts a user may see, without listing every text they may see.

A search needs only a page of results, so rather than fetching the ids of all visible texts
(a permission query over the whole index: over half a second for a sales engineer among
100,000 texts on SQLite), each ranking hands over its best candidates a few hundred at a time
and keeps the visible ones. The check asks each source's own access rule about the candidates
of that kind (``notes_for(user).filter(pk__in=...)``): the same rule as ``texts_for``, which
is the union of those rules, in queries the database answers from the candidates' ids.

When a ranking has to go deep (a user who sees few texts, a narrow filter), checking
candidate by candidate would cost more than listing once: past ``LIST_AFTER`` checked ids the
visible ids are fetched once and used from then on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from presales.core import access
from presales.people.models import User
from presales.texts.access import texts_for
from presales.texts.models import Text
from presales.texts.sources import registered

LIST_AFTER = 4000
# Per user and filters, the share of checked candidates that were visible: how many to check
# first next time (it sizes a request only; every answer is checked).
_shares: dict[tuple[int, str], float] = {}
# SQLite's default limit on bound parameters is 32,766; stay well under it.
CHUNK = 2000


class Visibility:
    """The texts ``actor`` may see among candidates, after the Text-level ``lookups``
    (filters such as ``account_id`` or ``kind``). Remembers every answer it gave."""

    def __init__(self, actor: User, lookups: dict[str, Any]) -> None:
        self.actor = actor
        self.lookups = lookups
        self.everything = access.sees_everything(actor)
        self.known: dict[int, bool] = {}
        self.listed: set[int] | None = None
        self.rules: dict[type[Any], Any] = {}
        self.key = (actor.pk, repr(sorted(lookups.items())))

    def among(self, ids: Iterable[int]) -> set[int]:
        wanted = [int(pk) for pk in ids]
        unknown = [pk for pk in dict.fromkeys(wanted) if pk not in self.known]
        if unknown:
            if self.listed is None and len(self.known) + len(unknown) > LIST_AFTER:
                allowed = texts_for(self.actor).filter(**self.lookups)
                self.listed = set(allowed.order_by().values_list("pk", flat=True))
            if self.listed is not None:
                for pk in unknown:
                    self.known[pk] = pk in self.listed
            else:
                for start in range(0, len(unknown), CHUNK):
                    part = unknown[start : start + CHUNK]
                    seen = self._check(part)
                    for pk in part:
                        self.known[pk] = pk in seen
        return {pk for pk in wanted if self.known[pk]}

    def _check(self, ids: list[int]) -> set[int]:
        rows = Text.objects.filter(pk__in=ids, **self.lookups).order_by()
        if self.everything:
            return set(rows.values_list("pk", flat=True))
        by_kind: dict[str, dict[int, int]] = {}
        for pk, kind, object_id in rows.values_list("pk", "kind", "object_id"):
            by_kind.setdefault(kind, {})[object_id] = pk
        seen: set[int] = set()
        for source in registered():
            objects = by_kind.get(source.kind)
            if not objects:
                continue
            if source.model not in self.rules:  # built once: a rule may itself query
                self.rules[source.model] = access.visible(self.actor, source.model).order_by()
            visible = self.rules[source.model].filter(pk__in=list(objects))
            seen.update(objects[o] for o in visible.values_list("pk", flat=True))
        return seen


def first_check(k: int) -> int:
    """How many of a ranking's best candidates to check first for ``k`` visible ones: enough
    when a user sees a quarter of the texts (most see more); fewer checks are the saving."""
    return max(4 * k, 200)


def ranked_visible(
    ranked: Callable[[int], list[int]], k: int, visibility: Visibility, *, first: int
) -> list[int]:
    """The first ``k`` visible ids of ``ranked(n)`` (a function giving the best ``n`` ids, best
    first), asking for ``first``, then, while too few are visible, for enough more to find the
    rest at the share visible so far (with a margin; at least twice as many, at most four
    times)."""
    wanted = max(first, k)
    hint = _shares.get(visibility.key)
    if hint:  # this user's share of visible candidates last time: a size, never an answer
        wanted = max(wanted, min(int(1.3 * k / hint) + 1, LIST_AFTER))
    checked: set[int] = set()
    kept: list[int] = []
    while True:
        ids = ranked(wanted)
        fresh = [pk for pk in ids if pk not in checked]
        seen = visibility.among(fresh)
        kept.extend(pk for pk in fresh if pk in seen)
        checked.update(fresh)
        if checked:
            if len(_shares) > 10_000:
                _shares.clear()
            _shares[visibility.key] = max(len(kept) / len(checked), 0.01)
        if len(kept) >= k or len(ids) < wanted:
            return kept[:k]
        share = max(len(kept) / max(len(checked), 1), 0.01)
        more = int(1.5 * (k - len(kept)) / share) + 1
        wanted = min(4 * wanted, wanted + more)


def top_order(scores: np.ndarray, n: int) -> np.ndarray:
    """Positions of the ``n`` highest scores, highest first."""
    n = min(n, len(scores))
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    best = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
    return best[np.argsort(-scores[best], kind="stable")]
