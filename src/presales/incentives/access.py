"""SPIFFs: company-wide ones and those of the teams the user sees; a team's SPIFF is managed
like any other team setting. Quota buckets follow whose scorecard the user sees."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.core import access
from presales.incentives.models import QuotaBucket, Spiff
from presales.people.models import Team, User
from presales.scorecards.access import scorecard_people_for


def spiffs_for(user: User | AnonymousUser) -> QuerySet[Spiff]:
    """Company-wide SPIFFs and those of the teams the user sees."""
    if not user.is_authenticated:
        return Spiff.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Spiff.objects.all()
    return Spiff.objects.filter(Q(team__isnull=True) | Q(team_id__in=access.team_ids(user)))


def can_manage_spiff(user: User | AnonymousUser, *, team: Team | None) -> bool:
    """A company-wide SPIFF is the administrators'; a team's SPIFF also its managers' (the
    same rule as any other team setting)."""
    return access.can_manage_team(user, team)


def quota_buckets_for(user: User | AnonymousUser) -> QuerySet[QuotaBucket]:
    return QuotaBucket.objects.filter(owner__in=scorecard_people_for(user).values("pk"))


access.register(Spiff, visible=spiffs_for)
access.register(QuotaBucket, visible=quota_buckets_for)
