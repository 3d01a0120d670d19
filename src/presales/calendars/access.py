"""A calendar subscription is its owner's: they and administrators see and change it."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from presales.calendars.models import Subscription
from presales.core import access
from presales.people.models import User


def subscriptions_for(user: User | AnonymousUser) -> QuerySet[Subscription]:
    if not user.is_authenticated:
        return Subscription.objects.none()
    assert isinstance(user, User)
    if user.is_admin_role:
        return Subscription.objects.all()
    return Subscription.objects.filter(user_id=user.pk)


def _change(user: User, subscription: Subscription) -> bool:
    return subscription.user_id == user.pk


access.register(Subscription, visible=subscriptions_for, change=_change)
