"""Turning the cells of exported files into values: dates and times as CRMs write them,
amounts with currency symbols and thousands separators, Salesforce ids, picklists.

Every parser raises ``CellError`` with a reason a person can act on; the caller adds the file,
row and column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo


class CellError(ValueError):
    """A cell that cannot be read; ``column`` is filled in by whoever knows it."""

    def __init__(self, reason: str, column: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.column = column


_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})$")
_US_DATETIME = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$"
)


def _full_year(year: int) -> int:
    """A US short date's two-digit year, as Python's ``%y`` reads it (69 to 99 → 1900s)."""
    if year >= 100:
        return year
    return 1900 + year if year >= 69 else 2000 + year


def parse_date(raw: str) -> date | None:
    """``2024-03-05``, ``2024-03-05T00:00:00.000Z``, a US report's ``3/5/2024`` or ``3/5/24``
    (and the date of ``8/17/25 9:21``)."""
    text = raw.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    match = _US_DATE.match(text)
    if match:
        month, day, year = (int(g) for g in match.groups())
        try:
            return date(_full_year(year), month, day)
        except ValueError:
            pass
    moment = _us_datetime(text)
    if moment is not None:
        return moment.date()
    raise CellError(f"{raw!r} is not a date (expected YYYY-MM-DD or M/D/YYYY)")


def parse_datetime(raw: str, *, zone: ZoneInfo | None = None) -> datetime | None:
    """An aware datetime from ``2024-03-05T14:00:00.000Z``, ``...+0000``, ``2024-03-05 14:00``
    or ``3/5/2024 2:00 PM``. Times without an offset are in ``zone`` (UTC by default), which is
    how Salesforce and HubSpot export them."""
    text = raw.strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        parsed = _us_datetime(text)
        if parsed is None:
            if text.isdigit() and len(text) >= 12:
                # HubSpot writes some timestamps as milliseconds since the epoch.
                return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
            raise CellError(
                f"{raw!r} is not a date and time (expected 2024-03-05T14:00:00Z)"
            ) from None
        value = parsed
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone or UTC)
    return value


def _us_datetime(text: str) -> datetime | None:
    match = _US_DATETIME.match(text)
    if not match:
        return None
    month, day, year, hour, minute = (int(g) for g in match.groups()[:5])
    second = int(match.group(6) or 0)
    half = (match.group(7) or "").lower()
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    try:
        return datetime(_full_year(year), month, day, hour, minute, second)
    except ValueError:
        return None


_CURRENCY = re.compile(r"[A-Za-z$€£¥₹\s\u00a0']")


def parse_amount(raw: str) -> Decimal | None:
    """``$1,234.50``, ``1.234,50 €``, ``USD 1 234``, ``(500)`` → a Decimal; empty → None.

    When both separators appear the last one is the decimal point; a lone comma followed by
    exactly three digits is a thousands separator (``1,234``), otherwise a decimal comma.
    """
    text = raw.strip()
    if not text:
        return None
    negative = text.startswith("(") and text.endswith(")")
    text = _CURRENCY.sub("", text.strip("()"))
    if text.startswith("-"):
        negative, text = True, text[1:]
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        head, _, tail = text.rpartition(",")
        thousands = text.count(",") > 1 or len(tail) == 3
        text = text.replace(",", "") if thousands else f"{head}.{tail}"
    elif text.count(".") > 1:
        text = text.replace(".", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(f"{raw!r} is not an amount") from None
    if not value.is_finite():
        raise CellError(f"{raw!r} is not an amount")
    return -value if negative else value


def parse_int(raw: str) -> int | None:
    if raw.isascii() and raw.isdigit():
        return int(raw)
    amount = parse_amount(raw)
    if amount is None:
        return None
    if amount != amount.to_integral_value():
        raise CellError(f"{raw!r} is not a whole number")
    return int(amount)


def parse_bool(raw: str) -> bool | None:
    text = raw.strip().lower()
    if not text:
        return None
    if text in {"1", "true", "yes", "y", "t"}:
        return True
    if text in {"0", "false", "no", "n", "f"}:
        return False
    raise CellError(f"{raw!r} is not true or false")


def parse_minutes(raw: str) -> int | None:
    """``45``, ``45m``, ``1h``, ``1h30``, ``1.5h``, ``90 min`` → minutes."""
    text = raw.strip().lower().replace(" ", "")
    if not text:
        return None
    match = re.fullmatch(
        r"(?:(\d+(?:\.\d+)?)h(?:ours?|rs?)?)?(?:(\d+)(?:m|min|mins|minutes?)?)?", text
    )
    if not match or not any(match.groups()):
        raise CellError(f"{raw!r} is not a duration (e.g. 45m, 1h, 1h30)")
    hours, minutes = match.groups()
    return round(float(hours or 0) * 60) + int(minutes or 0)


_SF_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_UPPER_BITS = str.maketrans(
    {c: "1" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    | {c: "0" for c in "abcdefghijklmnopqrstuvwxyz0123456789"}
)
_CHUNK_SUFFIX = {format(n, "05b")[::-1]: _SF_SUFFIX[n] for n in range(32)}


def salesforce_id_of(raw: str) -> str:
    """The 18-character form of a Salesforce id given in either form; '' for an empty cell.

    The 15-character form is case-sensitive; the three extra characters encode the case of the
    fifteen, so the same record exported both ways gets one identity.
    """
    text = raw.strip()
    if not text:
        return ""
    if len(text) not in (15, 18) or not text.isascii() or not text.isalnum():
        raise CellError(f"{raw!r} is not a Salesforce id (15 or 18 letters and digits)")
    # Each of the three extra characters encodes which of five characters are capitals.
    mask = text[:15].translate(_UPPER_BITS)
    suffix = _CHUNK_SUFFIX[mask[:5]] + _CHUNK_SUFFIX[mask[5:10]] + _CHUNK_SUFFIX[mask[10:]]
    if len(text) == 18 and text[15:].upper() != suffix:
        raise CellError(f"{raw!r} is not a Salesforce id (its last three characters do not match)")
    return text[:15] + suffix


# Reference columns repeat the same few ids; a record's own id column never repeats, so its
# mapper calls ``salesforce_id_of`` directly rather than churn this cache.
salesforce_id = lru_cache(maxsize=1 << 16)(salesforce_id_of)


def picklist(raw: str, choices: Mapping[str, str], *, label: str) -> str:
    """The value ``choices`` maps the cell to (compared without case and spacing); an unknown
    value is an error that names the known ones rather than a guess."""
    key = normalise(raw)
    if key in choices:
        return choices[key]
    known = ", ".join(sorted({k for k in choices if k}))
    raise CellError(f"unknown {label} {raw.strip()!r} (known: {known})")


def normalise(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", " ").split())


def naive_minutes(value: timedelta) -> int:
    return int(value.total_seconds() // 60)


def domain_of(value: str) -> str:
    """``https://www.acme.com/about`` or ``jo@Acme.com`` → ``acme.com``; '' when there is none."""
    text = value.strip().lower()
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    text = re.sub(r"^[a-z]+://", "", text).split("/", 1)[0].split(":", 1)[0]
    if text.startswith("www."):
        text = text[4:]
    return text if "." in text and " " not in text else ""
