"""The waiting-time estimate printed on a ticket. Pure arithmetic, never the network.

Two sources, best first:
- the hub's last queue snapshot for the service (people really waiting, the
  service time measured at the desk), when it is from today and recent;
- otherwise this totem's own tickets today and the configured average time:
  people ahead = tickets issued before this one minus those the desks serving the
  service could have seen since the first ticket of the day.
The result is a range, wider when the source is our own guess. No desk serving the
service means nothing is known: no estimate is printed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

SNAPSHOT_MAX_AGE = timedelta(minutes=15)


@dataclass(frozen=True)
class Estimate:
    people_ahead: int
    wait_low_min: int
    wait_high_min: int
    source: str  # "hub" | "local"


@dataclass(frozen=True)
class Snapshot:
    """What the hub last said about one service."""

    waiting: int
    avg_service_min: float | None
    received_at: datetime


def _round_down5(minutes: float) -> int:
    return int(math.floor(minutes / 5.0) * 5)


def _round_up5(minutes: float) -> int:
    return max(5, int(math.ceil(minutes / 5.0) * 5))


def wait_range(people_ahead: int, avg_service_min: float, desks: int, *, spread: float) -> tuple[int, int]:
    """A (low, high) minute range; the citizen at the desk now counts as half a service."""
    per_person = avg_service_min / desks
    expected = people_ahead * per_person + per_person * 0.5
    low = _round_down5(expected * (1.0 - spread)) if people_ahead else 0
    high = _round_up5(expected * (1.0 + spread))
    return low, max(high, low + 5)


def estimate(
    *,
    now: datetime,
    avg_service_min: float,
    desks: int,
    snapshot: Snapshot | None,
    issued_since_snapshot: int,
    issued_before_today: int,
    first_issued_today: datetime | None,
) -> Estimate | None:
    """Estimate for the next ticket of one service. See module docstring."""
    if desks <= 0:
        return None
    if snapshot is not None and timedelta(0) <= now - snapshot.received_at <= SNAPSHOT_MAX_AGE:
        ahead = max(0, snapshot.waiting + issued_since_snapshot)
        avg = snapshot.avg_service_min or avg_service_min
        low, high = wait_range(ahead, avg, desks, spread=0.3)
        return Estimate(ahead, low, high, "hub")
    served = 0
    if first_issued_today is not None:
        elapsed_min = max(0.0, (now - first_issued_today).total_seconds() / 60.0)
        served = int(elapsed_min * desks / avg_service_min)
    ahead = max(0, issued_before_today - served)
    low, high = wait_range(ahead, avg_service_min, desks, spread=0.5)
    return Estimate(ahead, low, high, "local")
