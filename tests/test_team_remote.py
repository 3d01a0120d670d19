"""The remote team: time zones, travel and one-to-ones worked out by hand on a small team, who
may set a cadence, and the page a manager uses."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from presales.activities.models import Kind
from presales.core import access
from presales.team.models import OneToOneCadence, Profile
from presales.team.remote import remote_week, set_cadence
from tests.conftest import Cast, make_account, make_activity

NOW = timezone.now()


def internal(who: list, days: float, subject: str = "Catch-up", **extra: object) -> None:
    make_activity(
        participants=who,
        starts_at=NOW + timedelta(days=days),
        kind=Kind.INTERNAL,
        subject=subject,
        customer_facing=False,
        **extra,
    )


def row_for(cast: Cast, person: object) -> object:
    rows = remote_week(cast.dave, [person])
    assert len(rows) == 1
    return rows[0]


def test_a_one_to_one_is_two_people_alone_and_the_cadence_makes_it_overdue(cast: Cast) -> None:
    alice, dave, bob = cast.alice, cast.dave, cast.bob
    internal([alice, dave], -20, "1:1")  # a one-to-one
    internal([alice, dave, bob], -9, "Team sync")  # three people: not one
    internal([alice, dave], -5, "Account plan", account=make_account(cast.north))  # a customer
    internal([alice, cast.carol], -3, "Pairing")  # not with her manager
    internal([alice], 1, "Flight to Berlin", minutes=60 * 30)  # travel over two days
    Profile.objects.create(user=alice, time_zone="Asia/Tokyo")

    row = row_for(cast, alice)
    assert row.time_zone == "Asia/Tokyo"
    assert row.local_time.utcoffset() == timedelta(hours=9)
    start = timezone.localtime(NOW + timedelta(days=1))
    end = timezone.localtime(NOW + timedelta(days=1, hours=30))
    # Every calendar day the trip touches (three when it starts in the evening).
    days = [start.date() + timedelta(days=n) for n in range((end.date() - start.date()).days + 1)]
    assert row.travel_days == days
    assert timezone.localdate(row.last) == timezone.localdate(NOW - timedelta(days=20))
    assert row.every_days is None and row.next_due is None and not row.overdue

    set_cadence(actor=dave, person=alice, every_days=14)
    row = row_for(cast, alice)
    # Last one 20 days ago, every 14 days: due 6 days ago.
    assert row.next_due == timezone.localdate(NOW - timedelta(days=20)) + timedelta(days=14)
    assert row.overdue_days == (timezone.localdate(NOW) - row.next_due).days
    assert row.overdue_days in (5, 6, 7)

    internal([alice, dave], 2, "1:1")  # booked: the next one, nothing overdue
    row = row_for(cast, alice)
    assert row.booked is not None and row.next_due == timezone.localdate(row.booked)
    assert not row.overdue


def test_with_a_cadence_and_no_one_to_one_yet_it_is_due_today(cast: Cast) -> None:
    set_cadence(actor=cast.dave, person=cast.alice, every_days=7)
    row = row_for(cast, cast.alice)
    assert row.last is None and row.next_due == timezone.localdate(NOW) and not row.overdue
    assert row.time_zone  # the server's zone when nobody set one


def test_only_the_persons_manager_or_an_admin_sets_the_cadence(cast: Cast) -> None:
    with pytest.raises(access.PermissionDenied):
        set_cadence(actor=cast.alice, person=cast.alice, every_days=7)
    with pytest.raises(access.PermissionDenied):
        set_cadence(actor=cast.erin, person=cast.alice, every_days=7)  # not her manager
    set_cadence(actor=cast.root, person=cast.alice, every_days=30)
    assert OneToOneCadence.objects.get(user=cast.alice).every_days == 30
    set_cadence(actor=cast.dave, person=cast.alice, every_days=None)
    assert not OneToOneCadence.objects.filter(user=cast.alice).exists()


def test_the_manager_sets_a_cadence_on_the_page_and_sees_what_is_overdue(cast: Cast) -> None:
    internal([cast.alice, cast.dave], -40, "1:1")
    Profile.objects.create(user=cast.alice, time_zone="Asia/Tokyo")
    manager = Client()
    manager.force_login(cast.dave)
    page = manager.get("/team/one-to-ones/").content.decode()
    assert "Alice" in page and "no cadence set" in page
    # Her local time, not the server's.
    tokyo = timezone.now().astimezone(ZoneInfo("Asia/Tokyo"))
    shown = re.search(r"(\w{3} \d\d:\d\d) there", page)
    assert shown is not None and shown.group(1)[:6] == tokyo.strftime("%a %H")
    saved = manager.post("/team/one-to-ones/", {"user": cast.alice.pk, "every_days": "14"})
    assert saved.status_code == 302
    page = manager.get("/team/one-to-ones/").content.decode()
    assert "overdue" in page and "1 one-to-one overdue" in page
    bad = manager.post("/team/one-to-ones/", {"user": cast.alice.pk, "every_days": "400"})
    assert bad.status_code == 422 and "between 1 and 92" in bad.content.decode()
    assert OneToOneCadence.objects.get(user=cast.alice).every_days == 14
    week = manager.get("/?view=team").content.decode()
    assert 'id="week-remote"' in week and "one-to-one overdue" in week

    se = Client()
    se.force_login(cast.alice)
    assert se.get("/team/one-to-ones/").status_code == 403
    refused = se.post("/team/one-to-ones/", {"user": cast.alice.pk, "every_days": "7"})
    assert refused.status_code == 403
    assert OneToOneCadence.objects.get(user=cast.alice).every_days == 14
