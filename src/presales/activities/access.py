"""Who sees which activities: an activity tied to a deal follows the deal (opportunities_for),
one tied only to an account follows the account (accounts_for), and everyone sees the
activities they took part in (their internal work included), and a manager also those their
people took part in (the people reporting to them and the members of the teams they see), so
internal and out-of-band work, which has no account, shows to the manager who answers for it;
everything for admins and product managers. Whoever sees an activity may change it (a
product manager excepted).

A team that shares an account with another team (its deal sits on the other team's account,
or the reverse) therefore sees the account's own meetings but none of the other team's deal
meetings: not their subjects, dates, plans or debriefs.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.accounts.access import accounts_for
from presales.activities.models import Activity
from presales.core import access
from presales.deals.access import opportunities_for
from presales.people.models import User


def attended(user: User) -> QuerySet[Any]:
    """Ids of the activities the user took part in (always visible to them)."""
    return Activity.participants.through.objects.filter(user_id=user.pk).values("activity_id")


def activities_for(user: User | AnonymousUser) -> QuerySet[Activity]:
    if not user.is_authenticated:
        return Activity.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Activity.objects.all()
    mine = attended(user)
    if user.is_manager_role:
        people = Q(user_id__in=access.reporting_tree(user)) | Q(
            user__team_id__in=access.team_ids(user)
        )
        mine = Activity.participants.through.objects.filter(people).values("activity_id")
    return Activity.objects.filter(
        access.deal_or_account(
            deals=opportunities_for(user), accounts=accounts_for(user), mine=mine
        )
    )


access.register(Activity, visible=activities_for)
