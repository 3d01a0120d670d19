"""Small helpers the demo generator's steps share."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TypeVar

from django.db import models
from django.utils import timezone

from presales.core.bulk import insert_new

SOURCE = "demo"
T = TypeVar("T", bound=models.Model)


def _bulk(model: type[T], rows: list[T], batch: int = 2000) -> list[T]:
    return insert_new(model, rows, batch=batch)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _stage_on(path: list[tuple[str, datetime]], day: date) -> str | None:
    """The deal's stage at the end of ``day``; None before it was engaged."""
    stage = None
    for name, at in path:
        if at.date() <= day:
            stage = name
    return stage


def _workday(day: date) -> date:
    """Saturday moves to Friday and Sunday to Monday: customers meet on weekdays."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day
