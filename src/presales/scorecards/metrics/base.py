from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from presales.activities.models import Activity
from presales.deals.models import Opportunity
from presales.scorecards.periods import Span


@dataclass(frozen=True)
class Measure:
    """A metric's value for some people over a span, with what it was computed from.

    ``value`` is None when there is nothing to compute from (a rate over no meetings); then
    ``note`` says why. ``sample`` counts the records behind the value, ``sample_of`` names them.
    """

    value: float | None
    sample: int
    sample_of: str
    note: str = ""

    @property
    def has_data(self) -> bool:
        return self.value is not None and self.sample > 0


Compute = Callable[[Sequence[int], Span], Measure]


@dataclass(frozen=True)
class MetricDef:
    key: str
    name: str
    unit: str
    definition: str
    pillar: str
    compute: Compute
    higher_is_better: bool = True
    builtin: bool = True

    def measure(self, people: Sequence[int], span: Span) -> Measure:
        return self.compute(people, span)


def attended(people: Sequence[int], span: Span) -> QuerySet[Activity]:
    """Activities the people took part in that started in the span, have ended by now and were
    not cancelled: what was actually done, not what is planned."""
    start, end = span.window()
    mine = Activity.participants.through.objects.filter(user_id__in=people).values("activity_id")
    return (
        Activity.objects.filter(
            pk__in=mine, starts_at__gte=start, starts_at__lt=end, ends_at__lte=timezone.now()
        )
        .exclude(status=Activity.Status.CANCELLED)
        .order_by()
    )


def people_deals(people: Sequence[int]) -> QuerySet[Opportunity]:
    """Deals the people own (reps) or support (SEs)."""
    supported = Opportunity.sales_engineers.through.objects.filter(user_id__in=people)
    return Opportunity.objects.filter(
        Q(owner_id__in=people) | Q(pk__in=supported.values("opportunity_id"))
    ).order_by()


def as_of(span: Span) -> date:
    """The day a point-in-time figure is taken: the span's end, or today while it runs."""
    return min(span.end, timezone.localdate())


def percent(part: int | float, whole: int | float) -> float | None:
    return round(100 * part / whole, 1) if whole else None
