from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError

from presales.scorecards.metrics.base import Measure, MetricDef
from presales.scorecards.metrics.builtin import BUILTIN
from presales.scorecards.metrics.declared import as_metric_def
from presales.scorecards.models import CustomMetric
from presales.scorecards.periods import Span


def catalog() -> dict[str, MetricDef]:
    """Every metric: the built-in ones, then those administrators declared."""
    metrics = dict(BUILTIN)
    for custom in CustomMetric.objects.prefetch_related("conditions"):
        metrics.setdefault(custom.key, as_metric_def(custom))
    return metrics


def get_metric(key: str) -> MetricDef:
    if key in BUILTIN:
        return BUILTIN[key]
    custom = CustomMetric.objects.prefetch_related("conditions").filter(key=key).first()
    if custom is None:
        raise ValidationError({"metric": f"No metric '{key}' in the catalog."})
    return as_metric_def(custom)


def measure(key: str, people: Sequence[int], span: Span) -> Measure:
    return get_metric(key).measure(people, span)
