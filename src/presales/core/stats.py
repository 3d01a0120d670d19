"""Small statistics every analytics module shares: rates with a Wilson interval, medians with a
bootstrap interval, and the figure that carries a value with its sample and its reference.

Intervals are 95%. The bootstrap is seeded so that a page shows the same interval on every load.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959964
BOOTSTRAP_SAMPLES = 2000


@dataclass(frozen=True)
class Rate:
    successes: int
    n: int
    low: float | None
    high: float | None

    @property
    def value(self) -> float | None:
        return self.successes / self.n if self.n else None


@dataclass(frozen=True)
class Median:
    n: int
    value: float | None
    low: float | None
    high: float | None


def wilson(successes: int, n: int, z: float = Z95) -> Rate:
    """The Wilson score interval: honest at small n and at rates near 0 or 1."""
    if n == 0:
        return Rate(successes=0, n=0, low=None, high=None)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Rate(successes=successes, n=n, low=max(0.0, centre - half), high=min(1.0, centre + half))


def bootstrap_median(
    values: Sequence[float], *, samples: int = BOOTSTRAP_SAMPLES, seed: int = 0
) -> Median:
    """The median with a percentile-bootstrap 95% interval (seeded, so pages do not flicker)."""
    if not values:
        return Median(n=0, value=None, low=None, high=None)
    data = list(values)
    rng = random.Random(seed)
    medians = sorted(statistics.median(rng.choices(data, k=len(data))) for _ in range(samples))
    return Median(
        n=len(data),
        value=float(statistics.median(data)),
        low=float(medians[int(0.025 * (samples - 1))]),
        high=float(medians[math.ceil(0.975 * (samples - 1))]),
    )


def median_or_none(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


MIN_RATE_SAMPLE = 10
MIN_MEDIAN_SAMPLE = 5


@dataclass(frozen=True)
class Figure:
    """One number as analytics hand it out: its value, the sample it rests on (``n`` of
    ``population``), a 95% interval where it has one, and the reference to read it against.

    ``note`` holds a plain statement when the sample is too small to tell anything.
    """

    label: str
    value: float | None
    n: int
    population: int
    low: float | None = None
    high: float | None = None
    reference: float | None = None
    reference_label: str = ""
    unit: str = ""
    note: str = ""

    @property
    def too_small(self) -> bool:
        return bool(self.note)


def rate_figure(
    label: str,
    successes: int,
    trials: int,
    *,
    reference: float | None = None,
    reference_label: str = "",
    minimum: int = MIN_RATE_SAMPLE,
) -> Figure:
    """A share with its Wilson interval; ``n`` is the successes and ``population`` the trials."""
    rate = wilson(successes, trials)
    note = ""
    if trials < minimum:
        note = f"Not enough to tell: {successes} of {trials}; at least {minimum} are needed."
    return Figure(
        label=label,
        value=rate.value,
        n=successes,
        population=trials,
        low=rate.low,
        high=rate.high,
        reference=reference,
        reference_label=reference_label,
        unit="%",
        note=note,
    )


def median_figure(
    label: str,
    values: Sequence[float],
    *,
    population: int | None = None,
    reference: float | None = None,
    reference_label: str = "",
    unit: str = "days",
    minimum: int = MIN_MEDIAN_SAMPLE,
    samples: int = BOOTSTRAP_SAMPLES,
) -> Figure:
    """A median with its bootstrap interval; ``population`` counts the group including the
    members without a value (e.g. won deals without an engage date)."""
    median = bootstrap_median(values, samples=samples)
    total = len(values) if population is None else population
    note = ""
    if median.n < minimum:
        note = (
            f"Not enough to tell: {median.n} of {total} have a value; "
            f"at least {minimum} are needed."
        )
    return Figure(
        label=label,
        value=median.value,
        n=median.n,
        population=total,
        low=median.low,
        high=median.high,
        reference=reference,
        reference_label=reference_label,
        unit=unit,
        note=note,
    )
