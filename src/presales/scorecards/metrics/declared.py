"""Metrics administrators declare as data: which rows (conditions from an allow-list) and which
aggregate. Nothing here runs code or free-form lookups that a person typed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from presales.activities.models import Activity, Kind
from presales.deals.models import Flavor, Opportunity, Stage
from presales.scorecards.metrics.base import Measure, MetricDef, attended, people_deals, percent
from presales.scorecards.models import CustomMetric, CustomMetricCondition
from presales.scorecards.periods import Span


@dataclass(frozen=True)
class Allowed:
    kind: str  # "choice", "text", "bool" or "number"
    lookups: frozenset[str]
    choices: tuple[str, ...] = ()


_CHOICE = frozenset({"exact", "in"})
_TEXT = frozenset({"exact", "iexact", "icontains", "in"})
_NUMBER = frozenset({"exact", "gte", "lte", "gt", "lt"})

ALLOWED: dict[str, dict[str, Allowed]] = {
    CustomMetric.Source.ACTIVITIES: {
        "kind": Allowed("choice", _CHOICE, tuple(Kind.values)),
        "customer_facing": Allowed("bool", frozenset({"exact"})),
        "subject": Allowed("text", _TEXT),
        "account__sector": Allowed("text", _TEXT),
        "account__country": Allowed("text", _TEXT),
        "opportunity__stage": Allowed("choice", _CHOICE, tuple(Stage.values)),
        "opportunity__products__name": Allowed("text", _TEXT),
    },
    CustomMetric.Source.OPPORTUNITIES: {
        "stage": Allowed("choice", _CHOICE, tuple(Stage.values)),
        "flavor": Allowed("choice", _CHOICE, tuple(Flavor.values)),
        "amount": Allowed("number", _NUMBER),
        "products__name": Allowed("text", _TEXT),
        "competitors__name": Allowed("text", _TEXT),
        "account__sector": Allowed("text", _TEXT),
        "account__country": Allowed("text", _TEXT),
    },
}
VALUE_FIELDS: dict[str, tuple[str, ...]] = {
    CustomMetric.Source.ACTIVITIES: ("minutes",),
    CustomMetric.Source.OPPORTUNITIES: ("amount",),
}


def coerce_condition(source: str, field: str, lookup: str, value: str) -> Any:
    """The typed value of a condition, or a ValidationError naming what is not allowed."""
    fields = ALLOWED.get(source)
    if fields is None:
        raise ValidationError({"source": f"Unknown source '{source}'."})
    allowed = fields.get(field)
    if allowed is None:
        raise ValidationError(
            {"field": f"'{field}' is not allowed; choose one of {', '.join(sorted(fields))}."}
        )
    if lookup not in allowed.lookups:
        usable = ", ".join(sorted(allowed.lookups))
        raise ValidationError({"lookup": f"'{lookup}' is not allowed on {field}; use {usable}."})
    parts = [p.strip() for p in value.split(",")] if lookup == "in" else [value.strip()]
    if not all(parts):
        raise ValidationError({"value": "Give a value."})
    typed: list[Any] = []
    for part in parts:
        if allowed.kind == "choice" and part not in allowed.choices:
            raise ValidationError(
                {"value": f"'{part}' is not one of {', '.join(allowed.choices)}."}
            )
        if allowed.kind == "bool":
            if part.lower() not in {"true", "false"}:
                raise ValidationError({"value": "Write true or false."})
            typed.append(part.lower() == "true")
            continue
        if allowed.kind == "number":
            try:
                typed.append(Decimal(part))
            except InvalidOperation:
                raise ValidationError({"value": f"'{part}' is not a number."}) from None
            continue
        typed.append(part)
    return typed if lookup == "in" else typed[0]


def validate_metric(metric: CustomMetric, conditions: Sequence[CustomMetricCondition]) -> None:
    from presales.scorecards.metrics.builtin import BUILTIN

    if metric.key in BUILTIN:
        raise ValidationError({"key": f"'{metric.key}' is a built-in metric."})
    if metric.source not in ALLOWED:
        raise ValidationError({"source": f"Unknown source '{metric.source}'."})
    if metric.aggregate in {"sum", "avg"}:
        if metric.value_field not in VALUE_FIELDS[metric.source]:
            choices = ", ".join(VALUE_FIELDS[metric.source])
            raise ValidationError({"value_field": f"Sum and average need one of: {choices}."})
    elif metric.value_field:
        raise ValidationError({"value_field": "Only sum and average use a value field."})
    parts = {c.part for c in conditions}
    if metric.aggregate == "rate" and CustomMetricCondition.Part.NUMERATOR not in parts:
        raise ValidationError({"conditions": "A rate needs at least one numerator condition."})
    if metric.aggregate != "rate" and CustomMetricCondition.Part.NUMERATOR in parts:
        raise ValidationError({"conditions": "Numerator conditions are only for a rate."})
    for condition in conditions:
        coerce_condition(metric.source, condition.field, condition.lookup, condition.value)


def _q(metric: CustomMetric, conditions: Sequence[CustomMetricCondition], part: str) -> Q:
    q = Q()
    for c in conditions:
        if c.part == part:
            q &= Q(
                **{
                    f"{c.field}__{c.lookup}": coerce_condition(
                        metric.source, c.field, c.lookup, c.value
                    )
                }
            )
    return q


def _rows(metric: CustomMetric, people: Sequence[int], span: Span) -> QuerySet[Any]:
    if metric.source == CustomMetric.Source.ACTIVITIES:
        return attended(people, span)
    return people_deals(people).filter(close_date__gte=span.start, close_date__lte=span.end)


def evaluate(metric: CustomMetric, people: Sequence[int], span: Span) -> Measure:
    conditions = list(metric.conditions.all())
    model: type[Activity] | type[Opportunity] = (
        Activity if metric.source == CustomMetric.Source.ACTIVITIES else Opportunity
    )
    # Conditions across a many-to-many (products) would repeat rows in a join: filter by id.
    chosen = model.objects.filter(_q(metric, conditions, "filter")).values("pk")
    rows = _rows(metric, people, span).filter(pk__in=chosen)
    of = "activities" if model is Activity else "deals"
    if metric.aggregate == "count":
        n = rows.count()
        return Measure(float(n), n, of)
    if metric.aggregate == "rate":
        total = rows.count()
        hits = model.objects.filter(_q(metric, conditions, "numerator")).values("pk")
        n = rows.filter(pk__in=hits).count()
        return Measure(percent(n, total), total, of, f"{n} of {total}")
    if metric.value_field == "minutes":
        values = [(e - s).total_seconds() / 60 for s, e in rows.values_list("starts_at", "ends_at")]
    else:
        values = [float(a) for a in rows.values_list("amount", flat=True) if a is not None]
    if not values:
        return Measure(None, 0, of, "Nothing matched.")
    total_value = sum(values)
    value = total_value if metric.aggregate == "sum" else total_value / len(values)
    return Measure(round(value, 2), len(values), of)


def as_metric_def(metric: CustomMetric) -> MetricDef:
    return MetricDef(
        key=metric.key,
        name=metric.name,
        unit=metric.unit,
        definition=metric.definition,
        pillar="",
        compute=lambda people, span: evaluate(metric, people, span),
        higher_is_better=metric.higher_is_better,
        builtin=False,
    )
