"""Which texts a user may see, as an array of text ids kept per user until something that
decides it changes, so that search filters its candidates with numpy, not SQL per candidate.

The rule itself is written once: ``presales.texts.access.texts_for`` (the union of each
source's own access rule). The first search of a user lists the ids that rule allows (one
query, a few hundred milliseconds for a sales engineer among 100,000 texts on SQLite); later
searches reuse them:

- while the *visibility version* stands. It moves when a write may change who sees which
  text (``presales.texts.decides``: a deal or an account changing team, a new participant...,
  not a new note or an edited one): at once in this process, and, for the other web
  processes, when the transaction commits (a marker file's time under ``PRESALES_HOME``);
- texts added since the list was made (a higher id than any it has seen) are put through the
  same rule, those alone, and the visible ones joined to the list: a new note is found by
  its author's next search without listing everything again. On SQLite only, whose writers
  take turns so ids appear in order; PostgreSQL hands out ids before commits, so there a new
  text makes the list anew;
- ``MAX_AGE_SECONDS`` have passed (writes in raw SQL send no signal).

The meaning side turns the ids into a mask over the rows of the shared vector index
(``row_mask``); the word side keeps the visible ids of its best matches (``ranked_visible``).
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max

from presales.core import access
from presales.people.models import User
from presales.texts.access import texts_among, texts_for
from presales.texts.models import Text

MAX_AGE_SECONDS = 60.0
CACHED_USERS = 64
# More new texts than this since a list was made (an import): list anew rather than check them.
MOST_ADDED = 5000
# Per user and filters, the share of checked candidates that were visible: how many to ask
# the word ranking for first next time (it sizes a request only; every answer is checked).
_shares: dict[tuple[int, str], float] = {}
_lock = threading.Lock()
_state: dict[str, Any] = {"local": 0}
# Per user: (visibility version, when listed, the sorted ids, the highest text id checked).
_allowed: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], float, np.ndarray, int]] = (
    OrderedDict()
)
_masks: dict[tuple[int, Any], tuple[np.ndarray, np.ndarray]] = {}


def _marker() -> Path:
    return Path(settings.HOME) / "vectors" / "visibility.version"


def _touch_marker() -> None:
    path = _marker()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        now = time.time_ns()
        previous = path.stat().st_mtime_ns
        os.utime(path, ns=(now, max(now, previous + 1)))
    except OSError:  # a read-only home: this process still sees its own changes
        pass


def changed() -> None:
    """Something that may decide who sees what has changed: drop every kept answer."""
    with _lock:
        _state["local"] += 1
    if not connection.in_atomic_block:
        _touch_marker()
        return
    pending = connection.run_on_commit
    if not any(entry[1] is _touch_marker for entry in pending):
        transaction.on_commit(_touch_marker)


def connect_signals() -> None:
    from presales.texts import decides

    decides.connect_signals()


def version() -> tuple[Any, ...]:
    try:
        marker = _marker().stat().st_mtime_ns
    except OSError:
        marker = 0
    return (_state["local"], marker)


def _newest_text() -> int:
    """The highest text id: one step down the table's b-tree."""
    return Text.objects.aggregate(last=Max("pk"))["last"] or 0


def allowed_ids(actor: User) -> np.ndarray:
    """The sorted ids of every text ``actor`` may see (``texts_for``), kept until the
    visibility version moves; texts added since are checked alone and joined."""
    key = (
        connection.vendor,
        connection.settings_dict["NAME"],
        actor.pk,
        actor.role,
        actor.team_id,
        actor.is_superuser,
        actor.manager_id,
    )
    current = version()
    now = time.monotonic()
    newest = _newest_text()
    with _lock:
        kept = _allowed.get(key)
    if kept is not None and kept[0] == current and now - kept[1] < MAX_AGE_SECONDS:
        checked = kept[3]
        if newest <= checked:
            with _lock:
                _allowed.move_to_end(key)
            return kept[2]
        if connection.vendor == "sqlite" and newest - checked <= MOST_ADDED:
            added = texts_among(actor, range(checked + 1, newest + 1)).order_by()
            fresh = np.fromiter(added.values_list("pk", flat=True), dtype=np.int64)
            return _keep(key, current, kept[1], np.union1d(kept[2], fresh), newest)
    # The highest id is read before the listing: a text added meanwhile is checked next time.
    ids = np.fromiter(texts_for(actor).order_by().values_list("pk", flat=True), dtype=np.int64)
    ids.sort()
    return _keep(key, current, now, ids, newest)


