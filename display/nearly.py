""""Nearly your turn" (issue 22 point 2): when a waiting citizen is told it is time to come back.

The citizen picks on the follow page either "tell me when N are ahead" (default 3) or
"X minutes before". Plain Python, one rule for the open page (its poll asks
`/api/follow/{key}?near=ahead:3` and reads `near`) and for Web Push (`display.push`):
- `ahead:N`: the people ahead by the hub's call order (`QueueStore.position`'s `ahead`, the
  certain count: when it is a range, the lower end, so the alert comes early, never late)
  are N or fewer;
- `minutes:X`: the live estimate's shortest wait (`wait_low_min`, the wait bounded by today's
  hours) is X minutes or less;
- a ticket already called has reached any threshold (an alert is never skipped by a fast desk).
A ticket with no estimate (no desk calls its service) reaches `minutes` only when called.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from config.errors import TotemError

DEFAULT = "ahead:3"
_RE = re.compile(r"(ahead|minutes):(\d{1,3})")
MAX = {"ahead": 50, "minutes": 120}


class BadThreshold(TotemError):
    """A threshold the follow page cannot have sent."""


@dataclass(frozen=True)
class Threshold:
    kind: str  # "ahead" | "minutes"
    value: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


def parse(text: str) -> Threshold:
    found = _RE.fullmatch(text or "")
    if found is None:
        raise BadThreshold(f"near: must be ahead:N or minutes:X (got {text!r})")
    kind, value = found.group(1), int(found.group(2))
    if not 1 <= value <= MAX[kind] and not (kind == "ahead" and value == 0):
        raise BadThreshold(f"near: {kind} must be {0 if kind == 'ahead' else 1}-{MAX[kind]} (got {value})")
    return Threshold(kind, value)


def reached(threshold: Threshold, told: dict[str, Any]) -> bool:
    """Whether a ticket told this (`follow_view`'s answer, or `position` with a `status`) is near."""
    status = told.get("status")
    if status == "called":
        return True
    if status != "waiting":
        return False
    if threshold.kind == "ahead":
        ahead = told.get("ahead")
        return ahead is not None and ahead <= threshold.value
    low = told.get("wait_low_min")
    return low is not None and low <= threshold.value
