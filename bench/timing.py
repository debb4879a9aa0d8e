"""Timing helpers shared by the benchmarks."""

import statistics
import time
from collections.abc import Callable


def times_ms(fn: Callable[[], object], runs: int, warmup: int = 3) -> list[float]:
    """Milliseconds per call of `fn`, `runs` times after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def percentile(times: list[float], q: int, digits: int = 2) -> float:
    """The q-th percentile of `times` (inclusive method), rounded."""
    return round(statistics.quantiles(times, n=100, method="inclusive")[q - 1], digits)
