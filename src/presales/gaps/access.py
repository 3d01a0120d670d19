"""Product gaps: everything for a product manager or admin; otherwise the gaps of the teams the
user sees (a manager: the teams they manage), gaps on accounts they see, and their own. Anyone
may write a gap down; product management answers and merges them."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.accounts.access import accounts_for
from presales.core import access
from presales.deals.access import opportunities_for
from presales.gaps.models import (
    GapAnswer,
    GapMerge,
    GapOpportunity,
    GapWord,
    ImpactWeights,
    ProductGap,
)
from presales.people.models import Role, User


def gaps_for(user: User | AnonymousUser) -> QuerySet[ProductGap]:
    if not user.is_authenticated:
        return ProductGap.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return ProductGap.objects.all()
    return ProductGap.objects.filter(
        Q(team_id__in=access.team_ids(user))
        | Q(proposed_by_id=user.pk)
        | Q(account__in=accounts_for(user).values("pk"))
    )


def gap_links_for(user: User | AnonymousUser) -> QuerySet[GapOpportunity]:
    """A gap's link to a deal is shown to whoever sees both the gap and the deal: a gap on a
    shared account does not name the other team's deals (its totals still count them)."""
    return GapOpportunity.objects.filter(
        gap__in=gaps_for(user).values("pk"), opportunity__in=opportunities_for(user).values("pk")
    )


def can_change_gap(user: User, gap: ProductGap) -> bool:
    """The proposal's words: its author, a manager who sees it, or product management."""
    if user.role == Role.PRODUCT_MANAGER or user.is_manager_role:
        return access.can_see(user, gap)
    return gap.proposed_by_id == user.pk and access.can_see(user, gap)


def can_propose_gap(user: User | AnonymousUser) -> bool:
    """Anyone logged in may write a gap down: the SE is product management's ears."""
    return user.is_authenticated


def can_answer_gap(user: User | AnonymousUser, gap: ProductGap) -> bool:
    """Only a product manager (or an admin) answers a gap: sets its status and the answer."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    return (user.is_admin_role or user.role == Role.PRODUCT_MANAGER) and access.can_see(user, gap)


def can_merge_gaps(user: User | AnonymousUser) -> bool:
    """Merging duplicates (and undoing a merge) is product management's call."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    return user.is_admin_role or user.role == Role.PRODUCT_MANAGER


access.register(ProductGap, visible=gaps_for, change=can_change_gap)
access.register(GapOpportunity, visible=gap_links_for)
access.reached_through(GapAnswer, "gap", "Product management's answers, shown on the gap.")
access.reached_through(GapMerge, "target", "A merge, shown (and undone) on the surviving gap.")
access.reached_through(ImpactWeights, "team", "A team's weights, shown with its gap ranking.")
access.internal(GapWord, "The duplicate finder's word index; never shown.")
