"""The team's week, as a manager lands on it: who meets whom, which debriefs are owed, which
commitments fall due, which deals moved and who was pulled into out-of-band work, with each
person one click away. Read-only; every count is of what the manager may see."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from presales.activities.access import activities_for
from presales.activities.models import CUSTOMER_FACING_KINDS, Activity, Kind
from presales.deals.access import opportunities_for
from presales.deals.models import CLOSED_STAGES, StageChange
from presales.meetings.access import commitments_for
from presales.meetings.due import CommitmentsDue, commitments_due
from presales.meetings.models import Commitment
from presales.meetings.services import DEBRIEF_DUE_HOURS, DEBRIEF_NAG_DAYS
from presales.people.models import User
from presales.scorecards.access import scorecard_people_for

WEEK = timedelta(days=7)
# A team page lists at most this many people; a larger org picks a team or a person.
PEOPLE_LIMIT = 60
LIST_LIMIT = 12


@dataclass
class PersonWeek:
    person: User
    meetings: int = 0
    debriefs_owed: int = 0
    commitments_due: int = 0
    overdue: int = 0
    out_of_band: int = 0
    out_of_band_minutes: int = 0
    open_deals: int = 0


@dataclass
class TeamWeek:
    people: list[PersonWeek]
    more_people: int
    meetings: list[Activity]
    meetings_total: int
    debriefs_owed: list[Activity]
    debriefs_owed_total: int
    commitments: CommitmentsDue
    deals_moving: list[StageChange]
    deals_moving_total: int
    out_of_band: list[Activity]
    out_of_band_total: int
    out_of_band_minutes: int
    since: datetime
    until: datetime
    notes: list[str] = field(default_factory=list)


def team_people(manager: User) -> QuerySet[User]:
    """The people whose week the manager may open: those they see a scorecard of."""
    return (
        scorecard_people_for(manager)
        .filter(is_active=True)
        .exclude(pk=manager.pk)
        .select_related("team")
        .order_by("first_name", "last_name", "username")
    )


def _debriefs_owed(activities: QuerySet[Activity], now: datetime) -> QuerySet[Activity]:
    # A debrief is owed for a customer meeting, never for internal or out-of-band work.
    return activities.filter(
        customer_facing=True,
        kind__in=CUSTOMER_FACING_KINDS,
        ends_at__lte=now - timedelta(hours=DEBRIEF_DUE_HOURS),
        ends_at__gte=now - timedelta(days=DEBRIEF_NAG_DAYS),
        debrief__isnull=True,
    ).exclude(status=Activity.Status.CANCELLED)


def _per_person(rows: QuerySet[Activity], people: list[int]) -> Counter[int]:
    counted = (
        rows.filter(participants__in=people)
        .values("participants")
        .annotate(n=Count("pk", distinct=True))
    )
    return Counter({r["participants"]: r["n"] for r in counted})


def team_week(manager: User, *, now: datetime | None = None) -> TeamWeek:
    now = now or timezone.now()
    today = timezone.localdate(now)
    everyone = team_people(manager)
    people = list(everyone[:PEOPLE_LIMIT])
    ids = [p.pk for p in people]
    seen = activities_for(manager)
    theirs = seen.filter(participants__in=ids)

    upcoming = theirs.filter(starts_at__gte=now, starts_at__lt=now + WEEK).exclude(
        status=Activity.Status.CANCELLED
    )
    owed = _debriefs_owed(theirs, now)
    # Out-of-band work is internal and often tied to no account, so the account rules would
    # hide it from the manager; the manager sees it for the people whose scorecard they see,
    # unless it names an account or deal the manager may not see.
    oob = Activity.objects.filter(
        Q(pk__in=seen.values("pk")) | Q(account__isnull=True, opportunity__isnull=True),
        kind=Kind.OUT_OF_BAND,
        participants__in=ids,
        starts_at__gte=now - WEEK,
        starts_at__lt=now,
    )
    commitments = commitments_for(manager).filter(owner__in=ids)
    deals = opportunities_for(manager).filter(Q(owner__in=ids) | Q(sales_engineers__in=ids))
    moving = StageChange.objects.filter(
        opportunity__in=deals.values("pk"), changed_at__gte=now - WEEK, changed_at__lte=now
    )

    meetings = _per_person(upcoming, ids)
    owed_by = _per_person(owed, ids)
    due_by = Counter(
        dict(
            commitments.filter(status=Commitment.Status.OPEN, due_on__lte=today + timedelta(days=7))
            .values_list("owner")
            .annotate(n=Count("pk"))
            .values_list("owner", "n")
        )
    )
    overdue_by = Counter(
        dict(
            commitments.filter(status=Commitment.Status.OPEN, due_on__lt=today)
            .values_list("owner")
            .annotate(n=Count("pk"))
            .values_list("owner", "n")
        )
    )
    oob_count: Counter[int] = Counter()
    oob_minutes: Counter[int] = Counter()
    oob_rows = list(oob.distinct().prefetch_related("participants"))
    for a in oob_rows:
        for p in a.participants.all():
            if p.pk in ids:
                oob_count[p.pk] += 1
                oob_minutes[p.pk] += a.duration_minutes
    open_deals: defaultdict[int, set[int]] = defaultdict(set)
    for deal, owner, se in (
        deals.exclude(stage__in=CLOSED_STAGES)
        .values_list("pk", "owner_id", "sales_engineers")
        .distinct()
    ):
        for who in (owner, se):
            if who in ids:
                open_deals[who].add(deal)

    rows = [
        PersonWeek(
            person=p,
            meetings=meetings[p.pk],
            debriefs_owed=owed_by[p.pk],
            commitments_due=due_by[p.pk],
            overdue=overdue_by[p.pk],
            out_of_band=oob_count[p.pk],
            out_of_band_minutes=oob_minutes[p.pk],
            open_deals=len(open_deals[p.pk]),
        )
        for p in people
    ]
    upcoming_rows = (
        upcoming.distinct()
        .select_related("account", "opportunity")
        .prefetch_related("participants")
    )
    owed_rows = (
        owed.distinct().select_related("account", "opportunity").prefetch_related("participants")
    )
    moving_rows = moving.select_related("opportunity", "opportunity__account", "changed_by")
    total_people = everyone.count()
    notes = []
    if total_people > len(people):
        notes.append(
            f"Showing {len(people)} of {total_people} people; "
            "open a team's scoreboard for the rest."
        )
    return TeamWeek(
        people=rows,
        more_people=total_people - len(people),
        meetings=list(upcoming_rows.order_by("starts_at", "id")[:LIST_LIMIT]),
        meetings_total=upcoming_rows.count(),
        debriefs_owed=list(owed_rows.order_by("ends_at", "id")[:LIST_LIMIT]),
        debriefs_owed_total=owed_rows.count(),
        commitments=commitments_due(commitments, today=today),
        deals_moving=list(moving_rows.order_by("-changed_at", "-id")[:LIST_LIMIT]),
        deals_moving_total=moving.count(),
        out_of_band=sorted(oob_rows, key=lambda a: a.starts_at, reverse=True)[:LIST_LIMIT],
        out_of_band_total=len(oob_rows),
        out_of_band_minutes=sum(a.duration_minutes for a in oob_rows),
        since=now - WEEK,
        until=now + WEEK,
        notes=notes,
    )
