"""Meeting plans and debriefs follow their activity (so a deal meeting's plan and debrief, with
the rep<->SE feedback, are seen only by those who see the deal, and by the meeting's
participants); a commitment follows its deal, or its account when it has no deal; reports are
published to whoever sees their deal (or their account, for one with no deal); gaps raised in
a debrief follow the debrief; topics are shared or a team's.

Whoever sees a commitment may change it (a product manager excepted): a team that shares an
account with another team neither sees nor changes the other team's deal commitments."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.accounts.access import accounts_for
from presales.core import access
from presales.deals.access import opportunities_for
from presales.meetings.models import Commitment, Debrief, MeetingPlan, RaisedGap, Report, Topic
from presales.people.models import User

debriefs_for = access.through(Debrief, "activity")


def commitments_for(user: User | AnonymousUser) -> QuerySet[Commitment]:
    if not user.is_authenticated:
        return Commitment.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Commitment.objects.all()
    return Commitment.objects.filter(
        access.deal_or_account(deals=opportunities_for(user), accounts=accounts_for(user))
    )


def reports_for(user: User | AnonymousUser) -> QuerySet[Report]:
    """Published reports on what the user sees, and the user's own drafts."""
    if not user.is_authenticated:
        return Report.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Report.objects.filter(Q(published_at__isnull=False) | Q(author_id=user.pk))
    seen = access.deal_or_account(deals=opportunities_for(user), accounts=accounts_for(user))
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
