"""Scorecard metrics the SE team's records make possible: requests for SE help fulfilled on
time (the share of the person's requests fulfilled in the period by their last day). The share
of customer-facing time is already a scorecard metric (``customer_facing_time``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.utils import timezone

from presales.scorecards.metrics.base import Ask, Measure, percent
from presales.scorecards.periods import Span
from presales.team.models import SERequest

NONE_FULFILLED = "No request for SE help fulfilled."


Row = tuple[int, datetime, date]


def _rows(people: Sequence[int], start: datetime, end: datetime) -> list[Row]:
    found = (
        SERequest.objects.filter(
            assignee_id__in=people,
            status=SERequest.Status.FULFILLED,
            fulfilled_at__gte=start,
            fulfilled_at__lt=end,
        )
        .values_list("assignee_id", "fulfilled_at", "ends_on")
        .order_by()
    )
    return [(who, at, last) for who, at, last in found if at is not None]


def _measure(rows: list[Row]) -> Measure:
    on_time = sum(1 for _, at, last in rows if timezone.localdate(at) <= last)
    return Measure(
        percent(on_time, len(rows)), len(rows), "requests fulfilled", "" if rows else NONE_FULFILLED
    )


def requests_fulfilled_on_time(people: Sequence[int], span: Span) -> Measure:
    start, end = span.window()
    return _measure(_rows(people, start, end))


def requests_fulfilled_on_time_batch(asks: Sequence[Ask]) -> dict[Ask, Measure]:
    """The same figures for many asks from one query over everyone and the spans' hull."""
    if not asks:
        return {}
    people = {pk for ask in asks for pk in ask.people}
    first = min(a.span.start for a in asks)
    last = max(a.span.end for a in asks)
    start, end = Span(first, last).window()
    rows = _rows(sorted(people), start, end)
    out = {}
    for ask in asks:
        a_start, a_end = ask.span.window()
        mine = [r for r in rows if r[0] in ask.people and a_start <= r[1] < a_end]
        out[ask] = _measure(mine)
    return out
