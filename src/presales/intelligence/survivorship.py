"""Which value the surviving record keeps, field by field, and why.

Rules:
- ``precedence``: the value from the most trusted source (``PRESALES_SOURCE_PRECEDENCE``, first
  is most trusted; records made in Presales come after the named systems), ties to the survivor.
- ``recent``: the non-empty value of the most recently updated record.
- ``non_empty``: the survivor's value, or the first non-empty one among the others.
- ``flagged``: a contact status other than active wins (a death or a departure is never lost).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models

from presales.intelligence.merging_fields import FIELDS


@dataclass
class Decision:
    field: str
    label: str
    rule: str
    value: Any
    source_id: int
    values: list[tuple[int, Any]]
    changed: bool
    lost: list[Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "label": self.label,
            "rule": self.rule,
            "value": _show(self.value),
            "from": self.source_id,
            "lost": [_show(v) for v in self.lost],
        }


def _show(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _empty(value: Any) -> bool:
    return value is None or value == ""


def precedence() -> list[str]:
    return list(getattr(settings, "PRESALES_SOURCE_PRECEDENCE", ["salesforce", "hubspot", "csv"]))


def _rank(record: models.Model) -> int:
    order = precedence()
    source = getattr(record, "source", "")
    return order.index(source) if source in order else len(order)


def _choose(rule: str, attname: str, records: list[models.Model]) -> models.Model:
    survivor = records[0]
    filled = [r for r in records if not _empty(getattr(r, attname))]
    if not filled:
        return survivor
    if rule == "precedence":
        return min(filled, key=lambda r: (_rank(r), r is not survivor))
    if rule == "recent":
        return max(filled, key=lambda r: (getattr(r, "updated_at", None), r is survivor))
    if rule == "flagged":
        flagged = [r for r in filled if getattr(r, attname) != "active"]
        return flagged[0] if flagged else survivor
    return survivor if survivor in filled else filled[0]


def decide(kind: str, survivor: models.Model, others: list[models.Model]) -> list[Decision]:
    records = [survivor, *others]
    decisions = []
    for name, rule in FIELDS[kind]:
        field = survivor._meta.get_field(name)
        attname = field.attname  # type: ignore[union-attr]
        chosen = _choose(rule, attname, records)
        value = getattr(chosen, attname)
        values = [(r.pk, getattr(r, attname)) for r in records]
        lost = [v for _, v in values if not _empty(v) and v != value]
        seen: list[Any] = []
        for v in lost:
            if v not in seen:
                seen.append(v)
        decisions.append(
            Decision(
                field=attname,
                label=str(field.verbose_name).capitalize(),  # type: ignore[union-attr]
                rule=rule,
                value=value,
                source_id=chosen.pk,
                values=values,
                changed=value != getattr(survivor, attname),
                lost=seen,
            )
        )
    return decisions
