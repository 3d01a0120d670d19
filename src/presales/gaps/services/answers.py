"""Answering a gap: committed, declined, ranked by the customer, or under review."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from presales.core import access
from presales.core.services import apply_changes, validate_and_save
from presales.gaps.access import can_answer_gap
from presales.gaps.models import (
    GapAnswer,
    ProductGap,
    Status,
)
from presales.people.models import User

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
    access.require(can_answer_gap(actor, gap), "Only product management answers gaps.")
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
