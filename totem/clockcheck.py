"""Is this totem's clock fit for issuing? A Raspberry Pi has no real-time clock: booted
without the network it may believe it is yesterday, and its tickets would belong to
another service day. Pure logic; the evidence is gathered by the shells.

Steps of `clock_problem`:
1. before this release was built: certainly wrong;
2. the hub answered recently and our clock differs from its clock by more than
   `MAX_OFFSET_S`: wrong (the hub is the site's reference);
3. otherwise fit (with the hub away we cannot know better; NTP state is shown to the
   technician by `totem status`, not used here: a Pi may keep good time without it).
"""

from __future__ import annotations

from datetime import date, datetime

# No release can run before it was built; bumped with each release.
BUILD_DATE = date(2026, 12, 1)
MAX_OFFSET_S = 300.0


def clock_problem(now: datetime, *, hub_offset_s: float | None) -> str | None:
    """A short reason for the log and the technician, or None when the clock looks right."""
    if now.date() < BUILD_DATE:
        return f"clock says {now:%Y-%m-%d %H:%M}, before this release was built ({BUILD_DATE})"
    if hub_offset_s is not None and abs(hub_offset_s) > MAX_OFFSET_S:
        return f"clock differs from the hub's by {hub_offset_s:+.0f} s"
    return None
