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


def service_day(instant: datetime, timezone: str | ZoneInfo) -> date:
    tz = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
    if instant.tzinfo is None:
        raise ValueError(f"service_day needs an aware datetime (got {instant!r})")
    return instant.astimezone(tz).date()
