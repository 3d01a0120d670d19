"""Who sees which deals: an SE or rep their team's deals plus those they own or support; a
manager the deals of the teams they see (presales.core.access); admins and product managers all.
Deal history is served only on its deal, so it follows the deal's rule."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.core import access
from presales.deals.models import LineItem, Opportunity, StageChange, StageProposal, TermsChange
from presales.people.models import User


def opportunities_for(user: User | AnonymousUser) -> QuerySet[Opportunity]:
    if not user.is_authenticated:
        return Opportunity.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Opportunity.objects.all()
    return access.built_once(user, "deals", _team_and_own_deals)


def _team_and_own_deals(user: User) -> QuerySet[Opportunity]:
    # Three indexed conditions rather than a join on the SE table: no duplicate rows, and the
    # database can answer each part from an index.
    supported = Opportunity.sales_engineers.through.objects.filter(user_id=user.pk)
    return Opportunity.objects.filter(
        Q(team_id__in=access.team_ids(user))
        | Q(owner_id=user.pk)
        | Q(pk__in=supported.values("opportunity_id"))
    )


access.register(Opportunity, visible=opportunities_for)
access.reached_through(StageChange, "opportunity", "A deal's stage history, shown on the deal.")
access.reached_through(TermsChange, "opportunity", "A deal's terms history, shown on the deal.")
access.reached_through(
    StageProposal,
    "opportunity",
    "A proposed stage change, shown on its deal and decided by the deal's stage owner "
    "(deals.services.can_change_stage).",
)
access.reached_through(
    LineItem, "opportunity", "A deal's products and quantities, shown on the deal."
)
