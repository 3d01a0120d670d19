"""Picklists as data: what each of a source's stage names, activity types and contact roles
means in Presales is a ``ValueMapping`` row, recorded the first time an import meets the value.

A value Presales knows by name (Salesforce's "Closed Won") takes its default; an unknown stage
is read from what the same row says about it (closed, won, probability, forecast category), so
an org's own "Proposal/Quote" lands as an open proposal instead of being refused; what cannot be
read is guessed, reported as a warning and listed for an administrator to correct. A correction
is used by every later import and re-applied to the deals already imported from the source.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from presales.accounts.models import Contact
from presales.activities.models import Kind
from presales.core import access
from presales.core.signals import bulk_change
from presales.deals.models import OPEN_STAGES, STAGE_PROBABILITY, Opportunity, Stage
from presales.imports.access import can_change_import_settings
from presales.imports.models import Picklist, ValueMapping
from presales.imports.services.values import normalise
from presales.people.models import User

Origin = ValueMapping.Origin

CHOICES: dict[str, list[tuple[str, str]]] = {
    Picklist.STAGE: list(Stage.choices),
    Picklist.ACTIVITY_TYPE: list(Kind.choices),
    Picklist.CONTACT_ROLE: [("", "No role"), *Contact.DealRole.choices],
}

# Salesforce's forecast categories say how far an open deal is.
FORECAST_CATEGORY = {
    "pipeline": Stage.DISCOVERY,
    "best case": Stage.PROPOSAL,
    "bestcase": Stage.PROPOSAL,
    "commit": Stage.NEGOTIATION,
    "omitted": Stage.PROSPECTING,
}
# Words in an open stage's own name, when the export says nothing else about it.
NAME_HINTS = (
    ("negotiat", Stage.NEGOTIATION),
    ("contract", Stage.NEGOTIATION),
    ("proposal", Stage.PROPOSAL),
    ("quote", Stage.PROPOSAL),
    ("pricing", Stage.PROPOSAL),
    ("proof", Stage.POC),
    ("poc", Stage.POC),
    ("pilot", Stage.POC),
    ("trial", Stage.POC),
    ("demo", Stage.DEMO),
    ("presentation", Stage.DEMO),
    ("qualif", Stage.DISCOVERY),
    ("discover", Stage.DISCOVERY),
    ("prospect", Stage.PROSPECTING),
    ("lead", Stage.PROSPECTING),
)


@dataclass(frozen=True)
class Meaning:
    value: str
    origin: str
    evidence: dict[str, str]

    @property
    def guessed(self) -> bool:
        return self.origin == Origin.GUESS


class SourceValues:
    """One source's mapping of one picklist, read once per file; values met for the first time
    are recorded (inside the import's transaction, so a dry run keeps none)."""

    def __init__(self, *, source: str, picklist: str, defaults: Mapping[str, str]) -> None:
        self.source = source
        self.picklist = picklist
        self.defaults = defaults
        self._known: dict[str, Meaning] | None = None

    def _load(self) -> dict[str, Meaning]:
        if self._known is None:
            self._known = {
                key: Meaning(value, origin, evidence)
                for key, value, origin, evidence in ValueMapping.objects.filter(
                    source=self.source, picklist=self.picklist
                ).values_list("key", "value", "origin", "evidence")
            }
        return self._known

    def meaning(self, raw: str, derive: Callable[[], Meaning] | None = None) -> Meaning:
        """What ``raw`` means: the recorded mapping, else the default for its name, else what
        ``derive`` reads from the row (recorded for next time)."""
        label = raw.strip()
        key = normalise(label)
        known = self._load()
        found = known.get(key)
        if found is not None:
            return found
        if key in self.defaults:
            found = Meaning(self.defaults[key], Origin.DEFAULT, {})
        elif derive is not None:
            found = derive()
        else:
            found = Meaning("", Origin.GUESS, {})
        known[key] = found
        ValueMapping.objects.get_or_create(
            source=self.source,
            picklist=self.picklist,
            key=key[:255],
            defaults={
                "label": label[:255],
                "value": found.value,
                "origin": found.origin,
                "evidence": found.evidence,
            },
        )
        return found


def _flag(text: str) -> bool | None:
    value = text.strip().lower()
    if value in {"true", "1", "yes", "y"}:
        return True
    if value in {"false", "0", "no", "n"}:
        return False
    return None


def _probability(text: str) -> Decimal | None:
    """A probability as 0 to 1 whether written as a percentage (``75``, ``75%``) or a fraction
    (HubSpot's ``0.75``)."""
    cleaned = text.strip().rstrip("%").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0:
        return None
    if value > 1 or text.strip().endswith("%"):
        value = value / 100
    return min(value, Decimal(1))


def stage_from_evidence(
    name: str,
    *,
    closed: str = "",
    won: str = "",
    probability: str = "",
    forecast: str = "",
) -> Meaning:
    """The Presales stage a source's stage name stands for, read from what the row says about
    it: closed and won decide; an open stage goes to the stage with the nearest default
    probability, else by its forecast category, else by words in its name (a guess)."""
    evidence = {
        k: v.strip()
        for k, v in (
            ("closed", closed),
            ("won", won),
            ("probability", probability),
            ("forecast category", forecast),
        )
        if v.strip()
    }
    is_closed, is_won = _flag(closed), _flag(won)
    chance = _probability(probability)
    category = normalise(forecast)
    if is_won:
        return Meaning(Stage.WON, Origin.EXPORT, evidence)
    if is_closed or category == "closed":
        if is_won is False or chance == 0:
            return Meaning(Stage.LOST, Origin.EXPORT, evidence)
        if chance == 1:
            return Meaning(Stage.WON, Origin.EXPORT, evidence)
        if is_closed and is_won is None and chance is None:
            return Meaning(Stage.LOST, Origin.GUESS, evidence)
    if is_closed is not False and (chance == 0 or (chance == 1 and is_won is not False)):
        # CRMs keep 0% and 100% for closed stages (HubSpot's only "closed" flag is the
        # probability when the export leaves out "Is Deal Closed?").
        return Meaning(Stage.WON if chance == 1 else Stage.LOST, Origin.EXPORT, evidence)
    if is_closed is False or is_won is False or chance is not None or category:
        if chance is not None and 0 < chance < 1:
            # The stage's own name decides between neighbours the probability cannot tell
            # apart (Salesforce's "Proposal/Price Quote" is 75%, between proposal and
            # negotiation).
            hinted = _hint(name)
            if hinted and abs(STAGE_PROBABILITY[hinted] - chance) <= Decimal("0.2"):
                return Meaning(hinted, Origin.EXPORT, evidence)
            nearest = min(OPEN_STAGES, key=lambda s: (abs(STAGE_PROBABILITY[s] - chance), s))
            return Meaning(nearest, Origin.EXPORT, evidence)
        if category in FORECAST_CATEGORY:
            return Meaning(FORECAST_CATEGORY[category], Origin.EXPORT, evidence)
    return Meaning(_hint(name) or Stage.DISCOVERY, Origin.GUESS, evidence)


def _hint(name: str) -> str:
    text = normalise(name)
    return next((stage for word, stage in NAME_HINTS if word in text), "")


def guessed_stage(name: str, stage: str) -> str:
    return (
        f"stage {name!r} is new and the export says nothing about it; taken as "
        f"{Stage(stage).label} until an administrator maps it on the Imports page"
    )


def mappings(*, source: str | None = None) -> dict[tuple[str, str], list[ValueMapping]]:
    """Every recorded mapping, grouped by source and picklist, for the Imports page."""
    rows = ValueMapping.objects.all()
    if source:
        rows = rows.filter(source=source)
    grouped: dict[tuple[str, str], list[ValueMapping]] = {}
    for row in rows.order_by("source", "picklist", "label"):
        grouped.setdefault((row.source, row.picklist), []).append(row)
    return grouped


def deals_per_stage_name(source: str) -> dict[str, int]:
    """How many of the source's deals carry each of its stage names (compared without case)."""
    counts: dict[str, int] = {}
    for name, n in _stage_name_counts(source):
        key = normalise(name)
        counts[key] = counts.get(key, 0) + n
    return counts


def _stage_name_counts(source: str) -> list[tuple[str, int]]:
    from django.db.models import Count

    return list(
        Opportunity.objects.filter(source=source)
        .exclude(source_stage="")
        .values_list("source_stage")
        .annotate(n=Count("id"))
        .values_list("source_stage", "n")
    )


def change_mapping(*, mapping: ValueMapping, value: str, actor: User) -> int:
    """An administrator says what a source's value means. Later imports follow; deals already
    imported from the source with that stage name move to the new stage (each move is kept in
    the deal's stage history). Returns how many deals moved."""
    from django.core.exceptions import ValidationError

    access.require(
        can_change_import_settings(actor),
        "Only an administrator changes what imported values mean.",
    )
    allowed = {v for v, _ in CHOICES.get(mapping.picklist, [])}
    if value not in allowed:
        raise ValidationError({"value": f"{value!r} is not one of the choices for this list."})
    with transaction.atomic():
        mapping.value = value
        mapping.origin = Origin.ADMIN
        mapping.changed_by = actor
        mapping.changed_at = timezone.now()
        mapping.save()
        if mapping.picklist != Picklist.STAGE:
            return 0
        return _move_deals(mapping, actor)


def _move_deals(mapping: ValueMapping, actor: User) -> int:
    from presales.deals.models import StageChange

    now = timezone.now()
    moved = [
        (pk, stage)
        for pk, stage, name in Opportunity.objects.filter(
            source=mapping.source, source_stage__iexact=mapping.label
        )
        .exclude(stage=mapping.value)
        .values_list("pk", "stage", "source_stage")
        if normalise(name) == mapping.key
    ]
    if not moved:
        return 0
    ids = [pk for pk, _ in moved]
    # Figures kept from these deals (the demo statistics' facts) follow the move.
    with bulk_change(Opportunity, ids):
        Opportunity.objects.filter(pk__in=ids).update(stage=mapping.value, updated_at=now)
        StageChange.objects.bulk_create(
            StageChange(
                opportunity_id=pk,
                from_stage=stage,
                to_stage=mapping.value,
                changed_at=now,
                changed_by=actor,
            )
            for pk, stage in moved
        )
    _refresh_gaps(ids)
    return len(moved)


def _refresh_gaps(deal_ids: list[int]) -> None:
    """Revenue at stake depends on a deal's stage; the gaps linked to moved deals recompute
    (a bulk update sends no signal)."""
    from presales.gaps.services import refresh_for_opportunities

    refresh_for_opportunities(opportunity_ids=deal_ids)
