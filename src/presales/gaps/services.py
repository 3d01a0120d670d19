"""Writing product gaps: propose, edit, link deals, answer, merge and undo, convert raised gaps
and feature-request sentences, set a team's impact weights, keep the figures current.

Every write goes through here; pages, the API and the CLI only parse and call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from presales.accounts.models import Account, Contact
from presales.core import access
from presales.core.services import apply_changes, resolve, resolve_many, validate_and_save
from presales.deals.models import Opportunity
from presales.gaps import similarity
from presales.gaps.analytics import revenue_of
from presales.gaps.models import (
    IMPACT_RANK,
    GapAnswer,
    GapMerge,
    GapOpportunity,
    Impact,
    ImpactWeights,
    Origin,
    ProductGap,
    Status,
)
from presales.meetings.models import RaisedGap
from presales.notes.models import Note
from presales.people.models import Team, User
from presales.products.models import Competitor

# How long product management has to answer a new gap before it turns into a maybe.
REVIEW_DAYS = 14
PROPOSAL_FIELDS = ("title", "description", "product_area", "workaround", "review_due_on")


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
    access.require(access.can_propose_gap(actor), "You may not propose product gaps.")
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
    if "review_due_on" in changes and not access.can_answer_gap(actor, gap):
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
        access.can_change(actor, gap) or access.can_answer_gap(actor, gap),
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
        access.can_change(actor, gap) or access.can_answer_gap(actor, gap),
        "You may not change this gap's deals.",
    )
    deleted, _ = GapOpportunity.objects.filter(gap=gap, opportunity_id=opportunity_id).delete()
    if not deleted:
        raise ValidationError({"opportunity_id": f"Opportunity {opportunity_id} is not linked."})
    refresh_figures(gap_ids=[gap.pk])


# -- answer ----------------------------------------------------------------------------------


def _answer_values(
    status: str,
    *,
    answer_text: str,
    committed_release: str,
    committed_on: date | None,
    declined_reason: str,
    customer_rank: int | None,
    ranked_against: str,
    review_due_on: date | None,
) -> tuple[dict[str, Any], str]:
    """The gap fields an answer sets, and the one-line detail kept in its history."""
    errors: dict[str, str] = {}
    cleared: dict[str, Any] = {
        "committed_release": "",
        "committed_on": None,
        "declined_reason": "",
        "customer_rank": None,
        "ranked_against": "",
        "review_due_on": None,
    }
    detail = ""
    if status == Status.COMMITTED:
        if not committed_release.strip() and committed_on is None:
            errors["committed_release"] = "A commitment names a release or a date."
        cleared.update(committed_release=committed_release.strip(), committed_on=committed_on)
        detail = " · ".join(
            x for x in (committed_release.strip(), committed_on and committed_on.isoformat()) if x
        )
    elif status == Status.DECLINED:
        if not declined_reason.strip():
            errors["declined_reason"] = "Say why it is declined."
        cleared["declined_reason"] = declined_reason.strip()
        detail = declined_reason.strip()
    elif status == Status.CUSTOMER_RANKED:
        if not customer_rank or customer_rank < 1:
            errors["customer_rank"] = "Give its place in the customer's ranking (1 = first)."
        if not ranked_against.strip():
            errors["ranked_against"] = "Name the planned items the customer ranked it against."
        cleared.update(customer_rank=customer_rank, ranked_against=ranked_against.strip())
        detail = f"#{customer_rank} against {ranked_against.strip()}"
    elif status == Status.UNDER_REVIEW:
        if review_due_on is None:
            errors["review_due_on"] = "Under review needs the date the customer gets an answer by."
        elif review_due_on < timezone.localdate():
            errors["review_due_on"] = "The due date cannot be in the past."
        cleared["review_due_on"] = review_due_on
        detail = f"answer due {review_due_on.isoformat()}" if review_due_on else ""
    else:
        errors["status"] = f"Choose one of {Status.values}."
    if status != Status.UNDER_REVIEW and not answer_text.strip():
        errors["answer_text"] = "Write the exact answer the customer was given."
    if errors:
        raise ValidationError(errors)
    return cleared, detail


@transaction.atomic
def answer_gap(
    *,
    actor: User,
    gap: ProductGap,
    status: str,
    answer_text: str = "",
    answered_at: datetime | None = None,
    committed_release: str = "",
    committed_on: date | None = None,
    declined_reason: str = "",
    customer_rank: int | None = None,
    ranked_against: str = "",
    review_due_on: date | None = None,
) -> ProductGap:
    """Give the gap its answer; only product management answers. Every answer is kept."""
    access.require(access.can_answer_gap(actor, gap), "Only product management answers gaps.")
    if gap.is_merged:
        raise ValidationError({"status": "This gap was merged; answer the gap it was merged into."})
    values, detail = _answer_values(
        status,
        answer_text=answer_text,
        committed_release=committed_release,
        committed_on=committed_on,
        declined_reason=declined_reason,
        customer_rank=customer_rank,
        ranked_against=ranked_against,
        review_due_on=review_due_on,
    )
    when = answered_at or timezone.now()
    if when > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"answered_at": "An answer cannot be given in the future."})
    apply_changes(gap, {**values, "status": status, "answer_text": answer_text.strip()})
    gap.answered_at, gap.answered_by = when, actor
    validate_and_save(gap)
    GapAnswer.objects.create(
        gap=gap,
        status=status,
        detail=detail[:300],
        answer_text=answer_text.strip(),
        answered_by=actor,
        answered_at=when,
    )
    return gap


# -- merge and undo --------------------------------------------------------------------------


@transaction.atomic
def merge_gaps(*, actor: User, source: ProductGap, target: ProductGap) -> GapMerge:
    """Merge ``source`` into ``target``: its deals, contacts and competitors move over (a deal
    both link keeps the stronger impact), its answers stay readable on it, and the merge is
    recorded so that ``undo_merge`` puts everything back."""
    access.require(access.can_merge_gaps(actor), "Only product management merges gaps.")
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
    access.require(access.can_merge_gaps(actor), "Only product management undoes merges.")
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


# -- created from elsewhere ------------------------------------------------------------------


def converted_key(gap: ProductGap) -> str:
    return f"gaps.ProductGap:{gap.pk}"


def gap_of_raised(raised: RaisedGap) -> ProductGap | None:
    prefix = "gaps.ProductGap:"
    if raised.converted_to.startswith(prefix) and raised.converted_to[len(prefix) :].isdigit():
        return ProductGap.objects.filter(pk=int(raised.converted_to[len(prefix) :])).first()
    return None


@transaction.atomic
def gap_from_raised(
    *,
    actor: User,
    raised: RaisedGap,
    fields: dict[str, Any] | None = None,
    impact: str = Impact.IMPORTANT,
) -> tuple[ProductGap, bool]:
    """Turn a debrief's raised gap into a product gap, once: the second call returns the first
    gap. Returns the gap and whether it was made now."""
    raised = RaisedGap.objects.select_for_update().get(pk=raised.pk)
    already = gap_of_raised(raised)
    if already is not None:
        return already, False
    text = raised.text.strip()
    values = {"title": _title_of(text), "description": text, "account_id": raised.account_id}
    values.update({k: v for k, v in (fields or {}).items() if v not in (None, "")})
    links = [{"opportunity_id": raised.opportunity_id, "impact": impact}]
    gap = propose_gap(
        actor=actor,
        fields=values,
        links=links if raised.opportunity_id else [],
        origin=Origin.DEBRIEF,
    )
    raised.converted_to = converted_key(gap)
    raised.save(update_fields=["converted_to"])
    return gap, True


_LABEL = re.compile(r"feature\s+request\s*[:\-–—]\s*", re.IGNORECASE)


def feature_requests(body: str) -> list[str]:
    """The sentences of a note labelled "Feature request: ..." (the label removed)."""
    found = []
    for match in _LABEL.finditer(body):
        rest = body[match.end() :]
        sentence = re.split(r"(?<=[.!?])\s|\n", rest, maxsplit=1)[0].strip()
        if sentence:
            found.append(sentence)
    return found


@transaction.atomic
def gap_from_note(
    *, actor: User, note: Note, sentence: str, fields: dict[str, Any] | None = None
) -> ProductGap:
    """Turn a sentence of a note (normally a labelled feature request) into a product gap."""
    access.require(access.can_see(actor, note))
    sentence = sentence.strip()
    if not sentence:
        raise ValidationError({"sentence": "Give the sentence of the note that asks for it."})
    if " ".join(sentence.split()).lower() not in " ".join(note.body.split()).lower():
        raise ValidationError({"sentence": "That sentence is not in the note."})
    values: dict[str, Any] = {
        "title": _title_of(sentence),
        "description": sentence,
        "account_id": note.account_id,
    }
    values.update({k: v for k, v in (fields or {}).items() if v not in (None, "")})
    links = [{"opportunity_id": note.opportunity_id}] if note.opportunity_id else []
    return propose_gap(actor=actor, fields=values, links=links, origin=Origin.NOTE)


def _title_of(text: str) -> str:
    first = re.split(r"(?<=[.!?])\s|\n", text.strip(), maxsplit=1)[0].rstrip(".")
    return first if len(first) <= 120 else first[:119].rstrip() + "…"


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
