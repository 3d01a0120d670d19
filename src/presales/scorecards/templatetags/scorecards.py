from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def figure(value: float | None, unit: str = "") -> str:
    """A metric value with its unit: '70.0 %', '12 days', '3'; a dash when there is none."""
    if value is None:
        return "—"
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if unit == "%":
        return f"{number} %"
    if unit in {"", "count"}:
        return number
    return f"{number} {unit}"


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if mapping is not None else None
