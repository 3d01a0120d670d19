"""Template filters that write analytics figures the same way everywhere."""

from __future__ import annotations

from django import template

from presales.core import money as _money
from presales.core.stats import Figure

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@register.filter
def signed_pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.0f} pts"


@register.filter
def interval(figure: Figure) -> str:
    """A rate's interval as a percent range, a median's as a plain range; empty without one."""
    if figure.low is None or figure.high is None:
        return ""
    if figure.unit == "%":
        return f"{figure.low * 100:.0f}–{figure.high * 100:.0f}%"
    return f"{figure.low:.0f}–{figure.high:.0f}"


@register.filter
def value(figure: Figure) -> str:
    if figure.value is None:
        return "—"
    if figure.unit == "%":
        return f"{figure.value * 100:.0f}%"
    if figure.unit == "money":
        return _money.money(figure.value)
    return f"{figure.value:.0f}"


@register.filter
def money(amount: float | None) -> str:
    """An amount with its currency: ``$12,345``."""
    return _money.money(amount)


@register.filter
def money_cents(amount: float | None) -> str:
    """An amount with its currency and cents when it has them: ``$1,250.50``."""
    return _money.money_cents(amount)
