"""Merging a duplicate gap into another, audited, and undoing it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from presales.core import access
from presales.gaps.access import can_merge_gaps
from presales.gaps.models import (
    IMPACT_RANK,
    GapMerge,
    GapOpportunity,
    Impact,
    ProductGap,
)
from presales.gaps.services.figures import refresh_figures
from presales.people.models import User

# -- merge and undo --------------------------------------------------------------------------


@transaction.atomic
def merge_gaps(*, actor: User, source: ProductGap, target: ProductGap) -> GapMerge:
    """Merge ``source`` into ``target``: its deals, contacts and competitors move over (a deal
    both link keeps the stronger impact), its answers stay readable on it, and the merge is
    recorded so that ``undo_merge`` puts everything back."""
    access.require(can_merge_gaps(actor), "Only product management merges gaps.")
    access.require(access.can_see(actor, source) and access.can_see(actor, target))
    if source.pk == target.pk:
        raise ValidationError({"target_id": "A gap cannot be merged into itself."})
    if source.is_merged:
        raise ValidationError({"source_id": "This gap was already merged."})
    if target.is_merged:
        raise ValidationError({"target_id": "That gap was merged itself; pick the one it went to."})
    ProductGap.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).exists()
    existing = {link.opportunity_id: link for link in target.links.all()}
    moved_links: list[int] = []
    strengthened: list[dict[str, Any]] = []
    for link in source.links.all():
        same = existing.get(link.opportunity_id)
        if same is None:
            link.gap = target
            link.save(update_fields=["gap"])
            moved_links.append(link.pk)
            continue
        before = {"impact": same.impact, "cited": same.cited_as_loss_reason}
        stronger = IMPACT_RANK[Impact(link.impact)] > IMPACT_RANK[Impact(same.impact)]
        if stronger or (link.cited_as_loss_reason and not same.cited_as_loss_reason):
            strengthened.append({"link": same.pk, **before})
            if stronger:
                same.impact = link.impact
            same.cited_as_loss_reason = same.cited_as_loss_reason or link.cited_as_loss_reason
            same.save(update_fields=["impact", "cited_as_loss_reason"])
    have_contacts = set(target.contacts.values_list("pk", flat=True))
    added_contacts = [
        pk for pk in source.contacts.values_list("pk", flat=True) if pk not in have_contacts
    ]
    target.contacts.add(*added_contacts)
    have_competitors = set(target.competitors.values_list("pk", flat=True))
    added_competitors = [
        pk for pk in source.competitors.values_list("pk", flat=True) if pk not in have_competitors
    ]
    target.competitors.add(*added_competitors)
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    merge = GapMerge.objects.create(
        source=source,
        target=target,
        merged_by=actor,
        moved={
            "links": moved_links,
            "strengthened": strengthened,
            "contacts": added_contacts,
            "competitors": added_competitors,
        },
    )
    refresh_figures(gap_ids=[source.pk, target.pk])
    return merge


@transaction.atomic
def undo_merge(*, actor: User, merge: GapMerge) -> GapMerge:
    """Put a merge back as it was before: links, impacts, contacts, competitors."""
    access.require(can_merge_gaps(actor), "Only product management undoes merges.")
    merge = GapMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.is_undone:
        raise ValidationError({"merge": "This merge was already undone."})
    later = GapMerge.objects.filter(
        source=merge.target, undone_at__isnull=True, merged_at__gte=merge.merged_at
    ).exclude(pk=merge.pk)
    if later.exists():
        raise ValidationError({"merge": "The target was merged again since; undo that first."})
    source, target = merge.source, merge.target
    moved = merge.moved
    GapOpportunity.objects.filter(pk__in=moved.get("links", []), gap=target).update(gap=source)
    for row in moved.get("strengthened", []):
        GapOpportunity.objects.filter(pk=row["link"]).update(
            impact=row["impact"], cited_as_loss_reason=row["cited"]
        )
    target.contacts.remove(*moved.get("contacts", []))
    target.competitors.remove(*moved.get("competitors", []))
    source.merged_into = None
    source.save(update_fields=["merged_into", "updated_at"])
    merge.undone_at, merge.undone_by = timezone.now(), actor
    merge.save(update_fields=["undone_at", "undone_by"])
    refresh_figures(gap_ids=[source.pk, target.pk])
    return merge
