"""Gaps born elsewhere: a debrief's raised gap, a note's feature-request sentence."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from presales.core import access
from presales.gaps.models import (
    Impact,
    Origin,
    ProductGap,
)
from presales.gaps.services.proposals import propose_gap
from presales.meetings.models import RaisedGap
from presales.notes.models import Note
from presales.people.models import User

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
    values = {"title": title_of(text), "description": text, "account_id": raised.account_id}
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
        "title": title_of(sentence),
        "description": sentence,
        "account_id": note.account_id,
    }
    values.update({k: v for k, v in (fields or {}).items() if v not in (None, "")})
    links = [{"opportunity_id": note.opportunity_id}] if note.opportunity_id else []
    return propose_gap(actor=actor, fields=values, links=links, origin=Origin.NOTE)


def title_of(text: str) -> str:
    first = re.split(r"(?<=[.!?])\s|\n", text.strip(), maxsplit=1)[0].rstrip(".")
    return first if len(first) <= 120 else first[:119].rstrip() + "…"
