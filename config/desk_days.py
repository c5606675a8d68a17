"""The days a desk works (`[[desks]] days`): a desk absent on some weekdays leaves its services
with no desk on those days, which the totem then shows on Home (`totem.no_desk`)."""

from __future__ import annotations

import difflib
from typing import Any

from config.checks import Checker
from config.model import WEEKDAYS


def desk_days(c: Checker, table: dict[str, Any], path: str) -> tuple[int, ...] | None:
    """`days = ["monday", "wednesday"]` as weekday numbers (0 = Monday); absent = every day the
    site opens. None (and a problem naming the entry) when a name is wrong or the list is empty."""
    names = c.get(table, "days", path, "a list of strings", list(WEEKDAYS))
    if names is None:
        return None
    if not names:
        c.bad(f"{path}.days", "must list at least one weekday (omit it: every day the site opens)", names)
        return None
    days: list[int] = []
    for i, name in enumerate(names):
        if name not in WEEKDAYS:
            close = difflib.get_close_matches(name.lower(), WEEKDAYS, n=1)
            c.bad(f"{path}.days[{i}]", "not a weekday" + (f"; did you mean {close[0]!r}?" if close
                                                          else "; use monday ... sunday"), name)
            return None
        if WEEKDAYS.index(name) in days:
            c.bad(f"{path}.days", "lists a day twice", names)
            return None
        days.append(WEEKDAYS.index(name))
    return tuple(sorted(days))
