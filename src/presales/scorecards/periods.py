"""Quarters and their months: the periods goals, scoreboards and payouts are measured over.

A period is written ``2025-Q3``. Its bounds are dates (inclusive), and ``window`` turns them
into aware datetimes in the configured time zone, the end exclusive, for filtering timestamps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

_LABEL = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    @classmethod
    def parse(cls, label: str) -> Quarter:
        match = _LABEL.match(label or "")
        if not match:
            raise ValidationError({"period": f"'{label}' is not a quarter such as 2025-Q3."})
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> Quarter:
        return cls.containing(timezone.localdate())

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    def __str__(self) -> str:
        return self.label

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        """The last day of the quarter."""
        return self.next().start - timedelta(days=1)

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)
        )

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)
        )

    def back(self, n: int) -> list[Quarter]:
        """The ``n`` quarters before this one, oldest first."""
        out: list[Quarter] = []
        q = self
        for _ in range(n):
            q = q.previous()
            out.append(q)
        return out[::-1]

    def month_ends(self) -> list[date]:
        """The last day of each of the quarter's three months (the milestone dates)."""
        ends = []
        for m in range(3):
            month = 3 * self.quarter - 2 + m
            first_next = date(self.year + (month == 12), month % 12 + 1, 1)
            ends.append(first_next - timedelta(days=1))
        return ends


@dataclass(frozen=True)
class Span:
    """An inclusive range of days, the unit every metric is computed over."""

    start: date
    end: date

    @classmethod
    def of(cls, quarter: Quarter) -> Span:
        return cls(quarter.start, quarter.end)

    def window(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1
