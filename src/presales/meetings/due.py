"""Commitments due, ordered so the next one due is never hidden behind old debt.

Upcoming commitments (due today or within the window) come first, soonest first; then the
recently overdue, latest first; the long overdue are counted apart ("133 more overdue, oldest
14 Dec 2024") with a link to the full list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from presales.meetings.models import Commitment

UPCOMING_DAYS = 7
# Overdue by more than this many days: listed apart, as a count and the oldest date.
LONG_OVERDUE_DAYS = 30
RECENT_OVERDUE_SHOWN = 5


@dataclass
class CommitmentsDue:
    upcoming: list[Commitment] = field(default_factory=list)
    overdue: list[Commitment] = field(default_factory=list)
    more_overdue: int = 0
    oldest_overdue: date | None = None

    @property
    def empty(self) -> bool:
        return not (self.upcoming or self.overdue or self.more_overdue)

    @property
    def overdue_total(self) -> int:
        return len(self.overdue) + self.more_overdue


def commitments_due(
    commitments: QuerySet[Commitment],
    *,
    today: date | None = None,
    upcoming_limit: int = 10,
) -> CommitmentsDue:
    """Group the open ``commitments`` (already scoped to a person or a team) for a home page."""
    today = today or timezone.localdate()
    open_rows = commitments.filter(status=Commitment.Status.OPEN).select_related(
        "account", "opportunity", "owner"
    )
    upcoming = list(
        open_rows.filter(
            due_on__gte=today, due_on__lte=today + timedelta(days=UPCOMING_DAYS)
        ).order_by("due_on", "id")[:upcoming_limit]
    )
    overdue_rows = open_rows.filter(due_on__lt=today)
    shown = list(
        overdue_rows.filter(due_on__gte=today - timedelta(days=LONG_OVERDUE_DAYS)).order_by(
            "-due_on", "id"
        )[:RECENT_OVERDUE_SHOWN]
    )
    rest = overdue_rows.exclude(pk__in=[c.pk for c in shown]).aggregate(
        n=Count("pk"), oldest=Min("due_on")
    )
    return CommitmentsDue(
        upcoming=upcoming,
        overdue=shown,
        more_overdue=rest["n"] or 0,
        oldest_overdue=rest["oldest"],
    )
