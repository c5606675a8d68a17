"""The site's calling rules (`[calling]`, and `prefer` / `priority_ratio` in `[[desks]]`), read
for `totem.callorder`. Absent, every rule is off and the order is today's: priority first.

```toml
[calling]
priority_ratio = 2     # at most 2 priority calls in a row at a desk while normal tickets wait (0 = off)
long_wait_min = 30     # a ticket waiting longer than this goes ahead of newer priority ones (0 = off)

[[desks]]
prefer = ["sanita"]    # this desk calls these services first, the rest when none of them waits
priority_ratio = 3     # this desk's own ratio (0 = off at this desk)
```
"""

from __future__ import annotations

import difflib
from typing import Any

from config.checks import MISSING, Checker
from config.model import CallingRules

MAX_RATIO = 20
MAX_LONG_WAIT_MIN = 24 * 60


def _ratio(value: int) -> str | None:
    return None if 0 <= value <= MAX_RATIO else f"must be between 0 (off) and {MAX_RATIO}"


def parse_calling(c: Checker, table: dict[str, Any]) -> CallingRules:
    """`[calling]`: every problem recorded, naming the key; the rules off where a value is wrong."""
    c.keys(table, ("priority_ratio", "long_wait_min"), "calling")
    ratio = c.get(table, "priority_ratio", "calling", "an integer", 0, _ratio)
    long_wait = c.get(table, "long_wait_min", "calling", "a number", 0,
                      lambda v: None if 0 <= v <= MAX_LONG_WAIT_MIN
                      else f"must be between 0 (off) and {MAX_LONG_WAIT_MIN} minutes")
    return CallingRules(ratio or 0, float(long_wait or 0))


def desk_prefer(c: Checker, table: dict[str, Any], path: str, services: list[str] | None) -> tuple[str, ...] | None:
    """`prefer = ["sanita"]`: services this desk calls first; each one among the desk's own `services`."""
    prefer = c.get(table, "prefer", path, "a list of strings", [])
    if prefer is None:
        return None
    own = list(services or [])
    ok = True
    for j, sid in enumerate(prefer):
        if services is not None and sid not in own:
            close = difflib.get_close_matches(sid, own, n=1)
            c.bad(f"{path}.prefer[{j}]", "not among this desk's services" +
                  (f"; did you mean {close[0]!r}?" if close else f" ({', '.join(own)})"), sid)
            ok = False
    if len(set(prefer)) != len(prefer):
        c.bad(f"{path}.prefer", "lists a service twice", prefer)
        ok = False
    if ok and services is not None and prefer and set(prefer) == set(own):
        c.bad(f"{path}.prefer", "lists every service of the desk: nothing is left to prefer them over "
              "(omit it)", prefer)
        ok = False
    return tuple(prefer) if ok else None


def desk_ratio(c: Checker, table: dict[str, Any], path: str) -> int | object | None:
    """`priority_ratio` of one desk: None when absent (the site's applies), MISSING when wrong."""
    if "priority_ratio" not in table:
        return None
    value = c.get(table, "priority_ratio", path, "an integer", check=_ratio)
    return MISSING if value is None else int(value)
