"""Writing a gap down, editing the proposal, linking its deals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from presales.accounts.models import Account, Contact
from presales.core import access
from presales.core.services import apply_changes, resolve, resolve_many, validate_and_save
from presales.deals.models import Opportunity
from presales.gaps import similarity
from presales.gaps.access import can_answer_gap, can_propose_gap, gap_links_for
from presales.gaps.models import (
    GapOpportunity,
    Impact,
    Origin,
    ProductGap,
    Status,
)
from presales.gaps.services.figures import refresh_figures
from presales.people.models import User
from presales.products.models import Competitor

# How long product management has to answer a new gap before it turns into a maybe.
REVIEW_DAYS = 14
PROPOSAL_FIELDS = ("title", "description", "product_area", "workaround", "review_due_on")

# -- propose and edit ------------------------------------------------------------------------


def _resolve_related(actor: User, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Turn ids into objects the actor may see; returns the many-to-many relations to set."""
    relations: dict[str, list[Any]] = {}
    if "account_id" in values:
        values["account"] = resolve(actor, Account, values.pop("account_id"), field="account_id")
    if "contact_ids" in values:
        contacts = resolve_many(
            actor, Contact, values.pop("contact_ids") or [], field="contact_ids"
        )
        relations["contacts"] = contacts
    if "competitor_ids" in values:
        pks = list(dict.fromkeys(values.pop("competitor_ids") or []))
        found = {c.pk: c for c in Competitor.objects.filter(pk__in=pks)}
        missing = [pk for pk in pks if pk not in found]
        if missing:
            raise ValidationError({"competitor_ids": f"No competitors with ids {missing}."})
        relations["competitors"] = [found[pk] for pk in pks]
    return relations


def _check_contacts(gap: ProductGap, contacts: Sequence[Contact] | None) -> None:
    if contacts and any(c.account_id != gap.account_id for c in contacts):
        raise ValidationError({"contact_ids": "Contacts must belong to the requesting account."})


def _link_rows(actor: User, links: Sequence[dict[str, Any]]) -> list[tuple[Opportunity, dict]]:
    rows = []
    for i, link in enumerate(links):
        impact = link.get("impact", Impact.IMPORTANT)
        if impact not in Impact.values:
            raise ValidationError({f"links.{i}.impact": f"Choose one of {Impact.values}."})
        deal = resolve(actor, Opportunity, link.get("opportunity_id"), field=f"links.{i}")
        if deal is None:
            raise ValidationError({f"links.{i}.opportunity_id": "Name the opportunity."})
        rows.append(
            (deal, {"impact": impact, "cited_as_loss_reason": bool(link.get("cited", False))})
        )
    return rows


@transaction.atomic
def propose_gap(
    *,
    actor: User,
    fields: dict[str, Any],
    links: Sequence[dict[str, Any]] = (),
    origin: str = Origin.PAGE,
) -> ProductGap:
    """Write a gap down. It starts under review, due ``REVIEW_DAYS`` from today unless given.

    ``links`` items: ``{"opportunity_id", "impact", "cited"}`` (cited = a cited loss reason).
    """
    access.require(can_propose_gap(actor), "You may not propose product gaps.")
    values = {k: v for k, v in fields.items() if v is not None}
    relations = _resolve_related(actor, values)
    link_rows = _link_rows(actor, links)
    account: Account | None = values.get("account")
    if account is None and link_rows:
        account = link_rows[0][0].account
        values["account"] = account
    values.setdefault("team", (account.team if account else None) or actor.team)
    values.setdefault("review_due_on", timezone.localdate() + timedelta(days=REVIEW_DAYS))
    gap = ProductGap(**values, proposed_by=actor, origin=origin, status=Status.UNDER_REVIEW)
    _check_contacts(gap, relations.get("contacts"))
    validate_and_save(gap)
    for name, objs in relations.items():
        getattr(gap, name).set(objs)
    for deal, extra in link_rows:
        GapOpportunity.objects.update_or_create(
            gap=gap, opportunity=deal, defaults={**extra, "linked_by": actor}
        )
    similarity.index_gap_words([gap])
    refresh_figures(gap_ids=[gap.pk])
    gap.refresh_from_db()
    return gap


@transaction.atomic
def update_gap(*, actor: User, gap: ProductGap, changes: dict[str, Any]) -> ProductGap:
    """Edit the proposal (not the answer): its author, a manager who sees it, or product."""
    access.require(access.can_change(actor, gap), "Only the gap's author or its managers edit it.")
    unknown = set(changes) - {*PROPOSAL_FIELDS, "account_id", "contact_ids", "competitor_ids"}
    if unknown:
        raise ValidationError({name: "This field is not part of the proposal." for name in unknown})
    if "review_due_on" in changes and not can_answer_gap(actor, gap):
        raise ValidationError({"review_due_on": "Only product management moves the due date."})
    values = dict(changes)
    relations = _resolve_related(actor, values)
    apply_changes(gap, values)
    _check_contacts(gap, relations.get("contacts"))
    validate_and_save(gap)
    for name, objs in relations.items():
        getattr(gap, name).set(objs)
    similarity.index_gap_words([gap])
    refresh_figures(gap_ids=[gap.pk])
    gap.refresh_from_db()
    return gap


@transaction.atomic
def link_opportunity(
    *,
    actor: User,
    gap: ProductGap,
    opportunity_id: int,
    impact: str = Impact.IMPORTANT,
    cited_as_loss_reason: bool = False,
) -> GapOpportunity:
    """Link a deal to the gap (or change the link's impact); anyone who may edit the gap and
    see the deal, or product management."""
    access.require(
        access.can_change(actor, gap) or can_answer_gap(actor, gap),
        "You may not change this gap's deals.",
    )
    ((deal, extra),) = _link_rows(
        actor,
        [{"opportunity_id": opportunity_id, "impact": impact, "cited": cited_as_loss_reason}],
    )
    link, _ = GapOpportunity.objects.update_or_create(
        gap=gap, opportunity=deal, defaults={**extra, "linked_by": actor}
    )
    refresh_figures(gap_ids=[gap.pk])
    return link


@transaction.atomic
def unlink_opportunity(*, actor: User, gap: ProductGap, opportunity_id: int) -> None:
    access.require(
        access.can_change(actor, gap) or can_answer_gap(actor, gap),
        "You may not change this gap's deals.",
    )
    # Only a link the actor sees: a deal of another team on a shared account stays linked.
    seen = gap_links_for(actor).filter(gap=gap, opportunity_id=opportunity_id)
    deleted, _ = GapOpportunity.objects.filter(
        pk__in=list(seen.values_list("pk", flat=True))
    ).delete()
    if not deleted:
        raise ValidationError({"opportunity_id": f"Opportunity {opportunity_id} is not linked."})
    refresh_figures(gap_ids=[gap.pk])
