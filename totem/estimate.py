"""The expected wait: measured service times, people ahead, desks open. Pure arithmetic.

Used by the hub (which knows the queue) for every ticket it receives and for the
forecast it serves to totems; used by the totem only to adjust that forecast for the
tickets it issued since. Steps of `wait_range`:
1. the minutes of service the people ahead need: per service, the measured mean
   (blended with the configured `avg_service_min` while few services were measured);
2. divided among the desks open that can call the ticket, plus the time until the first
   of the busy desks is free;
3. a range around it, wide by the measured spread (`WAIT_Z` standard deviations),
   rounded outwards to five minutes. `tests/bench/bench_estimate.py` simulates whole
   days and prints how often the real wait fell inside the range.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable

from config.frozen import frozen
from config.records import Estimate

__all__ = ["WAIT_Z", "Estimate", "ServiceTimes", "TimeStats", "wait_range"]

WAIT_Z = 1.0            # half-width of the range in standard deviations of the expected wait
DEFAULT_CV = 0.6        # spread of service times before any is measured (standard deviation / mean)
PRIOR_WEIGHT = 3.0      # the configured average counts as this many measurements
WINDOW = 30             # measurements kept per service (the most recent)
MIN_SAMPLE_MIN = 0.25   # a "done" within 15 s of the call is a mis-click, not a service time
MAX_SAMPLE_MIN = 240.0


@frozen
class TimeStats:
    mean_min: float
    sd_min: float
    samples: int


class ServiceTimes:
    """Service times measured today (call -> done), per service, blended with the configured average."""

    def __init__(self, configured_min: dict[str, float]) -> None:
        self.configured_min = dict(configured_min)
        self._samples: dict[str, deque[float]] = {}

    def observe(self, service: str, minutes: float) -> None:
        if not math.isfinite(minutes) or not MIN_SAMPLE_MIN <= minutes <= MAX_SAMPLE_MIN:
            return
        self._samples.setdefault(service, deque(maxlen=WINDOW)).append(minutes)

    def stats(self, service: str) -> TimeStats:
        prior = self.configured_min.get(service) or (
            sum(self.configured_min.values()) / len(self.configured_min) if self.configured_min else 10.0)
        xs = self._samples.get(service, ())
        n = len(xs)
        mean = (sum(xs) + PRIOR_WEIGHT * prior) / (n + PRIOR_WEIGHT)
        prior_var = (DEFAULT_CV * prior) ** 2
        if n >= 2:
            m = sum(xs) / n
            var = sum((x - m) ** 2 for x in xs) / (n - 1)
            var = (var * (n - 1) + prior_var * PRIOR_WEIGHT) / (n - 1 + PRIOR_WEIGHT)
        else:
            var = prior_var
        return TimeStats(mean, math.sqrt(var), n)

    def measured_mean(self, service: str) -> float | None:
        xs = self._samples.get(service)
        return round(sum(xs) / len(xs), 1) if xs else None


def _down5(minutes: float) -> int:
    return max(0, int(math.floor(minutes / 5.0) * 5))


def _up5(minutes: float) -> int:
    return max(5, int(math.ceil(minutes / 5.0) * 5))


def wait_range(ahead_by_service: Iterable[tuple[str, float]], own_service: str, times: ServiceTimes, *,
               desks_open: int, desks_busy: int) -> tuple[int, int]:
    """(low, high) minutes until the ticket is called. See the module docstring."""
    k = max(1, desks_open)
    ahead = [(s, n) for s, n in ahead_by_service if n > 0]
    people = sum(n for _, n in ahead)
    free_now = max(0, k - min(desks_busy, k))
    if people < free_now:
        return 0, 5  # a desk is free: called at once
    mean_work = sum(n * times.stats(s).mean_min for s, n in ahead)
    var_work = sum(n * times.stats(s).sd_min ** 2 for s, n in ahead)
    own = times.stats(own_service)
    typical = mean_work / people if people else own.mean_min
    # Until the first busy desk is free: about half a service, shared among the busy desks.
    residual = 0.6 * typical / k if desks_busy else 0.0
    expected = mean_work / k + residual
    sd = math.sqrt(var_work + (0.5 * typical) ** 2) / k
    low = _down5(expected - WAIT_Z * sd)
    high = _up5(expected + WAIT_Z * sd)
    return low, max(high, low + 5)
