"""Who sees and changes demos.

- The catalog is shared: every signed-in user reads shared, master and retired demos; a draft
  is its owner's until shared (administrators and product management read everything).
- The owner edits their demo; a manager curates (edits, puts in or takes out of the master
  library, retires) any demo they see. Product management reads and changes nothing.
- Which demos an activity showed follows the activity, and so its deal.
- A demo's version history is shown only on the demo.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.core import access
from presales.core.roles import Role
from presales.demos.models import (
    DealFact,
    Demo,
    DemoDealFact,
    DemoShown,
    DemoVersion,
    FactsRebuild,
    FactsStamp,
)
from presales.people.models import User


def demos_for(user: User | AnonymousUser) -> QuerySet[Demo]:
    if not user.is_authenticated:
        return Demo.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Demo.objects.all()
    return Demo.objects.filter(~Q(state=Demo.State.DRAFT) | Q(owner_id=user.pk))


def can_curate(user: User | AnonymousUser) -> bool:
    """Managers (enablement) and administrators keep the master library."""
    person = access.signed_in(user)
    return person is not None and (person.is_admin_role or person.is_manager_role)


def _demo_change(user: User, demo: Demo) -> bool:
    if user.role == Role.PRODUCT_MANAGER:
        return False
    return (demo.owner_id == user.pk or user.is_manager_role) and access.can_see(user, demo)


access.register(Demo, visible=demos_for, change=_demo_change)
access.reached_through(DemoVersion, "demo", "A demo's history, shown on the demo.")
access.reached_through(
    DemoShown, "activity", "The demos an activity showed, seen with the activity (its deal)."
)
access.internal(
    DealFact, "Per-deal figures the demo statistics count within the deals a user sees."
)
access.internal(DemoDealFact, "A demo's first showing in a deal, counted by the demo statistics.")
access.internal(FactsRebuild, "When the statistics' facts were last rebuilt in full.")
access.internal(FactsStamp, "The version of the statistics' facts, changed by each write to them.")
