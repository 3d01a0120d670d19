"""Time out of the field against the quarter's plan: per SE of a team, the hours the manager
planned, the hours approved (already spent and still ahead), the hours waiting for a decision,
and what is left of the plan. An entry counts in the quarter its first day falls in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from presales.people.models import Team, User
from presales.team.capacity import team_members
from presales.team.models import OutOfFieldPlan, TimeOutOfField
from presales.team.skill_services import quarter_end, quarter_start

DEFAULT_PLAN_HOURS = OutOfFieldPlan._meta.get_field("hours_per_se").default
Status = TimeOutOfField.Status


@dataclass
class PlanRow:
    user: User
    planned: int
    spent: int
    ahead: int
    waiting: int

    @property
    def approved(self) -> int:
        return self.spent + self.ahead

    @property
    def left(self) -> int:
        return self.planned - self.approved

    @property
    def over(self) -> bool:
        return self.approved > self.planned


@dataclass
class QuarterPlan:
    team: Team
    start: date
    end: date
    hours_per_se: int
    planned_by_manager: bool
    rows: list[PlanRow]
    waiting: list[TimeOutOfField]
    entries: list[TimeOutOfField]

    @property
    def totals(self) -> dict[str, int]:
        return {
            "planned": sum(r.planned for r in self.rows),
            "approved": sum(r.approved for r in self.rows),
            "waiting": sum(r.waiting for r in self.rows),
        }


def quarter_plan(team: Team, day: date | None = None, today: date | None = None) -> QuarterPlan:
    """The quarter holding ``day`` (default today); ``today`` splits spent from ahead."""
    today = today or timezone.localdate()
    day = day or today
    start, end = quarter_start(day), quarter_end(day)
    plan = OutOfFieldPlan.objects.filter(team=team, quarter_start=start).first()
    hours = plan.hours_per_se if plan else DEFAULT_PLAN_HOURS
    people = team_members(team)
    in_quarter = TimeOutOfField.objects.filter(
        user__in=[p.pk for p in people], starts_on__gte=start, starts_on__lte=end
    )
    sums = {
        row["user_id"]: row
        for row in in_quarter.values("user_id")
        .annotate(
            spent=Sum("hours", filter=Q(status=Status.APPROVED, starts_on__lte=today), default=0),
            ahead=Sum("hours", filter=Q(status=Status.APPROVED, starts_on__gt=today), default=0),
            waiting=Sum("hours", filter=Q(status=Status.REQUESTED), default=0),
        )
        .order_by()
    }
    rows = [
        PlanRow(
            user=p,
            planned=hours,
            spent=sums.get(p.pk, {}).get("spent", 0),
            ahead=sums.get(p.pk, {}).get("ahead", 0),
            waiting=sums.get(p.pk, {}).get("waiting", 0),
        )
        for p in people
    ]
    entries = list(in_quarter.select_related("user", "decided_by").order_by("starts_on", "id"))
    waiting = list(
        TimeOutOfField.objects.filter(
            user__in=[p.pk for p in people], status=Status.REQUESTED, ends_on__gte=today
        )
        .select_related("user")
        .order_by("starts_on", "id")
    )
    return QuarterPlan(
        team=team,
        start=start,
        end=end,
        hours_per_se=hours,
        planned_by_manager=plan is not None,
        rows=rows,
        waiting=waiting,
        entries=entries,
    )


def plan_json(plan: QuarterPlan) -> dict[str, Any]:
    return {
        "team": plan.team.name,
        "quarter": {"from": plan.start, "to": plan.end},
        "hours_per_se": plan.hours_per_se,
        "ses": [
            {
                "user": r.user.username,
                "planned": r.planned,
                "spent": r.spent,
                "ahead": r.ahead,
                "waiting": r.waiting,
                "left": r.left,
            }
            for r in plan.rows
        ],
        "entries": [
            {
                "id": e.pk,
                "user": e.user.username,
                "kind": e.kind,
                "title": e.title,
                "starts_on": e.starts_on,
                "ends_on": e.ends_on,
                "hours": e.hours,
                "status": e.status,
            }
            for e in plan.entries
        ],
    }


def week_entries(people: QuerySet[User] | list[User], today: date | None = None) -> Any:
    """Time out of the field in the last and next seven days (approved or waiting), for weeks."""
    today = today or timezone.localdate()
    return (
        TimeOutOfField.objects.filter(
            user__in=people,
            status__in=(Status.APPROVED, Status.REQUESTED),
            starts_on__lte=today + timedelta(days=7),
            ends_on__gte=today - timedelta(days=7),
        )
        .select_related("user")
        .order_by("starts_on", "id")
    )
