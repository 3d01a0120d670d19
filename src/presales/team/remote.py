"""Where each person of a remote team is and how often their manager sees them, from what is
already recorded: their time zone (team profile, else their own setting, else the server's),
their travel in the fortnight around today (internal entries that say travel, as the capacity
figures count it), and their one-to-ones.

A one-to-one is an internal meeting with no account or deal and exactly two people on it: the
person and their manager (the ``manager`` on their user, else the manager looking). It comes
from the calendar like any meeting; nobody types it in twice. The next one is the one
already on the calendar, else the last one plus the cadence the manager set; it is overdue
when that day has passed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from presales.activities.access import activities_for
from presales.activities.models import Activity, Kind
from presales.people.models import User
from presales.team.models import OneToOneCadence, Profile
from presales.team.weekly import TRAVEL_WORDS

WINDOW = timedelta(days=7)
# How far back a last one-to-one and ahead a booked one are looked for.
LOOK_BACK = timedelta(days=183)
LOOK_AHEAD = timedelta(days=92)


@dataclass
class Remote:
    person: User
    time_zone: str
    local_time: datetime
    travel_days: list[date] = field(default_factory=list)
    every_days: int | None = None
    last: datetime | None = None
    booked: datetime | None = None  # the next one-to-one already on the calendar
    next_due: date | None = None
    overdue_days: int = 0
    can_set: bool = False

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def remote_week(viewer: User, people: list[User], *, now: datetime | None = None) -> list[Remote]:
    from presales.team.access import one_to_one_setters

    now = now or timezone.now()
    ids = [p.pk for p in people]
    settable = one_to_one_setters(viewer, ids)
    profiles = dict(Profile.objects.filter(user__in=ids).values_list("user_id", "time_zone"))
    cadences = dict(
        OneToOneCadence.objects.filter(user__in=ids).values_list("user_id", "every_days")
    )
    seen = activities_for(viewer).exclude(status=Activity.Status.CANCELLED)

    travel: defaultdict[int, set[date]] = defaultdict(set)
    trips = (
        seen.filter(
            participants__in=ids,
            customer_facing=False,
            starts_at__gte=now - WINDOW,
            starts_at__lt=now + WINDOW,
        )
        .exclude(kind=Kind.OUT_OF_BAND)
        .values_list("participants", "subject", "starts_at", "ends_at")
    )
    for who, subject, starts, ends in trips:
        if any(word in subject.lower() for word in TRAVEL_WORDS):
            day = timezone.localtime(starts).date()
            while day <= timezone.localtime(ends).date():
                travel[who].add(day)
                day += timedelta(days=1)

    # Internal meetings with no customer and exactly two people: the candidates.
    # (Counted before the filter on the people, so the count is of everyone on it.)
    pairs = (
        seen.filter(
            kind=Kind.INTERNAL,
            account__isnull=True,
            opportunity__isnull=True,
            starts_at__gte=now - LOOK_BACK,
            starts_at__lt=now + LOOK_AHEAD,
        )
        .annotate(people=Count("participants", distinct=True))
        .filter(people=2, participants__in=ids)
        .values_list("pk", flat=True)
        .distinct()
    )
    manager_of = {p.pk: (p.manager_id or viewer.pk) for p in people}
    meetings: defaultdict[int, list[datetime]] = defaultdict(list)
    attendees: defaultdict[int, set[int]] = defaultdict(set)
    starts_of: dict[int, datetime] = {}
    for pk, who, starts in Activity.objects.filter(pk__in=pairs).values_list(
        "pk", "participants", "starts_at"
    ):
        attendees[pk].add(who)
        starts_of[pk] = starts
    for pk, both in attendees.items():
        for person in both & set(ids):
            if manager_of[person] in both and manager_of[person] != person:
                meetings[person].append(starts_of[pk])

    today = timezone.localdate(now)
    default_zone = settings.TIME_ZONE
    rows = []
    for p in people:
        name = profiles.get(p.pk) or p.time_zone or default_zone
        zone = _zone(name) or ZoneInfo(default_zone)
        held = sorted(m for m in meetings[p.pk] if m <= now)
        ahead = sorted(m for m in meetings[p.pk] if m > now)
        row = Remote(
            person=p,
            time_zone=name,
            local_time=now.astimezone(zone),
            travel_days=sorted(travel[p.pk]),
            every_days=cadences.get(p.pk),
            last=held[-1] if held else None,
            booked=ahead[0] if ahead else None,
            can_set=p.pk in settable,
        )
        if row.booked is not None:
            row.next_due = timezone.localdate(row.booked)
        elif row.every_days is not None:
            row.next_due = (
                timezone.localdate(row.last) + timedelta(days=row.every_days) if row.last else today
            )
        if row.next_due is not None and row.booked is None and row.next_due < today:
            row.overdue_days = (today - row.next_due).days
        rows.append(row)
    return rows


def set_cadence(*, actor: User, person: User, every_days: int | None) -> OneToOneCadence | None:
    """Set (or, with None, clear) how often ``person`` has a one-to-one with their manager."""
    from django.core.exceptions import ValidationError

    from presales.core import access
    from presales.team.access import can_set_one_to_one

    access.require(
        can_set_one_to_one(actor, person),
        "Only an administrator or the person's manager sets their one-to-one cadence.",
    )
    if every_days is None:
        OneToOneCadence.objects.filter(user=person).delete()
        return None
    if not 1 <= every_days <= 92:
        raise ValidationError({"every_days": "A cadence is between 1 and 92 days."})
    cadence, _ = OneToOneCadence.objects.update_or_create(
        user=person, defaults={"every_days": every_days, "set_by": actor}
    )
    return cadence
