"""Meeting plans and debriefs follow their activity, commitments their account; reports are
published to whoever sees their account or deal; topics are shared or a team's."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.accounts.access import accounts_for
from presales.core import access
from presales.deals.access import opportunities_for
from presales.meetings.models import Commitment, Debrief, MeetingPlan, RaisedGap, Report, Topic
from presales.people.models import User

debriefs_for = access.through(Debrief, "activity")
commitments_for = access.through(Commitment, "account")


def reports_for(user: User | AnonymousUser) -> QuerySet[Report]:
    """Published reports on what the user sees, and the user's own drafts."""
    if not user.is_authenticated:
        return Report.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Report.objects.filter(Q(published_at__isnull=False) | Q(author_id=user.pk))
    seen = Q(account__in=accounts_for(user).values("pk")) | Q(
        opportunity__in=opportunities_for(user).values("pk")
    )
    return Report.objects.filter((Q(published_at__isnull=False) & seen) | Q(author_id=user.pk))


def topics_for(user: User | AnonymousUser) -> QuerySet[Topic]:
    """The shared topic map plus the topics of the teams the user sees."""
    if not user.is_authenticated:
        return Topic.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Topic.objects.all()
    return Topic.objects.filter(Q(team__isnull=True) | Q(team_id__in=access.team_ids(user)))


def can_change_topic(user: User, topic: Topic) -> bool:
    if topic.team_id is None:
        return False  # the shared topic map belongs to the administrators
    return access.default_change(user, topic)


access.register(Debrief, visible=debriefs_for)
access.register(Commitment, visible=commitments_for)
access.register(Report, visible=reports_for, change=access.author_or_manager("author"))
access.register(Topic, visible=topics_for, change=can_change_topic)
access.reached_through(MeetingPlan, "activity", "An activity's plan, shown on the activity.")
access.reached_through(RaisedGap, "debrief", "A gap raised in a debrief, shown with it.")
