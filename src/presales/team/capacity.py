"""Capacity: each SE's load from recorded work, never typed in.

Per SE over the last four weeks: customer-facing hours, preparation (internal time on an account
or deal), travel (calendar entries that say so), out-of-band hours, and their share of all
recorded hours; approved time out of the field (training, lab time, trade shows), which counts
in the weekly load, the heat map and the hours booked ahead; POCs running, open deals supported
by stage and requests open; then the hours already booked in each of the next four weeks. The
load state compares the weekly hours and the open work (deals plus requests) with the
thresholds the team's manager sets. Every figure carries the team median as its reference.
Read-only; a constant number of queries whatever the rows: the hours come from the weekly
totals per SE and kind of time kept by ``team.weekly``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from presales.core.stats import median_or_none
from presales.deals.models import OPEN_STAGES, Opportunity, Stage
from presales.people.models import Role, Team, User
from presales.team.models import CapacityPolicy, SERequest, TimeOutOfField, WeeklyLoad

WEEKS_BACK = 4
WEEKS_AHEAD = 4
OPEN_REQUEST = (SERequest.Status.ASSIGNED, SERequest.Status.ACCEPTED)


class State:
    AVAILABLE = "available"
    STRETCHED = "stretched"
    AT_CAPACITY = "at capacity"
    ORDER = {AVAILABLE: 0, STRETCHED: 1, AT_CAPACITY: 2}


@dataclass
class Figure:
    """One figure of one SE: ``n`` of ``population`` for shares; ``reference`` the team median."""

    label: str
    value: float | None
    unit: str
    n: float | None = None
    population: float | None = None
    reference: float | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"value": self.value, "unit": self.unit}
        if self.population is not None:
            data["n"] = self.n
            data["N"] = self.population
        data["reference"] = self.reference
        return data


@dataclass
class SECapacity:
    user: User
    state: str
    figures: dict[str, Figure]
    deals_by_stage: dict[str, int]
    past_weeks: list[float]
    next_weeks: list[float]
    reasons: list[str] = field(default_factory=list)


@dataclass
class TeamCapacity:
    team: Team
    policy: CapacityPolicy
    window_start: date
    window_end: date
    week_starts: list[date]
    rows: list[SECapacity]

    @property
    def next_in_line(self) -> list[SECapacity]:
        """Who can take the next request: the least loaded first, at-capacity SEs left out."""
        free = [r for r in self.rows if r.state != State.AT_CAPACITY]
        return sorted(
            free,
            key=lambda r: (
                State.ORDER[r.state],
                r.figures["hours_per_week"].value or 0,
                r.figures["open_work"].value or 0,
            ),
        )

    def heat(self, hours: float) -> str:
        return state_for_hours(self.policy, hours)


def policy_for(team: Team) -> CapacityPolicy:
    """The team's thresholds, or the defaults (unsaved) until its manager sets them."""
    found = CapacityPolicy.objects.filter(team=team).first()
    return found or CapacityPolicy(team=team)


def state_for_hours(policy: CapacityPolicy, hours: float) -> str:
    if hours >= policy.capacity_hours:
        return State.AT_CAPACITY
    if hours >= policy.stretched_hours:
        return State.STRETCHED
    return State.AVAILABLE


def _state(policy: CapacityPolicy, hours: float, work: int) -> tuple[str, list[str]]:
    by_hours = state_for_hours(policy, hours)
    if work >= policy.capacity_deals:
        by_work = State.AT_CAPACITY
    elif work >= policy.stretched_deals:
        by_work = State.STRETCHED
    else:
        by_work = State.AVAILABLE
    reasons = []
    if by_hours != State.AVAILABLE:
        reasons.append(f"{hours:.1f} h a week (stretched from {policy.stretched_hours})")
    if by_work != State.AVAILABLE:
        reasons.append(f"{work} deals and requests open (stretched from {policy.stretched_deals})")
    worst = max(by_hours, by_work, key=State.ORDER.__getitem__)
    return worst, reasons


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def team_members(team: Team) -> list[User]:
    return list(team.members.filter(role=Role.SE, is_active=True).order_by("first_name", "id"))


def _hours_by_se(starts: list[date], ids: list[int]) -> dict[int, dict[str, float]]:
    """Hours per SE: ``total``, ``facing``, ``oob``, ``travel`` and ``prep`` over the past weeks,
    and ``w0``.. for every week of the window, from the weekly totals (``team.weekly``): one
    query reading at most people x weeks x 5 rows, whatever the number of activities."""
    keys = ["total", "facing", "oob", "travel", "prep", *(f"w{w}" for w in range(len(starts)))]
    totals: dict[int, dict[str, float]] = {pk: dict.fromkeys(keys, 0.0) for pk in ids}
    index = {week: w for w, week in enumerate(starts)}
    rows = WeeklyLoad.objects.filter(
        user_id__in=ids, week__gte=starts[0], week__lte=starts[-1]
    ).values_list("user_id", "week", "category", "seconds")
    for user, week, category, seconds in rows:
        found = totals.get(user)
        w = index.get(week)
        if found is None or w is None:
            continue
        hours = seconds / 3600
        found[f"w{w}"] += hours
        if w < WEEKS_BACK:
            found["total"] += hours
            if category != WeeklyLoad.Category.OTHER:
                found[category] += hours
    return totals


