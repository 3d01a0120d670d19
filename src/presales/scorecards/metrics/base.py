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
class Ask:
    """One figure wanted: a metric for these people (together) over this span."""

    people: tuple[int, ...]
    span: Span

    @classmethod
    def of(cls, people: Sequence[int], span: Span) -> Ask:
        return cls(tuple(sorted(set(people))), span)


# Measures many asks of one metric at once, with a number of queries that does not depend on
# how many people, spans or rows there are.
Batch = Callable[[Sequence[Ask]], dict[Ask, Measure]]


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
    batch: Batch | None = None

    def measure(self, people: Sequence[int], span: Span) -> Measure:
        return self.compute(people, span)

    def measure_many(self, asks: Sequence[Ask]) -> dict[Ask, Measure]:
        """The same figures as ``measure`` gives one by one, in one batch where the metric has
        one (declared metrics are measured one by one)."""
        if self.batch is None:
            return {ask: self.compute(list(ask.people), ask.span) for ask in asks}
        return self.batch(asks)


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


class Measurements:
    """The figures one page needs, asked for first and then measured in one batch per metric.

    ``ask`` notes a figure; ``get`` measures every figure still pending for that metric in one
    batch and answers from what has been measured. A figure asked for once is measured once.
    """

    def __init__(self) -> None:
        self._metrics: dict[str, MetricDef] = {}
        self._pending: dict[str, set[Ask]] = {}
        self._done: dict[tuple[str, Ask], Measure] = {}

    def ask(self, metric: MetricDef, people: Sequence[int], span: Span) -> Ask:
        ask = Ask.of(people, span)
        if (metric.key, ask) not in self._done:
            self._metrics[metric.key] = metric
            self._pending.setdefault(metric.key, set()).add(ask)
        return ask

    def get(self, metric: MetricDef, people: Sequence[int], span: Span) -> Measure:
        ask = self.ask(metric, people, span)
        pending = self._pending.pop(metric.key, set())
        if pending:
            measured = self._metrics[metric.key].measure_many(sorted(pending, key=repr))
            for done, measure in measured.items():
                self._done[(metric.key, done)] = measure
        return self._done[(metric.key, ask)]
