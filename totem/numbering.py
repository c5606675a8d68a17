"""Ticket codes and the service day.

A code is the service prefix and the day's number for that service, zero-padded to
three digits: A001 ... A999. Past 999 the number keeps counting with four digits
(A1000, A1001, ...), so a code is never repeated within a service day and the desk
still reads the numbers in order; a real desk issues a few dozen a day.
Numbers restart at 1 on each service day: the local calendar date in the site's
timezone, so DST changes neither skip nor repeat a day.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def format_code(prefix: str, number: int) -> str:
    if number < 1:
        raise ValueError(f"ticket numbers start at 1 (got {number})")
    return f"{prefix}{number:03d}"


def normalise_code(text: str) -> str | None:
    """A code as an operator types it: "e1", "E1", "e001", " E 001 " all mean "E001"; None
    when it is not a letter followed by 1 to 5 digits (the number 0 is no ticket)."""
    compact = "".join(text.split()).upper()
    if len(compact) < 2 or not ("A" <= compact[0] <= "Z") or not compact[1:].isascii() \
            or not compact[1:].isdigit() or len(compact) > 6 or int(compact[1:]) < 1:
        return None
    return format_code(compact[0], int(compact[1:]))


def service_day(instant: datetime, timezone: str | ZoneInfo) -> date:
    tz = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
    if instant.tzinfo is None:
        raise ValueError(f"service_day needs an aware datetime (got {instant!r})")
    return instant.astimezone(tz).date()
