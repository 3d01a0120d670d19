"""The metric catalog: named measures computed from recorded data only.

Every metric has a key, a unit, a readable definition and a direction, and measuring it for a
set of people over a span of days returns its value with the sample it was computed from.
Built-in metrics live in ``builtin``; administrators declare more as data (``declared``).
"""

from __future__ import annotations

from presales.scorecards.metrics.base import Ask, Measure, Measurements, MetricDef, people_deals
from presales.scorecards.metrics.builtin import BUILTIN, feature_requests
from presales.scorecards.metrics.catalog import catalog, get_metric, measure

__all__ = [
    "BUILTIN",
    "Ask",
    "Measure",
    "Measurements",
    "MetricDef",
    "catalog",
    "feature_requests",
    "get_metric",
    "measure",
    "people_deals",
]
