"""Only possible waits: an expected wait laid on the rest of today's opening hours. Pure logic.

`totem.estimate.wait_range` counts minutes of desk work (already shared among the desks
that can call the ticket, paused ones left out). Citizens are called only while the desk
is open: a break (lunch) adds its length to the wait, and nobody is called after the day's
last range closes. The hub applies this to every position and forecast it tells, and the
totem again to what it prints and shows (its own tickets since the forecast lengthen it).

Steps of `bound`:
1. the open segments left today, from `now` (a range already begun counts from `now`);
2. each end of the range, as desk-work minutes, walked along those segments: the
   wall-clock minutes until that much open time has passed;
3. an end past the last closing is cut at closing and the range is marked `past_close`;
   when even the low end is past closing there is no range at all, only the warning.
   The high end is never rounded up past closing, so no printed range goes beyond it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from config.frozen import frozen
from config.model import TimeRange


@frozen
class Bounded:
    """A wait range (minutes from now) that stays inside today's opening hours."""

    low_min: int | None
    high_min: int | None
    past_close: bool  # the ticket may not be called before closing
    closes_at: str  # "HH:MM", the day's last closing ("" when the desk does not open again today)


def open_segments(ranges: Iterable[TimeRange], now: datetime) -> list[tuple[datetime, datetime]]:
    """Today's open periods still ahead of `now` (local, aware), in order."""
    out = []
    for rng in ranges:
        start = datetime.combine(now.date(), rng.start, tzinfo=now.tzinfo)
        end = datetime.combine(now.date(), rng.end, tzinfo=now.tzinfo)
        if end > now:
            out.append((max(start, now), end))
    return out


def wall_minutes(work_min: float, segments: list[tuple[datetime, datetime]], now: datetime) -> float | None:
    """Minutes from `now` until `work_min` minutes of open time have passed; None past closing."""
    left = timedelta(minutes=max(0.0, work_min))
    for start, end in segments:
        if start + left <= end:
            return (start + left - now).total_seconds() / 60.0
        left -= end - start
    return None


def bound(low: int | None, high: int | None, *, ranges: Iterable[TimeRange], now: datetime) -> Bounded:
    """The range (`totem.estimate.wait_range`, desk-work minutes) as wall-clock minutes from
    `now`, never past today's closing. `low`/`high` None (unknown) stay unknown."""
    segments = open_segments(ranges, now)
    if not segments:
        return Bounded(None, None, low is not None, "")
    close = segments[-1][1]
    closes_at = f"{close:%H:%M}"
    if low is None or high is None:
        return Bounded(None, None, False, closes_at)
    to_close = (close - now).total_seconds() / 60.0
    low_wall = wall_minutes(low, segments, now)
    if low_wall is None:
        return Bounded(None, None, True, closes_at)
    high_wall = wall_minutes(high, segments, now)
    low_out = int(math.floor(low_wall / 5.0) * 5)
    if high_wall is None:
        high_out = math.floor(to_close)
        return Bounded(min(low_out, high_out), high_out, True, closes_at)
    high_out = min(int(math.ceil(high_wall / 5.0) * 5), math.floor(to_close))
    return Bounded(low_out, max(high_out, low_out), False, closes_at)
