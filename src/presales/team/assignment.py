"""Where a request for SE help goes and who should take it. Read-only.

Routing: the most specific rule wins (region and kind, then kind, then region, then a rule for
everything); without a matching rule the request goes to the team of its deal or account, else
to the requester's team.

Ranking: each SE of the routed team gets a score out of 100 made of four parts, each with its
reason shown: skill match (the requested skills at the SE's level, the manager's assessment
first), current load (the capacity state and the hours a week), time zone (hours apart from the
customer) and prior relationship with the account (meetings attended, deals supported).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone

from presales.activities.models import Activity
from presales.deals.models import Opportunity
from presales.people.models import Region, Team, User
from presales.team.capacity import State, TeamCapacity, team_capacity
from presales.team.models import Profile, RoutingRule, SERequest, SkillLevel

WEIGHTS = {"skills": 40, "load": 30, "time_zone": 15, "relationship": 15}
LOAD_SCORE = {State.AVAILABLE: 1.0, State.STRETCHED: 0.4, State.AT_CAPACITY: 0.0}
MAX_LEVEL = 4
FULL_RELATIONSHIP = 5  # meetings or deals on the account that count as a known face


@dataclass
class Candidate:
    user: User
    score: float
    parts: dict[str, float]
    reasons: list[str] = field(default_factory=list)
    state: str = State.AVAILABLE


def region_of(request: SERequest) -> Region | None:
    for owner in (request.opportunity, request.account):
        team = getattr(owner, "team", None)
        if team is not None:
            return team.region
    requester = request.requested_by
    return requester.team.region if requester and requester.team else None


def route(request: SERequest) -> Team | None:
    region = region_of(request)
    rules = list(
        RoutingRule.objects.filter(
            Q(region__isnull=True) | Q(region=region), Q(kind="") | Q(kind=request.kind)
        ).select_related("team")
    )
    if rules:
        rules.sort(key=lambda r: (bool(r.kind) * 2 + bool(r.region_id), -r.pk), reverse=True)
        return rules[0].team
    for owner in (request.opportunity, request.account):
        team = getattr(owner, "team", None)
        if team is not None:
            return team
    requester = request.requested_by
    return requester.team if requester else None


def _offset_hours(zone: str, at: datetime) -> float | None:
    if not zone:
        return None
    offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else None


def rank_candidates(*, request: SERequest, capacity: TeamCapacity | None = None) -> list[Candidate]:
    """The SEs of the request's team, best first, with the reasons for each score."""
    if request.team is None:
        return []
    capacity = capacity or team_capacity(team=request.team)
    people = [r.user for r in capacity.rows]
    ids = [p.pk for p in people]
    wanted = list(request.skills.all()) if request.pk else []
    levels: dict[tuple[int, int], int] = {
        (s.user_id, s.skill_id): s.level
        for s in SkillLevel.objects.filter(user_id__in=ids, skill__in=wanted)
    }
    zones = dict(Profile.objects.filter(user_id__in=ids).values_list("user_id", "time_zone"))
    met: dict[int, int] = {}
    deals: dict[int, int] = {}
    account_id = request.account_id or (
        request.opportunity.account_id if request.opportunity else None
    )
    if account_id:
        met = dict(
            Activity.participants.through.objects.filter(
                user_id__in=ids, activity__account_id=account_id
            )
            .values_list("user_id")
            .annotate(n=Count("activity_id"))
            .order_by()
        )
        deals = dict(
            Opportunity.sales_engineers.through.objects.filter(
                user_id__in=ids, opportunity__account_id=account_id
            )
            .values_list("user_id")
            .annotate(n=Count("opportunity_id"))
            .order_by()
        )
    now = timezone.now()
    customer = _offset_hours(request.customer_time_zone, now)
    ranked = []
    for row in capacity.rows:
        person = row.user
        reasons = []
        if wanted:
            got = [(s, levels.get((person.pk, s.pk), 0)) for s in wanted]
            skills = sum(min(level, MAX_LEVEL) for _, level in got) / (MAX_LEVEL * len(wanted))
            have = [f"{s.name} {level}/{MAX_LEVEL}" for s, level in got if level]
            missing = [s.name for s, level in got if not level]
            reasons.append(
                "skills: "
                + (", ".join(have) or "none of those asked")
                + (f"; lacks {', '.join(missing)}" if missing and have else "")
            )
        else:
            skills = 1.0
            reasons.append("no particular skill asked")
        load = LOAD_SCORE[row.state]
        reasons.append(
            f"{row.state}: {row.figures['hours_per_week'].value:.1f} h a week, "
            f"{row.figures['open_work'].value} deals and requests open"
        )
        theirs = _offset_hours(zones.get(person.pk, ""), now)
        if customer is None or theirs is None:
            zone = 0.5
            reasons.append("time zone unknown")
        else:
            apart = abs(customer - theirs)
            apart = min(apart, 24 - apart)
            zone = max(0.0, 1 - apart / 8)
            reasons.append(f"{apart:.0f} h from the customer ({zones[person.pk]})")
        history = met.get(person.pk, 0) + deals.get(person.pk, 0)
        relationship = min(1.0, history / FULL_RELATIONSHIP)
        if history:
            reasons.append(
                f"knows the account: {met.get(person.pk, 0)} meeting(s), "
                f"{deals.get(person.pk, 0)} deal(s)"
            )
        else:
            reasons.append("new to the account")
        parts = {"skills": skills, "load": load, "time_zone": zone, "relationship": relationship}
        score = sum(WEIGHTS[k] * v for k, v in parts.items())
        ranked.append(Candidate(person, round(score, 1), parts, reasons, row.state))
    ranked.sort(key=lambda c: (-c.score, str(c.user)))
    return ranked
