"""The site file's [hours] table: when the desk takes tickets (part of config.loader's validation).

Each weekday's ranges ("08:45-13:00"), `last_ticket_before_close_min`, `closed_dates` (TOML dates or
"2026-12-24" strings) and `holidays_country`/`holidays_subdivision` (checked against the public
holidays the product knows, config.public_holidays). Every problem goes to the Checker, one line each.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

from config.checks import Checker, non_negative, parse_range
from config.model import WEEKDAYS, Hours, TimeRange
from config.public_holidays import holidays_problem


def parse_hours(c: Checker, t: dict[str, Any]) -> Hours | None:
    """[hours]: the weekly ranges (sorted, never overlapping), the last-ticket cutoff, the closed dates
    and the country (and region) whose public holidays close the desk; None when any is wrong."""
    c.keys(t, (*WEEKDAYS, "last_ticket_before_close_min", "closed_dates", "holidays_country",
               "holidays_subdivision"), "hours")
    weekly: list[tuple[TimeRange, ...]] = []
    ok = True
    for day in WEEKDAYS:
        ranges = c.get(t, day, "hours", "a list of strings", [])
        parsed: list[TimeRange] = []
        for i, text in enumerate(ranges or []):
            rng, problem = parse_range(text)
            if problem:
                c.bad(f"hours.{day}[{i}]", problem, text)
                ok = False
            elif rng:
                parsed.append(rng)
        parsed.sort(key=lambda r: r.start)
        for a, b in pairwise(parsed):
            if b.start < a.end:
                c.bad(f"hours.{day}", f"ranges {a} and {b} overlap", ranges)
                ok = False
        weekly.append(tuple(parsed))
    cutoff = c.get(t, "last_ticket_before_close_min", "hours", "an integer", 0, non_negative)
    closed: set[date] = set()
    for i, item in enumerate(c.get(t, "closed_dates", "hours", "a list", []) or []):
        if isinstance(item, date) and not hasattr(item, "hour"):
            closed.add(item)
            continue
        try:
            closed.add(date.fromisoformat(item) if isinstance(item, str) else _raise())
        except ValueError:
            c.bad(f"hours.closed_dates[{i}]", "must be a date like 2026-12-24", item)
            ok = False
    country = c.get(t, "holidays_country", "hours", "a string", "IT")
    subdivision = c.get(t, "holidays_subdivision", "hours", "a string", "")
    if country:
        problem = holidays_problem(country, subdivision or "")
        if problem:
            c.bad(*problem)
            ok = False
    if not ok or cutoff is None:
        return None
    return Hours(tuple(weekly), cutoff, frozenset(closed), country or "", subdivision or "")


def _raise() -> date:
    raise ValueError
