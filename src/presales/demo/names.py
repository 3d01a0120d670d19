"""Names for the demo: people and companies built from parts, so none belongs to anyone real."""

from __future__ import annotations

import random
import re

FIRST = ["Aisha", "Alex", "Amara", "Ana", "Andre", "Arjun", "Beatriz", "Ben", "Camila", "Carlos", "Chen", "Chloe", "Dana", "Daniel", "Dev", "Diego", "Elena", "Emeka", "Emma", "Farah", "Felix", "Grace", "Hana", "Hugo", "Ines", "Isaac", "Jamal", "Jana", "Javier", "Jin", "Jonas", "Julia", "Kai", "Kenji", "Lara", "Leon", "Lina", "Luca", "Maya", "Mateo", "Mei", "Mira", "Nadia", "Nia", "Noah", "Omar", "Olga", "Pablo", "Priya", "Quinn", "Rafael", "Rosa", "Ravi", "Sam", "Sara", "Sofia", "Tariq", "Tess", "Theo", "Uma", "Valeria", "Victor", "Wei", "Yara", "Yusuf", "Zoe"]
LAST = ["Abbott", "Adeyemi", "Alvarez", "Andersen", "Baptiste", "Becker", "Bergstrom", "Castillo", "Chandra", "Costa", "Dalton", "Delgado", "Dubois", "Eriksen", "Fischer", "Fontaine", "Garcia", "Gupta", "Haddad", "Hansen", "Ibarra", "Ito", "Jensen", "Kaur", "Keller", "Kowalski", "Larsen", "Lindqvist", "Mahmoud", "Marino", "Mendes", "Moreau", "Nakamura", "Novak", "Okafor", "Olsen", "Ortega", "Park", "Patel", "Petrov", "Quist", "Ramirez", "Rossi", "Sato", "Schmidt", "Silva", "Sorensen", "Tanaka", "Torres", "Varga", "Vogel", "Walsh", "Weber", "Whitfield", "Yamada", "Yilmaz", "Zeller", "Zhang"]
STEMS = ["Acme", "Alpha", "Apex", "Aqua", "Arc", "Beta", "Bio", "Blue", "Bright", "Cane", "Cedar", "Code", "Cone", "Core", "Crest", "Dal", "Dent", "Dyna", "Echo", "Elm", "Fab", "Flex", "Fort", "Gen", "Globe", "Gold", "Green", "Hex", "Hori", "Hub", "Iso", "Jet", "Kin", "Lake", "Lum", "Mag", "Med", "Mer", "Nex", "Nova", "Omni", "Opti", "Orbi", "Pan", "Peak", "Quad", "Rad", "Red", "Ron", "Sat", "Scot", "Sil", "Sol", "Sono", "Stat", "Sun", "Tech", "Tera", "Top", "Tran", "Tri", "Uni", "Vel", "Ver", "Vol", "Wave", "Xen", "Zap", "Zen", "Zoom"]
TAILS = (
    ["tech", "soft", "net", "ware", "dox", "fase", "hold", "works", "labs", "line", "sys", "tron", "nix", "com", "data", "care", "max", "gen", "plex", "logic", "point", "stone", "field", "bridge", "view", "path", "scape"]
)
FORMS = ["{a}{b}", "{a}{b}", "{a}{b}", "{a}-{b}", "{a} {c}", "{a}{b} {c}"]
SUFFIXES = ["Corporation", "Group", "Labs", "Holdings", "Systems", "Industries", "Partners", "Inc"]


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST), rng.choice(LAST)


def people(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """``n`` distinct people; callers pop from the end."""
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str]] = []
    while len(out) < n:
        p = person(rng)
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def companies(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        name = rng.choice(FORMS).format(
            a=rng.choice(STEMS), b=rng.choice(TAILS), c=rng.choice(SUFFIXES)
        )
        name = name[0].upper() + name[1:]
        if name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out


def domain_for(company: str) -> str:
    """A mail domain under the reserved ``.example`` top-level domain, so no mail can escape."""
    return (re.sub(r"[^a-z0-9]+", "", company.lower()) or "company") + ".example"
