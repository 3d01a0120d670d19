"""Scorecard metrics the demo catalog and the training labs make possible: demos contributed to
the master library, and training labs completed. Each has a one-by-one measure and a batch that
gives the same figures for many asks from one query over everyone and the spans' hull."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from presales.demos.models import Demo
from presales.lab.models import Attendance
from presales.scorecards.periods import Span

if TYPE_CHECKING:
    # The scorecards' metric catalog imports this module; its types are read lazily.
    from presales.scorecards.metrics.base import Ask, Measure


def _count(rows: int, of: str) -> Measure:
    from presales.scorecards.metrics.base import Measure

    return Measure(float(rows), rows, of)


def _hull(asks: Sequence[Ask]) -> Span:
    return Span(min(a.span.start for a in asks), max(a.span.end for a in asks))


# -- demos contributed to the master library ---------------------------------------------------

MASTER_OF = "demos in the master library"


def _masters(people: Sequence[int], start: datetime, end: datetime) -> list[tuple[int, datetime]]:
    """Master demos the people own, dated by the day a manager put them in the library."""
    rows = (
        Demo.objects.filter(
            owner_id__in=people,
            state=Demo.State.MASTER,
            curated_at__gte=start,
            curated_at__lt=end,
        )
        .values_list("owner_id", "curated_at")
        .order_by()
    )
    return [(owner, at) for owner, at in rows if at is not None]


def demos_contributed(people: Sequence[int], span: Span) -> Measure:
    start, end = span.window()
    return _count(len(_masters(people, start, end)), MASTER_OF)


def demos_contributed_batch(asks: Sequence[Ask]) -> dict[Ask, Measure]:
    if not asks:
        return {}
    start, end = _hull(asks).window()
    rows = _masters(sorted({pk for a in asks for pk in a.people}), start, end)
    out = {}
    for ask in asks:
        a_start, a_end = ask.span.window()
        n = sum(1 for who, at in rows if who in ask.people and a_start <= at < a_end)
        out[ask] = _count(n, MASTER_OF)
    return out


# -- training labs completed -------------------------------------------------------------------

TRAINING_OF = "training labs completed"


def _completed(people: Sequence[int], first: date, last: date) -> list[tuple[int, date]]:
    found = (
        Attendance.objects.filter(
            user_id__in=people, completed_on__gte=first, completed_on__lte=last
        )
        .values_list("user_id", "completed_on")
        .order_by()
    )
    return [(who, day) for who, day in found if day is not None]


def trainings_completed(people: Sequence[int], span: Span) -> Measure:
    return _count(len(_completed(people, span.start, span.end)), TRAINING_OF)


def trainings_completed_batch(asks: Sequence[Ask]) -> dict[Ask, Measure]:
    if not asks:
        return {}
    hull = _hull(asks)
    rows = _completed(sorted({pk for a in asks for pk in a.people}), hull.start, hull.end)
    out = {}
    for ask in asks:
        first, last = ask.span.start, ask.span.end
        n = sum(1 for who, day in rows if who in ask.people and first <= day <= last)
        out[ask] = _count(n, TRAINING_OF)
    return out
