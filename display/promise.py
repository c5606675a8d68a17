"""The promise measured: did the citizens wait as long as their ticket said?

The hub keeps the wait range it told each ticket when the ticket arrived (the range the
ticket prints, `tickets.told_low_min/told_high_min`). For each service day and service:
how many tickets were called with a range told, the share whose real wait (issue to first
call) fell inside it (the goal is at least `GOAL_SHARE`), and the median error (minutes
between the real wait and the middle of the range). Read by /reports, its CSV
(`/reports/csv/promise`) and `totem-display report`.
"""

from __future__ import annotations

import sqlite3
import statistics
from dataclasses import dataclass
from datetime import date

GOAL_SHARE = 0.80
ROUNDING_MIN = 0.5  # the printed minute is rounded: half a minute past the top still counts as inside

_QUERY = """
SELECT service_day, service_id, told_low_min, told_high_min,
       (julianday(first_called_at) - julianday(issued_at)) * 1440.0
FROM tickets
WHERE service_day BETWEEN ? AND ? AND code != '' AND status != 'void'
  AND told_low_min IS NOT NULL AND told_high_min IS NOT NULL AND first_called_at IS NOT NULL
ORDER BY service_day, service_id
"""


@dataclass(frozen=True)
class PromiseRow:
    day: str
    service: str
    told: int  # tickets called that had a range printed
    inside: int  # ... whose real wait fell inside it
    median_error_min: float

    @property
    def share(self) -> float:
        return self.inside / self.told if self.told else 0.0


def inside(low: float, high: float, waited_min: float) -> bool:
    return low <= waited_min <= high + ROUNDING_MIN


def promise_rows(db: sqlite3.Connection, first: date, last: date, *, service: str | None = None) -> list[PromiseRow]:
    """One row per service day and service with at least one ticket called that had a range."""
    if last < first:
        raise ValueError(f"the period ends ({last}) before it starts ({first})")
    groups: dict[tuple[str, str], list[tuple[int, int, float]]] = {}
    for day, sid, low, high, waited in db.execute(_QUERY, (first.isoformat(), last.isoformat())):
        if service is None or sid == service:
            groups.setdefault((day, sid), []).append((low, high, max(0.0, waited)))
    out = []
    for (day, sid), rows in groups.items():
        errors = [abs(w - (lo + hi) / 2.0) for lo, hi, w in rows]
        out.append(PromiseRow(day, sid, len(rows), sum(1 for lo, hi, w in rows if inside(lo, hi, w)),
                              round(statistics.median(errors), 1)))
    return out
