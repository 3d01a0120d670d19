"""Forecasts: those of the teams the user sees and the user's own; a rep submits their own, a
manager adjusts their teams', the deal's SEs rate its technical confidence."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.core import access
from presales.forecasts.models import Adjustment, Line, Snapshot, SnapshotLine, Submission
from presales.people.models import User


def forecast_submissions_for(user: User | AnonymousUser) -> QuerySet[Submission]:
    """Forecasts of the teams the user sees, and the user's own."""
    if not user.is_authenticated:
        return Submission.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Submission.objects.all()
    return Submission.objects.filter(Q(team_id__in=access.team_ids(user)) | Q(owner_id=user.pk))


def snapshots_for(user: User | AnonymousUser) -> QuerySet[Snapshot]:
    return Snapshot.objects.filter(team__in=access.teams_for(user).values("pk"))


def can_submit_forecast(user: User | AnonymousUser, owner: User) -> bool:
    """A rep submits their own forecast; an administrator may submit for anyone."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    return user.is_admin_role or user.pk == owner.pk


def can_adjust_forecast(user: User | AnonymousUser, submission: Submission) -> bool:
    """A manager adjusts the forecasts of the teams they manage (not their own forecast)."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    if user.is_admin_role:
        return True
    return (
        user.is_manager_role
        and submission.owner_id != user.pk
        and submission.team_id is not None
        and submission.team_id in access.team_ids(user)
    )


def can_rate_confidence(user: User | AnonymousUser, line: Line) -> bool:
    """The SEs of the deal give its technical confidence (an administrator may too)."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    if user.is_admin_role:
        return True
    return line.opportunity.sales_engineers.filter(pk=user.pk).exists()


def can_take_snapshot(user: User | AnonymousUser) -> bool:
    """Snapshots cover every team, so administrators and managers take them."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    return user.is_admin_role or user.is_manager_role


access.register(Submission, visible=forecast_submissions_for)
access.register(Snapshot, visible=snapshots_for)
access.reached_through(Line, "submission", "A deal's line in a forecast, shown in it.")
access.reached_through(Adjustment, "submission", "A manager's adjustment, shown on its forecast.")
access.reached_through(SnapshotLine, "snapshot", "A deal's line in a weekly snapshot.")
