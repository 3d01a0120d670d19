"""Qualification: frameworks are the shipped ones plus those of the teams the user sees (a
team's managers edit them); evidence, gates, circles, stakeholders and business issues belong
to a deal and follow the deal's rule."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.core import access
from presales.people.models import User
from presales.qualification.models import (
    BusinessIssue,
    CirclesRating,
    Criterion,
    Evidence,
    Framework,
    GateOverride,
    Stakeholder,
    TeamFramework,
)


def frameworks_for(user: User | AnonymousUser) -> QuerySet[Framework]:
    if not user.is_authenticated:
        return Framework.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Framework.objects.all()
    return Framework.objects.filter(Q(team__isnull=True) | Q(team_id__in=access.team_ids(user)))


access.register(Framework, visible=frameworks_for)
access.reached_through(Criterion, "framework", "A framework's criterion, shown with it.")
access.reached_through(TeamFramework, "team", "A team's choice of framework; a team setting.")
for _model in (Evidence, GateOverride, CirclesRating, Stakeholder, BusinessIssue):
    access.reached_through(_model, "opportunity", "Qualification of a deal, shown on the deal.")
