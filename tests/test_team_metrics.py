"""The scorecard metric "requests for SE help fulfilled on time", computed by hand."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from presales.scorecards.metrics import BUILTIN, Ask
from presales.scorecards.periods import Quarter, Span
from presales.team.models import SERequest
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _request(assignee: object, last_day: date, fulfilled: date | None, status: str) -> None:
    tz = timezone.get_current_timezone()
    SERequest.objects.create(
        kind="demo",
        summary="Demo",
        starts_on=last_day,
        ends_on=last_day,
        assignee=assignee,
        status=status,
        created_at=datetime.combine(date(2024, 3, 1), time(9), tzinfo=tz),
        fulfilled_at=datetime.combine(fulfilled, time(17), tzinfo=tz) if fulfilled else None,
    )


def test_requests_fulfilled_on_time_by_hand(cast: Cast) -> None:
    done = SERequest.Status.FULFILLED
    _request(cast.alice, date(2024, 4, 10), date(2024, 4, 10), done)  # on its last day
    _request(cast.alice, date(2024, 5, 10), date(2024, 5, 8), done)  # early
    _request(cast.alice, date(2024, 6, 1), date(2024, 6, 4), done)  # three days late
    _request(cast.alice, date(2024, 6, 1), None, SERequest.Status.ACCEPTED)  # not fulfilled
    _request(cast.alice, date(2024, 3, 30), date(2024, 3, 30), done)  # the quarter before
    _request(cast.carol, date(2024, 5, 1), date(2024, 5, 3), done)  # late, Carol's

    metric = BUILTIN["requests_fulfilled_on_time"]
    q2 = Span.of(Quarter(2024, 2))
    alice = metric.measure([cast.alice.pk], q2)
    assert (alice.value, alice.sample) == (66.7, 3)  # two of three
    both = metric.measure([cast.alice.pk, cast.carol.pk], q2)
    assert (both.value, both.sample) == (50.0, 4)
    nobody = metric.measure([cast.bob.pk], q2)
    assert nobody.value is None and not nobody.has_data
    asks = [
        Ask.of([cast.alice.pk], q2),
        Ask.of([cast.alice.pk, cast.carol.pk], q2),
        Ask.of([cast.alice.pk], Span.of(Quarter(2024, 1))),
    ]
    batch = metric.measure_many(asks)
    for ask in asks:
        assert batch[ask] == metric.measure(list(ask.people), ask.span)
    assert batch[asks[2]].value == 100.0
