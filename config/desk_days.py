"""The days a desk works (`[[desks]] days`): a desk absent on some weekdays leaves its services
with no desk on those days, which the totem then shows on Home (`totem.no_desk`)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from config.checks import Checker
from config.model import WEEKDAYS, Desk, Hours, Service


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


def check_desk_days(c: Checker, services: Sequence[Service], desks: Sequence[Desk], hours: Hours | None) -> None:
    """One problem per service that some desk calls but none on a weekday the site opens: its
    tickets could never be called (a service no desk calls at all is `check_coverage`'s)."""
    if hours is None:
        return
    open_days = {i for i, ranges in enumerate(hours.weekly) if ranges}
    if not open_days:  # a site closed every day (for a while) is not the desks' doing
        return
    for i, service in enumerate(services):
        callers = [d for d in desks if service.id in d.services]
        if callers and not open_days & {day for d in callers for day in d.days}:
            c.bad(f"services[{i}].id", "no desk that calls it works on a day the site opens ([[desks]] days): "
                  "its tickets would never be called", service.id)
