"""A small combinatorial grammar: named rules of alternatives, expanded with a seeded RNG.

Rules are written in a compact text format so that the prose stays readable::

    @rule_name
    A template with a {slot}, a capitalised {^slot} and [inline|alternatives|].
    ~

``@name`` starts a rule, every following non-blank line is one alternative (an indented
line continues the one before), ``~`` is the empty alternative (making the rule optional)
and ``#`` starts a comment line. A ``{slot}``
is filled from the bindings of the current expansion (context values such as the account)
or else by expanding the rule of that name; ``[a|b]`` picks one option in place.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class _Slot:
    name: str
    capitalise: bool


@dataclass(frozen=True, slots=True)
class _Choice:
    options: tuple[Template, ...]


Template = tuple["str | _Slot | _Choice", ...]

_TOKEN = re.compile(r"\{(\^?)(\w+)\}|\[([^\[\]]*)\]")
_STRAY = re.compile(r"[{}\[\]]")
# How often to re-draw an alternative already used in the same text before accepting a repeat.
_REDRAWS = 6


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def parse_rules(source: str) -> dict[str, list[str]]:
    rules: dict[str, list[str]] = {}
    current: list[str] | None = None
    for number, raw in enumerate(source.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if raw[0].isspace():
            if not current:
                raise ValueError(f"line {number}: continuation without an alternative")
            current[-1] += " " + line
        elif line.startswith("@"):
            name = line[1:].strip()
            if name in rules:
                raise ValueError(f"line {number}: rule {name!r} is defined twice")
            current = rules[name] = []
        elif current is None:
            raise ValueError(f"line {number}: alternative before any @rule")
        else:
            current.append("" if line == "~" else line)
    return rules


def compile_template(text: str) -> Template:
    parts: list[str | _Slot | _Choice] = []
    position = 0
    for match in _TOKEN.finditer(text):
        parts.append(text[position : match.start()])
        if match.group(2):
            parts.append(_Slot(match.group(2), bool(match.group(1))))
        else:
            parts.append(_Choice(tuple(compile_template(o) for o in match.group(3).split("|"))))
        position = match.end()
    parts.append(text[position:])
    for part in parts:
        if isinstance(part, str) and _STRAY.search(part):
            raise ValueError(f"unbalanced brace or bracket in template {text!r}")
    return tuple(part for part in parts if part != "")


def _slots(template: Template) -> Iterable[str]:
    for part in template:
        if isinstance(part, _Slot):
            yield part.name
        elif isinstance(part, _Choice):
            for option in part.options:
                yield from _slots(option)


class Grammar:
    """Compiled rules; ``binding_names`` are the slots that callers always bind themselves."""

    def __init__(self, sources: Iterable[str], binding_names: Iterable[str]) -> None:
        self.rules: dict[str, tuple[Template, ...]] = {}
        for source in sources:
            for name, alternatives in parse_rules(source).items():
                if name in self.rules:
                    raise ValueError(f"rule {name!r} is defined in two sources")
                if not alternatives:
                    raise ValueError(f"rule {name!r} has no alternatives")
                self.rules[name] = tuple(compile_template(a) for a in alternatives)
        # A slot may name a pair of variants ``x_p``/``x_o`` that an alias resolves per text.
        self.variant_bases = tuple(
            name[:-2]
            for name in self.rules
            if name.endswith("_p") and f"{name[:-2]}_o" in self.rules
        )
        known = set(self.rules) | set(binding_names) | set(self.variant_bases)
        missing = sorted({s for ts in self.rules.values() for t in ts for s in _slots(t)} - known)
        if missing:
            raise ValueError(f"slots with neither a rule nor a binding: {missing}")

    def expander(
        self,
        rng: random.Random,
        bindings: dict[str, str],
        aliases: Mapping[str, str],
    ) -> Expander:
        return Expander(self.rules, rng, bindings, aliases)


class Expander:
    """One text's worth of expansion: it remembers which alternatives it used, to vary them."""

    __slots__ = ("aliases", "bindings", "rng", "rules", "used")

    def __init__(
        self,
        rules: Mapping[str, tuple[Template, ...]],
        rng: random.Random,
        bindings: dict[str, str],
        aliases: Mapping[str, str],
    ) -> None:
        self.rules = rules
        self.rng = rng
        self.bindings = bindings
        self.aliases = aliases
        self.used: set[tuple[str, int]] = set()

    def has(self, name: str) -> bool:
        return self.aliases.get(name, name) in self.rules

    def has_binding(self, name: str) -> bool:
        return name in self.bindings

    def bind(self, *names: str) -> None:
        """Fix the value of each rule for the rest of this text, so a note keeps one system."""
        for name in names:
            self.bindings[name] = self.rule(name)

    def rule(self, name: str) -> str:
        bound = self.bindings.get(name)
        if bound is not None:
            return bound
        name = self.aliases.get(name, name)
        alternatives = self.rules[name]
        count = len(alternatives)
        index = self.rng.randrange(count)
        if count > 1:
            redraws = _REDRAWS
            while (name, index) in self.used and redraws:
                index = self.rng.randrange(count)
                redraws -= 1
            self.used.add((name, index))
        return self.fill(alternatives[index])

    def sentence(self, name: str) -> str:
        return capitalise(self.rule(name))

    def fill(self, template: Template) -> str:
        out: list[str] = []
        for part in template:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, _Slot):
                value = self.rule(part.name)
                out.append(capitalise(value) if part.capitalise else value)
            else:
                out.append(self.fill(self.rng.choice(part.options)))
        return "".join(out)
