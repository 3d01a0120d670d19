"""The CSV export of the ranking, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from presales.gaps.models import ProductGap

# A cell a spreadsheet would read as a formula (or a command in older ones) starts with one of
# these; a leading quote makes it text. OWASP's advice for CSV injection.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = [
    "id",
    "title",
    "product area",
    "status",
    "answer",
    "days overdue",
    "revenue at stake",
    "revenue lost",
    "revenue won",
    "accounts",
    "open deals",
    "requesting account",
    "team",
    "written on",
]


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def gaps_csv(gaps: Iterable[ProductGap], *, today: date) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for gap in gaps:
        writer.writerow(
            safe_cell(v)
            for v in (
                gap.pk,
                gap.title,
                gap.product_area,
                gap.get_status_display(),
                gap.answer_text,
                gap.days_overdue(today),
                gap.revenue_at_stake,
                gap.revenue_lost,
                gap.revenue_won,
                gap.account_count,
                gap.open_deal_count,
                gap.account.name if gap.account else "",
                gap.team.name if gap.team else "",
                gap.created_at.date().isoformat(),
            )
        )
    return buffer.getvalue()
