"""Business rules of the SE team: thresholds, out-of-band logging, requests and assignment.

Every function takes keyword-only arguments and checks the actor through presales.core.access.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from presales.activities.models import Activity, Kind
from presales.activities.services import create_activity
from presales.core import access
from presales.core.services import apply_changes, validate_and_save
from presales.people.models import Team, User
from presales.team.capacity import policy_for
from presales.team.models import CapacityPolicy, OutOfBandSource, ProblemOwner


@transaction.atomic
def set_capacity_policy(*, actor: User, team: Team, values: dict[str, Any]) -> CapacityPolicy:
    """The team's manager (or an administrator) sets the thresholds of its load states."""
    access.require(
        access.can_manage_team(actor, team), "Only the team's manager sets its thresholds."
    )
    policy = policy_for(team)
    apply_changes(policy, values)
    policy.updated_by = actor
    validate_and_save(policy)
    return policy


@transaction.atomic
def log_out_of_band(
    *,
    actor: User,
    department: str,
    problem: str,
    minutes: int,
    day: date,
    se: User | None = None,
) -> Activity:
    """Record an out-of-band request: who asked (the department), what, and the time it took.
    An SE logs their own; a manager may log one for a person they see."""
    se = se or actor
    if se.pk != actor.pk:
        access.require(
            access.can_manage_team(actor, se.team),
            "Only the SE or their manager logs out-of-band work for them.",
        )
    errors = {}
    if not department.strip():
        errors["department"] = "Say which department asked."
    if not problem.strip():
        errors["problem"] = "Say what they asked for."
    if not 1 <= minutes <= 24 * 60:
        errors["minutes"] = "The time taken is between 1 minute and 24 hours."
    if errors:
        raise ValidationError(errors)
    tz = timezone.get_current_timezone()
    starts = datetime.combine(day, time(9), tzinfo=tz)
    activity = create_activity(
        actor=actor,
        fields={
            "kind": Kind.OUT_OF_BAND,
            "subject": problem.strip()[:255],
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=minutes),
            "status": Activity.Status.HELD,
            "customer_facing": False,
            "participant_ids": [se.pk],
        },
    )
    OutOfBandSource.objects.create(activity=activity, department=department.strip()[:80])
    return activity


@transaction.atomic
def hand_over_problem(*, actor: User, team: Team, values: dict[str, Any]) -> ProblemOwner:
    """A manager hands a recurring problem to a czar or task force lead, with a scoreboard."""
    access.require(
        access.can_manage_team(actor, team), "Only the team's manager hands a problem over."
    )
    owner = ProblemOwner(team=team, created_by=actor)
    apply_changes(owner, values)
    if not owner.keyword_list:
        raise ValidationError({"keywords": "Give at least one word that marks the problem."})
    validate_and_save(owner)
    return owner
