"""The stored revenue figures of gaps, and the team weights they depend on."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from presales.core import access
from presales.core.services import validate_and_save
from presales.deals.models import Opportunity
from presales.gaps.analytics import revenue_of
from presales.gaps.models import (
    GapOpportunity,
    Impact,
    ImpactWeights,
    ProductGap,
)
from presales.people.models import Team, User

# -- figures ---------------------------------------------------------------------------------


def refresh_figures(
    *,
    gap_ids: Iterable[int],
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Recompute the stored revenue and account figures of these gaps; returns how many."""
    ids = list(dict.fromkeys(gap_ids))
    for start in range(0, len(ids), batch_size):
        if progress:
            progress(start, len(ids))
        gaps = list(ProductGap.objects.filter(pk__in=ids[start : start + batch_size]))
        figures = revenue_of(gaps)
        for gap in gaps:
            revenue = figures[gap.pk]
            gap.revenue_at_stake = revenue.at_stake
            gap.revenue_lost = revenue.lost
            gap.revenue_won = revenue.won
            gap.account_count = revenue.accounts
            gap.open_deal_count = revenue.open_deals
        ProductGap.objects.bulk_update(
            gaps,
            ["revenue_at_stake", "revenue_lost", "revenue_won", "account_count", "open_deal_count"],
        )
    if progress:
        progress(len(ids), len(ids))
    return len(ids)


def refresh_all_figures(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every gap's figures, e.g. after a bulk import changed deals without signals."""
    return refresh_figures(
        gap_ids=ProductGap.objects.values_list("pk", flat=True), progress=progress
    )


def refresh_for_opportunities(*, opportunity_ids: Iterable[int]) -> int:
    gap_ids = GapOpportunity.objects.filter(opportunity_id__in=list(opportunity_ids)).values_list(
        "gap_id", flat=True
    )
    return refresh_figures(gap_ids=list(gap_ids))


# -- team weights ----------------------------------------------------------------------------


@transaction.atomic
def set_impact_weights(*, actor: User, team: Team, weights: dict[str, Decimal]) -> ImpactWeights:
    """Set how much each impact counts in the team's revenue at stake (0 to 1)."""
    access.require(access.can_manage_team(actor, team), "Only the team's manager sets its weights.")
    unknown = set(weights) - set(Impact.values)
    if unknown:
        raise ValidationError({name: f"Choose among {Impact.values}." for name in unknown})
    row, _ = ImpactWeights.objects.get_or_create(team=team)
    for impact, value in weights.items():
        setattr(row, impact, value)
    row.updated_by, row.updated_at = actor, timezone.now()
    validate_and_save(row)
    refresh_for_opportunities(
        opportunity_ids=Opportunity.objects.filter(team=team).values_list("pk", flat=True)
    )
    return row
