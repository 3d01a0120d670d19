"""Who sees what of the SE team.

- Capacity thresholds and recurring-problem owners: whoever reads the team's figures
  (``access.teams_for``); the team's managers change them.
- A request for SE help tied to a deal follows the deal's rule, one tied to an account the
  account's; beyond that its requester and assignee see it, and the managers of the team it is
  routed to (they approve it even when the deal belongs to another team).
- Skills: an SE's own, their team's for the members, and a manager's people.
- Profiles (time zones), the skill catalog and routing rules are reference data.
- A one-to-one cadence is seen like the person's skills; their managers set it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.accounts.access import accounts_for
from presales.core import access
from presales.deals.access import opportunities_for
from presales.people.models import User
from presales.team.models import (
    CapacityPolicy,
    OneToOneCadence,
    OutOfBandSource,
    OutOfFieldPlan,
    ProblemOwner,
    Profile,
    RoutingRule,
    SERequest,
    Skill,
    SkillEvidence,
    SkillLevel,
    TimeOutOfField,
    WeeklyLoad,
)


def capacity_policies_for(user: User | AnonymousUser) -> QuerySet[CapacityPolicy]:
    return CapacityPolicy.objects.filter(team__in=access.teams_for(user).values("pk"))


def problem_owners_for(user: User | AnonymousUser) -> QuerySet[ProblemOwner]:
    return ProblemOwner.objects.filter(team__in=access.teams_for(user).values("pk"))


def _team_rule(user: User, obj: Any) -> bool:
    return access.can_manage_team(user, obj.team)


def se_requests_for(user: User | AnonymousUser) -> QuerySet[SERequest]:
    if not user.is_authenticated:
        return SERequest.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return SERequest.objects.all()
    own = Q(requested_by_id=user.pk) | Q(assignee_id=user.pk)
    if user.is_manager_role:
        own |= Q(team_id__in=access.team_ids(user))
    return SERequest.objects.filter(
        Q(opportunity__in=opportunities_for(user).values("pk"))
        | Q(opportunity__isnull=True, account__in=accounts_for(user).values("pk"))
        | own
    )


def can_route(user: User | AnonymousUser, request: SERequest) -> bool:
    """Managers of the team a request is routed to assign it (and administrators)."""
    person = access.signed_in(user)
    if person is None:
        return False
    return person.is_admin_role or (
        person.is_manager_role
        and request.team_id is not None
        and request.team_id in access.team_ids(person)
    )


def _request_change(user: User, obj: SERequest) -> bool:
    return obj.requested_by_id == user.pk or obj.assignee_id == user.pk or can_route(user, obj)


def skill_levels_for(user: User | AnonymousUser) -> QuerySet[SkillLevel]:
    if not user.is_authenticated:
        return SkillLevel.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return SkillLevel.objects.all()
    people = Q(user_id=user.pk) | Q(user__team_id__in=access.team_ids(user))
    if user.is_manager_role:
        people |= Q(user_id__in=access.reporting_tree(user))
    return SkillLevel.objects.filter(people)


def _skill_change(user: User, obj: Any) -> bool:
    return obj.user_id == user.pk or (user.is_manager_role and access.can_see(user, obj))


def _profile_change(user: User, obj: Profile) -> bool:
    return obj.user_id == user.pk or user.is_manager_role


def _managers_only(user: User, obj: Any) -> bool:
    return user.is_manager_role


access.register(CapacityPolicy, visible=capacity_policies_for, change=_team_rule)
access.register(ProblemOwner, visible=problem_owners_for, change=_team_rule)
access.register(SERequest, visible=se_requests_for, change=_request_change)
access.register(SkillLevel, visible=skill_levels_for, change=_skill_change)
access.register(Profile, visible=access.everyone(Profile), change=_profile_change)
access.register(Skill, visible=access.everyone(Skill), change=_managers_only)
access.register(RoutingRule, visible=access.everyone(RoutingRule), change=_managers_only)
access.reached_through(
    OutOfBandSource, "activity", "The requesting department, shown with its activity."
)


def _people_rows(model: Any) -> Any:
    """Rows about a person (evidence, time out of the field): seen like their skill levels."""

    def visible(user: User | AnonymousUser) -> QuerySet[Any]:
        if not user.is_authenticated:
            return model.objects.none()
        assert isinstance(user, User)
        if access.sees_everything(user):
            return model.objects.all()
        people = Q(user_id=user.pk) | Q(user__team_id__in=access.team_ids(user))
        if user.is_manager_role:
            people |= Q(user_id__in=access.reporting_tree(user))
        return model.objects.filter(people)

    return visible


def _out_of_field_plans_for(user: User | AnonymousUser) -> QuerySet[OutOfFieldPlan]:
    return OutOfFieldPlan.objects.filter(team__in=access.teams_for(user).values("pk"))


access.register(SkillEvidence, visible=_people_rows(SkillEvidence), change=_skill_change)
access.register(TimeOutOfField, visible=_people_rows(TimeOutOfField), change=_skill_change)
access.register(OutOfFieldPlan, visible=_out_of_field_plans_for, change=_team_rule)
access.internal(
    WeeklyLoad,
    "weekly totals kept from the activities; only the capacity report reads them, for a team "
    "the user may see",
)


def one_to_one_setters(user: User, people: list[int]) -> set[int]:
    """Whose one-to-one cadence ``user`` may set among ``people``: an administrator anyone's, a
    manager that of the people whose scorecards they see (never their own)."""
    from presales.scorecards.access import scorecard_people_for

    if user.is_admin_role:
        return set(people)
    if not user.is_manager_role:
        return set()
    theirs = scorecard_people_for(user).filter(pk__in=people).exclude(pk=user.pk)
    return set(theirs.values_list("pk", flat=True))


def can_set_one_to_one(user: User, person: User) -> bool:
    return person.pk in one_to_one_setters(user, [person.pk])


def _cadence_change(user: User, obj: OneToOneCadence) -> bool:
    return can_set_one_to_one(user, obj.user)


access.register(OneToOneCadence, visible=_people_rows(OneToOneCadence), change=_cadence_change)
