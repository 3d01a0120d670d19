"""Synthetic companies with known duplicates, for the benchmark and the quality tests.

Each duplicate is the same company as another system would hold it: a different legal suffix or
none, other case and punctuation, a typo, the web address written another way, the phone with a
country prefix, the street abbreviated, a field left empty.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

STEMS = [
    "north",
    "south",
    "east",
    "west",
    "blue",
    "red",
    "green",
    "silver",
    "golden",
    "iron",
    "stone",
    "river",
    "lake",
    "bay",
    "harbor",
    "summit",
    "peak",
    "valley",
    "prairie",
    "coastal",
    "alpine",
    "nordic",
    "atlantic",
    "pacific",
    "central",
    "united",
    "global",
    "first",
    "prime",
    "apex",
    "vertex",
    "nova",
    "stellar",
    "quantum",
    "fusion",
    "vector",
    "pixel",
    "data",
    "cloud",
    "cyber",
    "metro",
    "urban",
    "rural",
    "royal",
    "crown",
    "eagle",
    "falcon",
    "hawk",
    "lion",
    "tiger",
    "bear",
    "wolf",
    "fox",
    "oak",
    "pine",
    "cedar",
    "maple",
    "willow",
    "birch",
]
TRADES = [
    "logistics",
    "shipping",
    "freight",
    "foods",
    "dairy",
    "bakery",
    "pharma",
    "biotech",
    "health",
    "clinic",
    "insurance",
    "bank",
    "capital",
    "partners",
    "consulting",
    "systems",
    "software",
    "networks",
    "telecom",
    "energy",
    "solar",
    "wind",
    "power",
    "utilities",
    "mining",
    "steel",
    "metals",
    "plastics",
    "chemicals",
    "textiles",
    "fashion",
    "retail",
    "stores",
    "motors",
    "automotive",
    "aviation",
    "aerospace",
    "marine",
    "hotels",
    "travel",
    "media",
    "studios",
    "publishing",
    "labs",
    "analytics",
    "robotics",
    "devices",
    "instruments",
]
SUFFIXES = ["Inc", "Inc.", "GmbH", "N.V.", "Ltd", "LLC", "S.A.", "AG", "Corp.", "plc", ""]
CITIES = [
    "Berlin",
    "Munich",
    "Hamburg",
    "Amsterdam",
    "Rotterdam",
    "Paris",
    "Lyon",
    "London",
    "Leeds",
    "Madrid",
    "Lisbon",
    "Milan",
    "Vienna",
    "Zurich",
    "Oslo",
    "Stockholm",
    "Helsinki",
    "Dublin",
    "Boston",
    "Austin",
    "Denver",
    "Seattle",
    "Toronto",
]
STREETS = [
    "Main",
    "Station",
    "Market",
    "Harbor",
    "Park",
    "Mill",
    "Church",
    "High",
    "King",
    "Queen",
    "Bridge",
    "Garden",
]
KINDS = [("Street", "St"), ("Road", "Rd"), ("Avenue", "Ave")]
COUNTRIES = ["Germany", "Netherlands", "France", "United Kingdom", "Spain", "United States"]


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    choice = rng.random()
    if choice < 0.4:
        return text[:i] + text[i + 1 :]
    if choice < 0.7:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeiourstn") + text[i + 1 :]


def company(rng: random.Random, n: int) -> dict[str, str]:
    stem, trade = rng.choice(STEMS), rng.choice(TRADES)
    extra = rng.choice(STEMS).capitalize() + " " if rng.random() < 0.5 else ""
    base = f"{extra}{stem.capitalize()} {trade.capitalize()} {n}"
    slug = f"{stem}{trade}{n}"
    street_kind = rng.choice(KINDS)
    return {
        "name": f"{base} {rng.choice(SUFFIXES)}".strip(),
        "domain": f"https://www.{slug}.com",
        "phone": f"+49 30 {rng.randrange(10**6, 10**7)}",
        "postal_code": f"{rng.randrange(10000, 99999)}",
        "street": f"{rng.randrange(1, 300)} {rng.choice(STREETS)} {street_kind[0]}",
        "city": rng.choice(CITIES),
        "country": rng.choice(COUNTRIES),
    }


def variant(rng: random.Random, original: dict[str, str]) -> dict[str, str]:
    """The same company as another source holds it."""
    copy = dict(original)
    words = copy["name"].split()
    # Another legal suffix (or none), other case.
    if words[-1] in SUFFIXES:
        words = words[:-1]
    name = " ".join(words) + " " + rng.choice(SUFFIXES)
    if rng.random() < 0.3:
        name = name.upper()
    if rng.random() < 0.4:
        name = _typo(rng, name.strip())
    copy["name"] = name.strip()
    copy["domain"] = copy["domain"].replace("https://www.", rng.choice(["", "www.", "http://"]))
    if rng.random() < 0.5:
        copy["phone"] = "0049" + copy["phone"].replace("+49", "").replace(" ", "")
    for long, short in KINDS:
        copy["street"] = copy["street"].replace(long, short)
    for field in ("domain", "phone", "postal_code", "street"):
        if rng.random() < 0.2:
            copy[field] = ""
    return copy


def accounts(
    count: int, *, duplicates: float = 0.05, seed: int = 1
) -> Iterator[tuple[int, dict[str, str], int]]:
    """``(id, fields, entity)`` for ``count`` records; ``duplicates`` of them are copies of an
    earlier record (same ``entity``)."""
    rng = random.Random(seed)
    copies = int(count * duplicates)
    originals = count - copies
    made: list[dict[str, str]] = []
    for i in range(originals):
        fields = company(rng, i)
        made.append(fields)
        yield i + 1, fields, i
    for j in range(copies):
        entity = rng.randrange(originals)
        yield originals + j + 1, variant(rng, made[entity]), entity
