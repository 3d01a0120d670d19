"""Money as every page, export and report writes it: always with its currency.

Presales keeps amounts in one currency (US dollars, as the CRM imports deliver them), so the
symbol is a constant here rather than a per-row field.
"""

from __future__ import annotations

from decimal import Decimal

CURRENCY_SYMBOL = "$"


def money(value: float | Decimal | int | None, *, empty: str = "—") -> str:
    """``$12,345`` (no decimals); negative amounts as ``-$1,200``; ``empty`` for None."""
    if value is None:
        return empty
    amount = float(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}{CURRENCY_SYMBOL}{abs(amount):,.0f}"


def money_cents(value: float | Decimal | int | None, *, empty: str = "—") -> str:
    """Like ``money`` but with cents, as pay is written (payouts, SPIFF rates): ``$500.00``."""
    if value is None:
        return empty
    amount = float(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}{CURRENCY_SYMBOL}{abs(amount):,.2f}"
