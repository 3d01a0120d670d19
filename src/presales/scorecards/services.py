"""The only place that writes scorecard data: goals (with the SMART check), bonus plans,
scoreboard visibility and declared metrics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from presales.core import access
from presales.core.services import apply_changes, validate_and_save
from presales.people.models import Team, User
from presales.scorecards.access import can_set_goals, can_set_pay
from presales.scorecards.analytics import goal_people
from presales.scorecards.lints import Lint, achievable
from presales.scorecards.metrics import get_metric
from presales.scorecards.metrics.declared import validate_metric
from presales.scorecards.models import (
    BonusPlan,
    CustomMetric,
    CustomMetricCondition,
    Goal,
    ScoreboardSetting,
)
from presales.scorecards.periods import Quarter

GOAL_FIELDS = (
    "owner",
    "team",
    "year",
    "quarter",
    "pillar",
    "title",
    "metric",
    "correlated_result",
    "target",
    "milestones",
    "weight",
    "why",
)


@dataclass(frozen=True)
class SmartCheck:
    """What the SMART check found on a saved goal: the hard rules (measurable, time-bound)
    refuse the save; these are the advice that does not."""

    goal: Goal
    warnings: list[Lint]


def _clean_milestones(value: Any) -> list[float]:
    if value in (None, "", []):
        return []
    if not isinstance(value, list | tuple) or len(value) != 3:
        raise ValidationError({"milestones": "Give three monthly targets or none."})
    out = []
    for item in value:
        try:
            number = Decimal(str(item))
        except InvalidOperation:
            raise ValidationError({"milestones": f"'{item}' is not a number."}) from None
        if number < 0 or not number.is_finite():
            raise ValidationError({"milestones": "Monthly targets cannot be negative."})
        out.append(float(number))
    return out


def _smart(goal: Goal) -> list[Lint]:
    # Measurable: the metric must exist in the catalog (get_metric refuses otherwise).
    metric = get_metric(goal.metric)
    # Time-bound: a real quarter.
    Quarter(goal.year, goal.quarter)
    warnings = []
    if not goal.why.strip():
        warnings.append(Lint("no_why", "Say why this goal matters.", goal.pk))
    people = goal_people(goal)
    stretch = achievable(metric, float(goal.target), people, Quarter(goal.year, goal.quarter))
    if stretch is not None:
        warnings.append(Lint(stretch.code, stretch.message, goal.pk))
    return warnings


@transaction.atomic
def save_goal(*, actor: User, goal: Goal | None = None, fields: Mapping[str, Any]) -> SmartCheck:
    """Create (``goal`` None) or change a goal. Refuses a goal not bound to a catalog metric or
    to a quarter; returns the advice of the SMART check (achievable, a "why")."""
    unknown = set(fields) - set(GOAL_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "Unknown field."})
    target = goal or Goal()
    apply_changes(target, {k: v for k, v in fields.items() if k != "milestones"})
    if "milestones" in fields:
        target.milestones = _clean_milestones(fields["milestones"])
    if (target.owner_id is None) == (target.team_id is None):
        raise ValidationError({"owner_id": "A goal belongs to one person or one team."})
    access.require(
        can_set_goals(actor, owner=target.owner, team=target.team),
        "You may not set goals for them.",
    )
    if goal is None:
        target.created_by = actor
    if not (target.metric or "").strip():
        raise ValidationError(
            {
                "metric": "A goal is measurable only through a catalog metric; for a qualitative "
                "aim pick the metric of a correlated result and name the aim in "
                "correlated_result."
            }
        )
    get_metric(target.metric)
    validate_and_save(target, exclude=["created_by"])
    return SmartCheck(target, _smart(target))


def delete_goal(*, actor: User, goal: Goal) -> None:
    access.require(
        can_set_goals(actor, owner=goal.owner, team=goal.team),
        "You may not change their goals.",
    )
    goal.delete()


def copy_goals(*, actor: User, owner: User, source: Quarter, target: Quarter) -> list[Goal]:
    """Carry a person's goals into the next quarter (same targets, weights and reasons)."""
    made = []
    with transaction.atomic():
        for goal in Goal.objects.filter(owner=owner, year=source.year, quarter=source.quarter):
            fields = {name: getattr(goal, name) for name in GOAL_FIELDS}
            fields.update(year=target.year, quarter=target.quarter)
            made.append(save_goal(actor=actor, fields=fields).goal)
    return made


def set_bonus_plan(
    *, actor: User, owner: User, quarter: Quarter, fields: Mapping[str, Any]
) -> BonusPlan:
    access.require(can_set_pay(actor, owner=owner), "You may not set their bonus plan.")
    plan = BonusPlan.objects.filter(owner=owner, year=quarter.year, quarter=quarter.quarter).first()
    plan = plan or BonusPlan(owner=owner, year=quarter.year, quarter=quarter.quarter)
    apply_changes(plan, fields)
    return validate_and_save(plan)


def set_scoreboard_visibility(*, actor: User, team: Team, visibility: str) -> ScoreboardSetting:
    access.require(access.can_manage_team(actor, team), "Only the team's managers may do this.")
    setting, _ = ScoreboardSetting.objects.get_or_create(team=team)
    setting.visibility = visibility
    return validate_and_save(setting)


@transaction.atomic
def save_custom_metric(
    *,
    actor: User,
    metric: CustomMetric | None = None,
    fields: Mapping[str, Any],
    conditions: Sequence[Mapping[str, str]],
) -> CustomMetric:
    """Declare (or redefine) a metric: its fields and its condition rows, all validated against
    the allow-list before anything is stored."""
    access.require(actor.is_admin_role, "Only administrators declare metrics.")
    target = metric or CustomMetric()
    apply_changes(target, fields)
    rows = [
        CustomMetricCondition(
            part=c.get("part", CustomMetricCondition.Part.FILTER),
            field=c.get("field", ""),
            lookup=c.get("lookup", "exact"),
            value=c.get("value", ""),
        )
        for c in conditions
    ]
    for row in rows:
        if row.part not in CustomMetricCondition.Part.values:
            raise ValidationError({"conditions": f"Unknown part '{row.part}'."})
    validate_metric(target, rows)
    validate_and_save(target)
    target.conditions.all().delete()
    for row in rows:
        row.metric = target
    CustomMetricCondition.objects.bulk_create(rows)
    return target
