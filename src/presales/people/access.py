"""People, teams and regions are the directory every signed-in user reads (pickers, filters,
``/api/users``); who sees whose figures is the scorecards' and forecasts' rule."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from presales.core import access
from presales.people.models import ApiToken, Region, Team, User

access.register(User, visible=access.everyone(User))
access.register(Team, visible=access.everyone(Team))
access.register(Region, visible=access.everyone(Region))


def api_tokens_for(user: User | AnonymousUser) -> QuerySet[ApiToken]:
    """A person lists and revokes their own tokens (shown as a prefix and a name, never the
    secret, which is stored as a digest); an administrator everyone's."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    assert isinstance(user, User)
    if user.is_admin_role:
        return ApiToken.objects.all()
    return ApiToken.objects.filter(user_id=user.pk)


access.register(ApiToken, visible=api_tokens_for)
