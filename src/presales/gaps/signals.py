"""Keep the stored gap figures current when a linked deal changes stage or amount."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from presales.deals.models import Opportunity


def _deal_saved(sender: type[Opportunity], instance: Opportunity, **kwargs: Any) -> None:
    if kwargs.get("raw") or kwargs.get("created"):
        return
    from presales.gaps.services import refresh_for_opportunities

    refresh_for_opportunities(opportunity_ids=[instance.pk])


def connect() -> None:
    post_save.connect(_deal_saved, sender=Opportunity, dispatch_uid="gaps-deal-saved")
