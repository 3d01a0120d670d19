"""Who sees which activities: those on accounts or deals they see, and those they took part in
(their internal work included); a manager also those their people took part in (the people
reporting to them and the members of the teams they see), so that internal and out-of-band work,
which has no account, shows to the manager who answers for it; everything for admins and product
managers."""

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
        Q(account__in=accounts_for(user).values("pk"))
        | Q(opportunity__in=opportunities_for(user).values("pk"))
        | Q(pk__in=mine)
    )


access.register(Activity, visible=activities_for)
