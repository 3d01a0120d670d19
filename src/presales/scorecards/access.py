"""Scorecards: a person's own; a manager's people and teams; everything for an admin. A team's
scoreboard is open to its members unless the team keeps it to managers."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.core import access
from presales.people.models import Role, Team, User
from presales.scorecards.models import (
    BonusPlan,
    CustomMetric,
    CustomMetricCondition,
    Goal,
    ScoreboardSetting,
    SurveyResponse,
)


def scorecard_people_for(user: User | AnonymousUser) -> QuerySet[User]:
    """Whose personal scorecard (goals, figures, payout) the user may see: their own; a manager
    also sees everyone on the teams they manage and everyone reporting to them; an admin all."""
    if not user.is_authenticated:
        return User.objects.none()
    assert isinstance(user, User)
    if user.is_admin_role:
        return User.objects.all()
    if user.is_manager_role:
        return User.objects.filter(
            Q(pk__in=access.reporting_tree(user)) | Q(team_id__in=access.team_ids(user))
        )
    return User.objects.filter(pk=user.pk)


def scoreboard_teams_for(user: User | AnonymousUser) -> QuerySet[Team]:
    """Whose team scoreboard the user may see: a manager the teams they see, an admin all, a
    member their own team unless the team keeps its scoreboard to managers."""
    if not user.is_authenticated:
        return Team.objects.none()
    assert isinstance(user, User)
    if user.is_admin_role:
        return Team.objects.all()
    if user.is_manager_role:
        return Team.objects.filter(pk__in=access.team_ids(user))
    closed = ScoreboardSetting.objects.filter(
        visibility=ScoreboardSetting.Visibility.MANAGERS
    ).values("team_id")
    if user.team_id is None:
        return Team.objects.none()
    return Team.objects.filter(pk=user.team_id).exclude(pk__in=closed)


def can_set_goals(user: User | AnonymousUser, *, owner: User | None, team: Team | None) -> bool:
    """Goals: an admin sets any; a manager sets them for the people and teams they manage; an
    SE or rep drafts their own (their manager sees the lints)."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    if user.is_admin_role:
        return True
    if team is not None:
        return user.is_manager_role and team.pk in access.team_ids(user)
    if owner is None:
        return False
    if owner.pk == user.pk:
        return user.role in {Role.SE, Role.REP}
    return user.is_manager_role and scorecard_people_for(user).filter(pk=owner.pk).exists()


def can_set_pay(user: User | AnonymousUser, *, owner: User) -> bool:
    """Bonus plans and quota buckets: an admin, or a manager of the person (never oneself)."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    if user.is_admin_role:
        return True
    return (
        user.is_manager_role
        and owner.pk != user.pk
        and scorecard_people_for(user).filter(pk=owner.pk).exists()
    )


def goals_for(user: User | AnonymousUser) -> QuerySet[Goal]:
    """Goals of the people whose scorecard the user sees and of the teams whose scoreboard
    the user sees."""
    return Goal.objects.filter(
        Q(owner__in=scorecard_people_for(user).values("pk"))
        | Q(team__in=scoreboard_teams_for(user).values("pk"))
    )


def bonus_plans_for(user: User | AnonymousUser) -> QuerySet[BonusPlan]:
    """Bonus plans of the people whose scorecard (and so payout) the user sees."""
    return BonusPlan.objects.filter(owner__in=scorecard_people_for(user).values("pk"))


access.register(Goal, visible=goals_for)
access.register(BonusPlan, visible=bonus_plans_for)
access.register(CustomMetric, visible=access.everyone(CustomMetric))
access.reached_through(CustomMetricCondition, "metric", "A declared metric's filter, shown on it.")
access.reached_through(ScoreboardSetting, "team", "Who sees a team's scoreboard; a team setting.")
access.reached_through(SurveyResponse, "account", "A customer's answer, counted on scorecards.")
