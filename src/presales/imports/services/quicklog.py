"""The quick log: one line such as ``demo Acme 45m: showed SSO, their CISO asked about SCIM``
becomes an activity that just ended. The first word may name the kind, the words before the
duration or the colon name the account (matched by name with a confidence, and confirmed by the
person when the match is unsure), and the rest is the note."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from presales.accounts.access import accounts_for
from presales.activities.models import Activity, Kind
from presales.activities.services import create_activity
from presales.core import access
from presales.deals.access import opportunities_for
from presales.deals.models import OPEN_STAGES
from presales.imports.services.matching import ACCEPT, Candidate, candidates
from presales.people.models import User

KIND_WORDS = {
    "demo": Kind.DEMO,
    "meeting": Kind.MEETING,
    "meet": Kind.MEETING,
    "call": Kind.MEETING,
    "discovery": Kind.MEETING,
    "poc": Kind.POC,
    "pov": Kind.POC,
    "pilot": Kind.POC,
    "workshop": Kind.WORKSHOP,
    "training": Kind.WORKSHOP,
    "internal": Kind.INTERNAL,
    "oob": Kind.OUT_OF_BAND,
    "firefight": Kind.OUT_OF_BAND,
    "escalation": Kind.OUT_OF_BAND,
}
DURATION = re.compile(
    r"^(?:(\d+(?:[.,]\d+)?)\s*h(?:ours?|rs?)?)?\s*(?:(\d+)\s*m(?:in(?:utes?|s)?)?)?$"
)
# A word that looks like a duration with a sign ("-5m", "+1h"): a mistyped duration, never
# part of an account's name.
SIGNED_DURATION = re.compile(r"^[-+\u2212]\d+(?:[.,]\d+)?\s*(?:h|hr|hrs|hours?|m|mins?|minutes?)$")
# How many accounts a few letters ("Sat") may offer when no name is close enough.
PREFIX_OFFERS = 5
PREFIX_CONFIDENCE = 0.6
DEFAULT_MINUTES = 30
MAX_MINUTES = 12 * 60


@dataclass
class QuickLog:
    """What a line says, and the activity made from it (None while the account awaits
    confirmation or when the line could not be used)."""

    text: str
    kind: str = Kind.MEETING
    account_words: str = ""
    minutes: int = DEFAULT_MINUTES
    note: str = ""
    candidates: list[Candidate] = field(default_factory=list)
    account_id: int | None = None
    confidence: float = 0.0
    activity: Activity | None = None

    @property
    def needs_confirmation(self) -> bool:
        return self.activity is None and bool(self.account_words) and self.account_id is None


def _minutes(word: str) -> int | None:
    match = DURATION.match(word.lower())
    if not match or not any(match.groups()):
        return None
    hours, minutes = match.groups()
    return round(float((hours or "0").replace(",", ".")) * 60) + int(minutes or 0)


def parse(text: str) -> QuickLog:
    line = " ".join(text.split())
    if not line:
        raise ValidationError({"text": "Write what happened, e.g. 'demo Acme 45m: showed SSO'."})
    head, colon, note = line.partition(":")
    if not colon:
        head, note = line, ""
    words = head.split()
    result = QuickLog(text=line, note=note.strip())
    if words and words[0].lower() in KIND_WORDS:
        result.kind = KIND_WORDS[words.pop(0).lower()]
    if words and SIGNED_DURATION.match(words[-1].lower()):
        raise ValidationError(
            {"text": f"“{words[-1]}” is not a duration: write how long it took, e.g. 45m or 1h."}
        )
    # The duration is the last word(s) before the colon: "45m", "1h", "1h30m", "1.5h".
    for take in (2, 1):
        if len(words) >= take:
            minutes = _minutes("".join(words[-take:]))
            if minutes is not None:
                result.minutes = minutes
                words = words[:-take]
                break
    if not 0 < result.minutes <= MAX_MINUTES:
        raise ValidationError({"text": f"A duration of {result.minutes} minutes is not plausible."})
    result.account_words = " ".join(words)
    return result


def quick_log(
    *, actor: User, text: str, account_id: int | None = None, now: datetime | None = None
) -> QuickLog:
    """Parse ``text`` and, when the account is certain (or confirmed with ``account_id``), log
    the activity as held, ending now. An unsure match returns the candidates instead."""
    result = parse(text)
    visible = accounts_for(actor)
    if account_id is not None:
        account = visible.filter(pk=account_id).first()
        if account is None:
            raise ValidationError(
                {"account_id": f"No account with id {account_id} that you can see."}
            )
        result.account_id, result.confidence = account.pk, 1.0
    elif result.account_words:
        names = dict(visible.values_list("pk", "name"))
        result.candidates = candidates(result.account_words, names)
        if not result.candidates:
            result.candidates = _beginning_with(result.account_words, names)
        best = result.candidates[0] if result.candidates else None
        runner_up = result.candidates[1] if len(result.candidates) > 1 else None
        sure = (
            best is not None
            and best.confidence >= ACCEPT
            and (runner_up is None or runner_up.confidence < best.confidence)
        )
        if not sure:
            return result
        assert best is not None
        result.account_id, result.confidence = best.pk, best.confidence
    ends = now or timezone.now()
    subject = result.note.split(".")[0][:80] if result.note else ""
    label = dict(Kind.choices)[result.kind]
    result.activity = create_activity(
        actor=actor,
        fields={
            "kind": result.kind,
            "subject": f"{label}: {subject}" if subject else label,
            "description": result.note,
            "starts_at": ends - timedelta(minutes=result.minutes),
            "ends_at": ends,
            "status": Activity.Status.HELD,
            "account_id": result.account_id,
            "opportunity_id": _only_open_deal(actor, result.account_id),
        },
    )
    return result


def _beginning_with(words: str, names: dict[int, str]) -> list[Candidate]:
    """Accounts whose name, or a word of it, begins with what was typed ("Sat" offers
    "Saturn Labs" and "Satori Health"): offered for confirmation, never taken silently."""
    wanted = words.strip().lower()
    if len(wanted) < 2:
        return []
    found = [
        Candidate(pk, name, PREFIX_CONFIDENCE)
        for pk, name in names.items()
        if name.lower().startswith(wanted)
        or any(part.startswith(wanted) for part in name.lower().split())
    ]
    found.sort(key=lambda c: (not c.name.lower().startswith(wanted), c.name.lower()))
    return found[:PREFIX_OFFERS]


def _only_open_deal(actor: User, account_id: int | None) -> int | None:
    """The account's open deal when it has exactly one the user may see: the activity is
    about it. With none or several, the activity stays on the account alone."""
    if account_id is None:
        return None
    deals = list(opportunities_for(actor).filter(account_id=account_id, stage__in=OPEN_STAGES)[:2])
    if len(deals) != 1 or not access.can_change(actor, deals[0], seen=True):
        return None
    return int(deals[0].pk)
