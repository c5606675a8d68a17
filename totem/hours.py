"""Opening hours: is the desk taking tickets at an instant, and when does it open next.

Pure logic: weekly ranges from the site file, public holidays from the `holidays`
library (Easter Monday is computed, never typed in; each year's kept on disk by
config.public_holidays), and local closed dates.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from config.frozen import frozen
from config.model import Hours, TimeRange

if TYPE_CHECKING:
    from config.public_holidays import YearTable

LOOKAHEAD_DAYS = 400


@frozen
class Opening:
    """The desk's state at one instant, as the totem and the tickets describe it."""

    accepting: bool
    reason: str  # open | holiday | closed_date | closed_day | before_open | break | after_close | cutoff
    today: tuple[TimeRange, ...]
    next_opening: datetime | None  # local, aware; None when the desk accepts now
    holiday_name: str = ""


class Schedule:
    def __init__(self, hours: Hours, timezone: str) -> None:
        self.hours = hours
        self.tz = ZoneInfo(timezone)
        self._years: dict[int, YearTable] = {}  # each year's holidays, read on first use (config.public_holidays)

    def _holidays(self, year: int) -> YearTable | None:
        """The country's holidays in that year, or None when the site names no country. Kept on disk by
        config.public_holidays: the `holidays` library is imported only when a year is not kept yet."""
        if not self.hours.holidays_country:
            return None
        if year not in self._years:
            from config.public_holidays import year_table

            self._years[year] = year_table(self.hours.holidays_country, self.hours.holidays_subdivision, year)
        return self._years[year]

    def holiday_name(self, day: date, lang: str) -> str:
        """The holiday's name in the citizen's language where the holidays library has it
        ("Immacolata Concezione", "Immaculate Conception"), else in its default language."""
        table = self._holidays(day.year)
        return table.name(day, lang) if table is not None else ""

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.tz)

    def closure(self, day: date) -> tuple[str, str]:
        """(reason, name) when the whole day is closed by date, else ("", "")."""
        if day in self.hours.closed_dates:
            return "closed_date", ""
        table = self._holidays(day.year)
        name = table.name(day) if table is not None else ""
        if name:
            return "holiday", str(name)
        return "", ""

    def ranges_on(self, day: date) -> tuple[TimeRange, ...]:
        if self.closure(day)[0]:
            return ()
        return self.hours.weekly[day.weekday()]

    def status(self, instant: datetime) -> Opening:
        now = self.local(instant)
        today = now.date()
        reason, holiday_name = self.closure(today)
        ranges = self.hours.weekly[today.weekday()]
        if reason:
            return Opening(False, reason, (), self.next_opening(now), holiday_name)
        if not ranges:
            return Opening(False, "closed_day", (), self.next_opening(now))
        cutoff = timedelta(minutes=self.hours.last_ticket_before_close_min)
        clock = now.time().replace(tzinfo=None)
        for rng in ranges:
            if rng.start <= clock < rng.end:
                last_ticket = (datetime.combine(today, rng.end) - cutoff).time()
                if clock < last_ticket:
                    return Opening(True, "open", ranges, None)
                return Opening(False, "cutoff", ranges, self.next_opening(now))
        if clock < ranges[0].start:
            reason = "before_open"
        elif clock >= ranges[-1].end:
            reason = "after_close"
        else:
            reason = "break"
        return Opening(False, reason, ranges, self.next_opening(now))

    def next_opening(self, now: datetime) -> datetime | None:
        """The first range start strictly after `now` (local), skipping closed days."""
        now = self.local(now)
        for offset in range(LOOKAHEAD_DAYS):
            day = now.date() + timedelta(days=offset)
            for rng in self.ranges_on(day):
                start = datetime.combine(day, rng.start, tzinfo=self.tz)
                if start > now:
                    return start
        return None