def _time_out_by_se(starts: list[date], ids: list[int]) -> dict[int, list[float]]:
    """Approved time out of the field per SE and week of the window: an entry's hours spread
    evenly over its working days (Monday to Friday; every day if it has none). One query."""
    first, last = starts[0], starts[-1] + timedelta(days=6)
    weeks: dict[int, list[float]] = {pk: [0.0] * len(starts) for pk in ids}
    index = {week: w for w, week in enumerate(starts)}
    entries = TimeOutOfField.objects.filter(
        user_id__in=ids,
        status=TimeOutOfField.Status.APPROVED,
        starts_on__lte=last,
        ends_on__gte=first,
    ).values_list("user_id", "starts_on", "ends_on", "hours")
    for user, begins, ends, hours in entries:
        days = [begins + timedelta(days=d) for d in range((ends - begins).days + 1)]
        working = [d for d in days if d.weekday() < 5] or days
        share = hours / len(working)
        for day in working:
            w = index.get(week_start(day))
            if w is not None:
                weeks[user][w] += share
    return weeks


def team_capacity(*, team: Team, today: date | None = None) -> TeamCapacity:
    today = today or timezone.localdate()
    this_week = week_start(today)
    starts = [this_week + timedelta(weeks=w) for w in range(-WEEKS_BACK, WEEKS_AHEAD)]
    policy = policy_for(team)
    people = team_members(team)
    ids = [p.pk for p in people]

    totals = _hours_by_se(starts, ids)
    away = _time_out_by_se(starts, ids)
    for pk, weeks in away.items():
        for w, hours in enumerate(weeks):
            totals[pk][f"w{w}"] += hours
    stages: dict[int, Counter[str]] = defaultdict(Counter)
    se_link: Any = Opportunity.sales_engineers.through.objects
    # Counted per SE and stage over all their deals, open stages kept here: a filter on the
    # stage in SQL makes SQLite probe every open deal for each SE instead of reading each SE's
    # links through their index.
    open_stages = set(OPEN_STAGES)
    for user, stage, count in (
        se_link.filter(user_id__in=ids)
        .values("user_id", "opportunity__stage")
        .annotate(n=Count("pk"))
        .values_list("user_id", "opportunity__stage", "n")
        .order_by()
    ):
        if stage in open_stages:
            stages[user][stage] += count
    requests = Counter(
        SERequest.objects.filter(assignee_id__in=ids, status__in=OPEN_REQUEST).values_list(
            "assignee_id", flat=True
        )
    )

    rows = []
    for person in people:
        h = totals[person.pk]
        deals = sum(stages[person.pk].values())
        work = deals + requests[person.pk]
        time_out = sum(away[person.pk][:WEEKS_BACK])
        per_week = (h["total"] + time_out) / WEEKS_BACK
        state, reasons = _state(policy, per_week, work)
        figures = {
            "hours_per_week": Figure(
                "Recorded hours a week, time out included", round(per_week, 1), "hours"
            ),
            "customer_facing_hours": Figure("Customer-facing", round(h["facing"], 1), "hours"),
            "customer_facing_share": Figure(
                "Customer-facing share",
                round(h["facing"] / h["total"], 3) if h["total"] else None,
                "share",
                n=round(h["facing"], 1),
                population=round(h["total"], 1),
            ),
            "preparation_hours": Figure("Preparation", round(h["prep"], 1), "hours"),
            "travel_hours": Figure("Travel", round(h["travel"], 1), "hours"),
            "out_of_band_hours": Figure("Out-of-band", round(h["oob"], 1), "hours"),
            "time_out_hours": Figure("Time out of the field", round(time_out, 1), "hours"),
            "pocs_running": Figure("POCs running", stages[person.pk][Stage.POC], "deals"),
            "deals_supported": Figure("Open deals supported", deals, "deals"),
            "requests_open": Figure("Requests open", requests[person.pk], "requests"),
            "open_work": Figure("Deals and requests open", work, "items"),
            "booked_next_four_weeks": Figure(
                "Booked, next four weeks",
                round(sum(h[f"w{w}"] for w in range(WEEKS_BACK, WEEKS_BACK + WEEKS_AHEAD)), 1),
                "hours",
            ),
        }
        rows.append(
            SECapacity(
                user=person,
                state=state,
                figures=figures,
                deals_by_stage={s: stages[person.pk][s] for s in OPEN_STAGES},
                past_weeks=[round(h[f"w{w}"], 1) for w in range(WEEKS_BACK)],
                next_weeks=[
                    round(h[f"w{w}"], 1) for w in range(WEEKS_BACK, WEEKS_BACK + WEEKS_AHEAD)
                ],
                reasons=reasons,
            )
        )
    for key in rows[0].figures if rows else ():
        values = [float(v) for r in rows if (v := r.figures[key].value) is not None]
        reference = median_or_none(values)
        for r in rows:
            r.figures[key].reference = round(reference, 3) if reference is not None else None
    return TeamCapacity(
        team=team,
        policy=policy,
        window_start=starts[0],
        window_end=starts[WEEKS_BACK] - timedelta(days=1),
        week_starts=starts,
        rows=rows,
    )


def capacity_json(report: TeamCapacity) -> dict[str, Any]:
    return {
        "team": report.team.name,
        "window": {"from": report.window_start, "to": report.window_end},
        "thresholds": {
            "stretched_hours": report.policy.stretched_hours,
            "capacity_hours": report.policy.capacity_hours,
            "stretched_deals": report.policy.stretched_deals,
            "capacity_deals": report.policy.capacity_deals,
        },
        "ses": [
            {
                "user": r.user.username,
                "name": str(r.user),
                "state": r.state,
                "reasons": r.reasons,
                **{key: fig.as_json() for key, fig in r.figures.items()},
                "deals_by_stage": r.deals_by_stage,
                "next_weeks": [
                    {"week": str(d), "hours": v}
                    for d, v in zip(report.week_starts[WEEKS_BACK:], r.next_weeks, strict=True)
                ],
            }
            for r in report.rows
        ],
        "next_in_line": [r.user.username for r in report.next_in_line],
    }
