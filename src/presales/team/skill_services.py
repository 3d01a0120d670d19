"""Rules for skills and time out of the field.

An SE sets their own self-assessment; their manager (whoever manages the SE's team, or an
administrator) sets the manager assessment. Either records a certification or a training.
Time out of the field is requested by the SE (or by their manager for them) and approved or
declined by the manager alone, the gatekeeper of the team's time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from presales.core import access
from presales.core.services import validate_and_save
from presales.people.models import Team, User
from presales.team.models import (
    OutOfFieldPlan,
    Skill,
    SkillEvidence,
    SkillLevel,
    TimeOutOfField,
)

LEVELS = {value for value, _ in SkillLevel.LEVELS}


def manages(actor: User, person: User) -> bool:
    """Whether the actor assesses and approves for the person: the manager of the person's
    team (or of the person), or an administrator."""
    if actor.is_admin_role:
        return True
    if not actor.is_manager_role or actor.pk == person.pk:
        return False
    return person.pk in access.reporting_tree(actor) or (
        person.team_id is not None and access.can_manage_team(actor, person.team)
    )


def may_see_person(actor: User, person: User) -> bool:
    """Skills and time out of the field of a person: themselves, their team, their managers."""
    if actor.pk == person.pk or access.sees_everything(actor):
        return True
    if person.team_id is not None and person.team_id in access.team_ids(actor):
        return True
    return actor.is_manager_role and person.pk in access.reporting_tree(actor)


def _level(raw: Any, label: str, errors: dict[str, str]) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = 0
    if value not in LEVELS:
        errors[label] = f"{label}: a level is 1 (aware) to 4 (expert)."
        return None
    return value


@transaction.atomic
def assess(*, actor: User, person: User, levels: dict[int, Any], as_manager: bool) -> int:
    """Set the self (the SE) or manager (their manager) level of several skills at once;
    an empty level clears it. Returns how many skills changed. Nothing is saved on an error."""
    if as_manager:
        access.require(manages(actor, person), "Only the SE's manager sets the manager's level.")
    else:
        access.require(actor.pk == person.pk, "Only the SE sets their own level.")
    skills = {s.pk: s for s in Skill.objects.filter(pk__in=list(levels))}
    errors: dict[str, str] = {}
    wanted = {}
    for skill_id, raw in levels.items():
        skill = skills.get(skill_id)
        if skill is None:
            errors[str(skill_id)] = f"No skill with id {skill_id}."
            continue
        wanted[skill] = _level(raw, skill.name, errors)
    if errors:
        raise ValidationError(errors)
    field = "manager_level" if as_manager else "self_level"
    current = {lv.skill_id: lv for lv in SkillLevel.objects.filter(user=person, skill__in=skills)}
    changed = 0
    for skill, value in wanted.items():
        row = current.get(skill.pk)
        if row is None:
            if value is None:
                continue
            row = SkillLevel(user=person, skill=skill)
        if getattr(row, field) == value:
            continue
        setattr(row, field, value)
        row.save()
        changed += 1
    return changed


@transaction.atomic
def add_evidence(
    *, actor: User, person: User, skill: Skill, values: dict[str, Any]
) -> SkillEvidence:
    access.require(
        actor.pk == person.pk or manages(actor, person),
        "Only the SE or their manager records their certifications and trainings.",
    )
    evidence = SkillEvidence(user=person, skill=skill, added_by=actor, **values)
    validate_and_save(evidence)
    # Evidence of a skill the SE had not listed adds it, unassessed.
    SkillLevel.objects.get_or_create(user=person, skill=skill)
    return evidence


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: date) -> date:
    start = quarter_start(day)
    following = date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


@transaction.atomic
def request_time_out(*, actor: User, person: User, values: dict[str, Any]) -> TimeOutOfField:
    access.require(
        actor.pk == person.pk or manages(actor, person),
        "Only the SE or their manager asks for their time out of the field.",
    )
    entry = TimeOutOfField(user=person, **values)
    errors = {}
    if entry.starts_on and entry.ends_on and entry.ends_on < entry.starts_on:
        errors["ends_on"] = "The last day cannot be before the first."
    elif entry.starts_on and entry.ends_on and entry.hours:
        days = (entry.ends_on - entry.starts_on).days + 1
        if entry.hours > days * 12:
            errors["hours"] = f"{entry.hours} h is more than 12 hours a day over {days} day(s)."
    if errors:
        raise ValidationError(errors)
    validate_and_save(entry)
    return entry


@transaction.atomic
def decide_time_out(
    *, actor: User, entry: TimeOutOfField, approve: bool, note: str = ""
) -> TimeOutOfField:
    """The SE's manager approves or declines; a decided entry can be decided again (a manager
    changes their mind), a cancelled one cannot."""
    access.require(
        manages(actor, entry.user), "Only the SE's manager approves time out of the field."
    )
    if entry.status == TimeOutOfField.Status.CANCELLED:
        raise ValidationError("This request was cancelled by the SE.")
    entry.status = TimeOutOfField.Status.APPROVED if approve else TimeOutOfField.Status.DECLINED
    entry.decided_by = actor
    entry.decided_at = timezone.now()
    entry.decision_note = note.strip()[:500]
    entry.save()
    return entry


@transaction.atomic
def cancel_time_out(*, actor: User, entry: TimeOutOfField) -> TimeOutOfField:
    access.require(actor.pk == entry.user_id, "Only the SE cancels their own request.")
    if entry.ends_on < timezone.localdate() and entry.status == TimeOutOfField.Status.APPROVED:
        raise ValidationError("It is over; approved time already spent is not cancelled.")
    entry.status = TimeOutOfField.Status.CANCELLED
    entry.save()
    return entry


@transaction.atomic
def set_plan(*, actor: User, team: Team, day: date, hours_per_se: int) -> OutOfFieldPlan:
    access.require(
        access.can_manage_team(actor, team), "Only the team's manager sets the quarter's plan."
    )
    if not 0 <= hours_per_se <= 500:
        raise ValidationError({"hours_per_se": "Plan between 0 and 500 hours per SE."})
    plan, _ = OutOfFieldPlan.objects.update_or_create(
        team=team,
        quarter_start=quarter_start(day),
        defaults={"hours_per_se": hours_per_se, "updated_by": actor},
    )
    return plan