def _keep(
    key: tuple[Any, ...], current: tuple[Any, ...], listed: float, ids: np.ndarray, newest: int
) -> np.ndarray:
    ids.setflags(write=False)
    with _lock:
        _allowed[key] = (current, listed, ids, newest)
        _allowed.move_to_end(key)
        while len(_allowed) > CACHED_USERS:
            _allowed.popitem(last=False)
    return ids


def forget() -> None:
    """Drop every kept answer (tests; an operator's raw SQL)."""
    with _lock:
        _allowed.clear()
        _masks.clear()
        _state["local"] += 1


class Visibility:
    """The texts ``actor`` may see among candidates, after the Text-level ``lookups``
    (filters such as ``account_id`` or ``kind``)."""

    def __init__(self, actor: User, lookups: dict[str, Any]) -> None:
        self.actor = actor
        self.lookups = lookups
        self.everything = access.sees_everything(actor)
        self.key = (actor.pk, repr(sorted(lookups.items())))
        self._ids: np.ndarray | None = None

    @property
    def ids(self) -> np.ndarray | None:
        """The sorted ids of the texts the actor may see after the filters; None when that
        is every text."""
        if self._ids is None and not (self.everything and not self.lookups):
            ids = None if self.everything else allowed_ids(self.actor)
            if self.lookups:
                rows = Text.objects.filter(**self.lookups).order_by().values_list("pk", flat=True)
                chosen = np.sort(np.fromiter(rows, dtype=np.int64))
                ids = chosen if ids is None else np.intersect1d(ids, chosen, assume_unique=True)
            self._ids = ids
        return self._ids

    def among(self, ids: Iterable[int]) -> set[int]:
        wanted = np.fromiter((int(pk) for pk in ids), dtype=np.int64)
        allowed = self.ids
        if allowed is None:  # sees everything: only texts that still exist
            rows = Text.objects.filter(pk__in=wanted.tolist()).order_by()
            return set(rows.values_list("pk", flat=True))
        return set(wanted[_members(wanted, allowed)].tolist())

    def row_mask(self, ids: np.ndarray, stamp: Any) -> np.ndarray | None:
        """Which rows of the vector index (its sorted ``ids``, at ``stamp``) the actor may
        see; None for all of them."""
        allowed = self.ids
        if allowed is None:
            return None
        if self.lookups:  # made for this search alone
            return _members(ids, allowed)
        key = (id(allowed), stamp)
        with _lock:
            kept = _masks.get(key)
            if kept is not None and kept[0] is allowed:
                return kept[1]
        mask = _members(ids, allowed)
        with _lock:
            if len(_masks) >= CACHED_USERS:
                _masks.clear()
            _masks[key] = (allowed, mask)
        return mask


def _members(values: np.ndarray, sorted_ids: np.ndarray) -> np.ndarray:
    """Which of ``values`` are in ``sorted_ids``, as a boolean array."""
    if not len(sorted_ids):
        return np.zeros(len(values), dtype=bool)
    positions = np.clip(np.searchsorted(sorted_ids, values), 0, len(sorted_ids) - 1)
    return sorted_ids[positions] == values


def first_check(k: int) -> int:
    """How many of a ranking's best candidates to check first for ``k`` visible ones: enough
    when a user sees a quarter of the texts (most see more)."""
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
        wanted = max(wanted, min(int(1.3 * k / hint) + 1, 4000))
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
