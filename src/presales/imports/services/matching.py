"""Names that differ slightly from the master list ("GTXPro" for "GTX Pro", "Acme Corp." for
"Acme Corporation"): matched with a confidence that is always shown, never silently."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher

SUFFIXES = re.compile(
    r"\b(incorporated|inc|corporation|corp|company|co|limited|ltd|llc|plc|gmbh|ag|sa|srl|bv)\b"
)
ACCEPT = 0.85


def compact(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", name.lower())


def _core(name: str) -> str:
    return compact(SUFFIXES.sub(" ", re.sub(r"[^0-9a-z]+", " ", name.lower())))


@dataclass(frozen=True)
class Candidate:
    pk: int
    name: str
    confidence: float


def score(wanted: str, name: str) -> float:
    if wanted.strip().lower() == name.strip().lower():
        return 1.0
    if compact(wanted) == compact(name):
        return 0.95
    a, b = _core(wanted), _core(name)
    if a and a == b:
        return 0.9
    if not a or not b:
        return 0.0
    ratio = SequenceMatcher(None, a, b).ratio()
    if a.startswith(b) or b.startswith(a):
        ratio = max(ratio, 0.8 * min(len(a), len(b)) / max(len(a), len(b)) + 0.1)
    return round(ratio * 0.9, 2)


def candidates(wanted: str, names: Mapping[int, str], *, limit: int = 5) -> list[Candidate]:
    scored = [Candidate(pk, name, score(wanted, name)) for pk, name in names.items()]
    scored = [c for c in scored if c.confidence >= 0.5]
    scored.sort(key=lambda c: (-c.confidence, c.name))
    return scored[:limit]


def match_name(wanted: str, names: Mapping[int, str]) -> tuple[int, float] | None:
    """The one name ``wanted`` most likely means, with its confidence, or None when no name is
    close enough or two are equally close."""
    found = candidates(wanted, names, limit=2)
    if not found or found[0].confidence < ACCEPT:
        return None
    if len(found) == 2 and found[1].confidence == found[0].confidence:
        return None
    return found[0].pk, found[0].confidence
