"""Assemble notes, subjects and win/loss reasons from the grammar, steered by the context."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache

from . import _customer, _deal, _lexicon, _short
from ._grammar import Expander, Grammar, capitalise


@dataclass(frozen=True)
class NoteContext:
    account: str
    product: str
    competitor: str | None
    contact_name: str
    contact_title: str
    kind: str
    stage: str
    flavor: str
    author_first_name: str


_BINDINGS = (
    "account",
    "product",
    "competitor",
    "competitors",
    "contact",
    "first",
    "title",
    "author",
    "cname",
)
GRAMMAR = Grammar(
    (_lexicon.GENERATED, _lexicon.RULES, _customer.RULES, _deal.RULES, _short.RULES),
    _BINDINGS,
)
# Bound once per text so that one note talks about one CRM, one IdP and one colleague.
_PER_TEXT = ("colleague", "rep", "system", "idp", "legacy", "region_dc", "siem")
_ALIASES = {
    flavor: {base: f"{base}_{flavor[0]}" for base in GRAMMAR.variant_bases}
    for flavor in ("problem", "opportunity")
}
# Colleagues who turn up in notes: PS, security and SA people rather than the deal's own rep.
_CAST = ("Priya", "Marco", "Jonas", "Aisha", "Tom", "Mei", "Luis", "Hannah", "Kofi", "Sven", "Ines")

_STAGE_MIX = {
    "prospecting": "discovery 6, words 2, next 2, competitor 1, commit 1.5, pricing .5, risk .5, "
    "integration .5, security .5, feature .5",
    "discovery": "discovery 5, words 3, security 1.5, compliance 1, integration 1.5, migration 1, "
    "performance .5, pricing 1, competitor 1.5, feature 1.5, commit 2, next 2, risk 1",
    "demo": "demo 5, feature 2.5, security 1, integration 1.5, words 1, competitor 1.5, commit 2, "
    "next 2, risk 1, discovery 1",
    "poc": "poc 5, security 1.5, integration 2, migration 1.5, performance 2, feature 1.5, "
    "commit 2.5, next 1, risk 1, competitor 1",
    "proposal": "pricing 4, procurement 2, security 1.5, compliance 1.5, commit 2.5, risk 2, "
    "competitor 1.5, feature 1, next 1",
    "negotiation": "pricing 4, procurement 4, compliance 1, commit 2.5, risk 2.5, competitor 1.5, "
    "next 1",
    "won": "rollout 2.5, commit 1.5, migration 1, internal .5, words .5",
    "lost": "risk 1.5, feature 1, competitor 1, internal .5, words .5",
}
_KIND_BOOST = {
    "demo": "demo 5",
    "poc": "poc 5",
    "workshop": "integration 2, migration 1.5, security 1.5, performance 1, discovery 1",
    "internal": "internal 6, risk 1",
}
_TITLE_BOOST = (
    (re.compile(r"secur|ciso|risk|complian|privacy|audit"), "security 3, compliance 3"),
    (
        re.compile(r"cfo|financ|procure|purchas|controller|legal|counsel"),
        "pricing 3, procurement 3",
    ),
    (
        re.compile(r"\bc[it]o\b|architect|engineer|develop|\bit\b|data|platform|infra|devops"),
        "integration 2, migration 2, performance 2",
    ),
)
# Where a topic sits in a note: outcomes first, the body in random order, promises last.
_RANK = {
    "win": 0,
    "loss": 0,
    "oob": 0,
    "discovery": 1,
    "words": 1,
    "commit": 3,
    "oob_after": 3,
    "next": 4,
}
# Topics that read as contradictions or padding when a note has two of them.
_ONCE = frozenset({"next", "status_quo", "rollout", "oob_after", "words"})
_LENGTHS = (1, 2, 3, 4, 5, 6)
_LENGTH_WEIGHTS = (8, 20, 27, 22, 14, 9)


def _parse_mix(text: str) -> dict[str, float]:
    pairs = (item.split() for item in text.split(","))
    return {name: float(weight) for name, weight in pairs}


@lru_cache(maxsize=512)
def _mix(stage: str, kind: str, title: str, has_competitor: bool) -> tuple[list[str], list[float]]:
    if kind == "out_of_band":
        return ["oob", "oob_after"], [1.0, 1.5]
    mix = _parse_mix(_STAGE_MIX.get(stage, _STAGE_MIX["discovery"]))
    if kind == "internal":
        mix = {name: weight * 0.4 for name, weight in mix.items()}
    boosts = [_KIND_BOOST.get(kind, "")]
    if stage not in ("won", "lost"):
        boosts += [boost for pattern, boost in _TITLE_BOOST if pattern.search(title.lower())]
    for boost in filter(None, boosts):
        for name, weight in _parse_mix(boost).items():
            mix[name] = mix.get(name, 0.0) * 2 + weight
    competition = mix.pop("competitor", 0.0)
    mix["competitor" if has_competitor else "status_quo"] = competition * (
        1.0 if has_competitor else 0.4
    )
    return list(mix), list(mix.values())


def _expander(rng: random.Random, ctx: NoteContext, *, coherent: bool = True) -> Expander:
    name = ctx.contact_name.strip() or "the customer"
    # A placeholder such as "the customer" is not a personal name to take a first name from.
    personal = name[0].isupper()
    bindings = {
        "account": ctx.account,
        "product": ctx.product,
        "contact": name,
        "first": name.split()[0] if personal else name,
        "title": ctx.contact_title.strip() or "project lead",
        # A user without a first name is still someone: never an empty subject.
        "author": ctx.author_first_name.strip() or "the team",
        "cname": rng.choice([n for n in _CAST if n != ctx.author_first_name]),
    }
    if ctx.competitor:
        bindings["competitor"] = ctx.competitor
        bindings["competitors"] = ctx.competitor + ("'" if ctx.competitor.endswith("s") else "'s")
    flavor = ctx.flavor if ctx.flavor in _ALIASES else rng.choice(("problem", "opportunity"))
    expander = GRAMMAR.expander(rng, bindings, _ALIASES[flavor])
    if coherent:
        expander.bind(*_PER_TEXT)
    return expander


def _topics(rng: random.Random, ctx: NoteContext, count: int) -> list[str]:
    chosen = []
    if ctx.kind == "out_of_band":
        chosen.append("oob")
    elif ctx.stage in ("won", "lost"):
        chosen.append("win" if ctx.stage == "won" else "loss")
    names, weights = _mix(ctx.stage, ctx.kind, ctx.contact_title, bool(ctx.competitor))
    weights = list(weights)
    while len(chosen) < count and any(weights):
        index = rng.choices(range(len(names)), weights)[0]
        chosen.append(names[index])
        weights[index] = 0.0 if names[index] in _ONCE else weights[index] / 3
    keyed = [(_RANK.get(topic, 2), rng.random(), topic) for topic in chosen]
    return [topic for _, _, topic in sorted(keyed)]


def _outcome(ex: Expander, topic: str, with_lesson: float) -> str:
    prefix = "win" if topic == "win" else "loss"
    main = f"{prefix}_comp" if ex.has_binding("competitor") and ex.rng.random() < 0.45 else ""
    text = ex.sentence(main or f"{prefix}_main")
    if ex.rng.random() < with_lesson:
        text += " " + ex.sentence(f"{prefix}_extra")
    return text


def _opener(ex: Expander, ctx: NoteContext) -> str:
    if ctx.stage in ("won", "lost") and ctx.kind != "out_of_band" and ex.rng.random() < 0.5:
        return ex.sentence(f"open_{ctx.stage}")
    return ex.sentence(f"open_{ctx.kind}" if ex.has(f"open_{ctx.kind}") else "open_none")


def _prose(ex: Expander, ctx: NoteContext, topics: list[str]) -> str:
    rng = ex.rng
    sentences = []
    for topic in topics:
        if topic in ("win", "loss"):
            sentences.append(_outcome(ex, topic, with_lesson=0.35))
        else:
            sentences.append(ex.sentence(f"t_{topic}"))
    if len(topics) >= 2 and rng.random() < 0.55:
        sentences.insert(0, _opener(ex, ctx))
    if len(sentences) >= 4 and topics[-1] in ("commit", "next") and rng.random() < 0.3:
        return " ".join(sentences[:-1]) + "\n\n" + sentences[-1]
    return " ".join(sentences)


def _fragment(ex: Expander, topic: str) -> str:
    if topic in ("win", "loss") and ex.has_binding("competitor") and ex.rng.random() < 0.45:
        return ex.rule(f"z_{topic}_comp")
    return ex.rule(f"z_{topic}")


def _terse(ex: Expander, ctx: NoteContext, topics: list[str]) -> str:
    rng = ex.rng
    fragments = [_fragment(ex, topic) for topic in topics[:4]]
    if rng.random() < 0.6:
        opener = "z_open_out_of_band" if ctx.kind == "out_of_band" else "z_open"
        fragments[0] = ex.rule(opener) + " " + fragments[0]
    separator = rng.choice((". ", ". ", "; ", " / "))
    if separator == ". ":
        fragments = [capitalise(fragment) for fragment in fragments]
    text = capitalise(separator.join(fragments)).replace('.". ', '." ')
    return text if text.endswith((".", "?", "!", '"')) else text + "."


def _bullets(ex: Expander, ctx: NoteContext, topics: list[str]) -> str:
    lines = []
    lead = ex.rng.random()
    if lead < 0.45:
        lines.append(ex.rule("bullet_header"))
    elif lead < 0.8:
        lines.append(_opener(ex, ctx))
    lines += ["- " + capitalise(_fragment(ex, topic)) for topic in topics]
    return "\n".join(lines)


def note_body(rng: random.Random, ctx: NoteContext) -> str:
    ex = _expander(rng, ctx)
    count = rng.choices(_LENGTHS, _LENGTH_WEIGHTS)[0]
    if ctx.kind == "out_of_band":
        count = min(count, 3)
    style = rng.random()
    if style < 0.16:
        return _terse(ex, ctx, _topics(rng, ctx, min(count, 4)))
    if style < 0.32:
        return _bullets(ex, ctx, _topics(rng, ctx, min(max(count, 2), 5)))
    return _prose(ex, ctx, _topics(rng, ctx, count))


def activity_subject(rng: random.Random, ctx: NoteContext) -> str:
    ex = _expander(rng, ctx, coherent=False)
    rule = f"s_{ctx.kind}" if ex.has(f"s_{ctx.kind}") else "s_none"
    special = {
        ("meeting", "prospecting"): "s_meeting_early",
        ("meeting", "discovery"): "s_meeting_early",
        ("meeting", "proposal"): "s_meeting_late",
        ("meeting", "negotiation"): "s_meeting_late",
        ("meeting", "won"): "s_meeting_won",
        ("meeting", "lost"): "s_meeting_lost",
        ("internal", "won"): "s_internal_closed",
        ("internal", "lost"): "s_internal_closed",
    }.get((ctx.kind, ctx.stage))
    if special and rng.random() < 0.5:
        rule = special
    return ex.sentence(rule)


def win_reason(rng: random.Random, ctx: NoteContext) -> str:
    return _outcome(_expander(rng, ctx), "win", with_lesson=0.4)


def loss_reason(rng: random.Random, ctx: NoteContext) -> str:
    return _outcome(_expander(rng, ctx), "loss", with_lesson=0.4)
