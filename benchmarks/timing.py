"""Timing helpers the page benchmarks share (imported from the scripts' own folder)."""

from __future__ import annotations

import time
from typing import Any


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def timed(call: Any, repeat: int) -> dict[str, float]:
    """p50 and p95 in milliseconds of ``repeat`` calls, after one call that warms caches."""
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return {"p50": percentile(times, 0.5), "p95": percentile(times, 0.95)}
