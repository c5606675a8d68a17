"""Reading the hub's history for reports, and keeping a small monthly summary for ever.

1. `load_facts` reads the tickets of a range of service days with their first call in one
   query (times stored in UTC come back local, in the site's time zone);
2. `summarise_months` writes one row per month and service into `monthly` before pruning
   can delete that month's tickets (`hub.history_days`), so year-on-year figures survive;
   it only summarises complete months and never rewrites a month already summarised;
3. `report_for` builds the Report (display/reports.py) for a period and its predecessor.

Failure paths: a day range the wrong way round is refused (ValueError, named), a
database error propagates to the caller (the route answers 503, the CLI exits 4).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from config.model import Config
from display.reports import Counts, Report, Spread, TicketFacts, build_report, previous_period
from totem.hours import Schedule

# Times are stored as UTC ISO text; SQLite turns them into epoch seconds and durations
# (julianday is exact to about 20 microseconds here) faster than Python parses them.
_EPOCH = "(julianday({}) - 2440587.5) * 86400.0"
_QUERY = f"""
SELECT code, service_id, original_service, service_day, {_EPOCH.format("issued_at")}, totem, status, desk_id,
       {_EPOCH.format("first_called_at")}, {_EPOCH.format("called_at")}, {_EPOCH.format("finished_at")}, recalls,
       CASE WHEN status != 'void' AND first_called_at IS NOT NULL
            THEN max(0.0, round((julianday(first_called_at) - julianday(issued_at)) * 86400.0, 3)) END,
       CASE WHEN status = 'served' AND called_at IS NOT NULL AND finished_at IS NOT NULL
            THEN max(0.0, round((julianday(finished_at) - julianday(called_at)) * 86400.0, 3)) END
FROM tickets
WHERE service_day BETWEEN ? AND ?
"""


def load_facts(db: sqlite3.Connection, first: date, last: date, tz: ZoneInfo) -> list[TicketFacts]:
    if last < first:
        raise ValueError(f"the period ends ({last}) before it starts ({first})")
    days: dict[str, date] = {}
    quarters: dict[int, datetime] = {}  # every UTC offset in use is a multiple of 15 minutes

    def local(epoch: float) -> datetime:
        key = int(epoch // 900)
        found = quarters.get(key)
        if found is None:
            found = quarters[key] = datetime.fromtimestamp(key * 900, tz)
        return found

    out = []
    make = TicketFacts
    for (code, service, original, day, issued, totem, status, desk, first_call, called, finished, recalls, wait,
         served) in db.execute(_QUERY, (first.isoformat(), last.isoformat())):
        when = local(issued)
        out.append(make(code, service, original, days.get(day) or days.setdefault(day, date.fromisoformat(day)),
                        issued, when.weekday(), when.hour, totem, status, desk, first_call, called, finished, recalls,
                        wait, served))
    return out


def closure_of(schedule: Schedule) -> Callable[[date], str]:
    """Why the desk was closed on a day ("" when it opened): for the day-by-day table."""
    def closure(day: date) -> str:
        reason = schedule.closure(day)[0]
        if reason:
            return reason
        return "" if schedule.hours.weekly[day.weekday()] else "closed_day"
    return closure


def report_for(db: sqlite3.Connection, config: Config, first: date, last: date, *, service: str | None = None,
               desk: str | None = None, lang: str = "it") -> Report:
    schedule = Schedule(config.hours, config.site.timezone)
    before = previous_period(first, last)
    facts = load_facts(db, before[0], last, schedule.tz)
    previous = [t for t in facts if t.day < first]
    return build_report(facts, first=first, last=last, closure=closure_of(schedule),
                        service_labels={s.id: s.label(lang) for s in config.services},
                        desk_labels={d.id: d.name for d in config.desks}, service=service, desk=desk,
                        previous=previous)


def summarise_months(db: sqlite3.Connection, *, today: date, tz: ZoneInfo) -> list[str]:
    """Summarise each complete month that has tickets and no summary yet; the months written."""
    this_month = today.replace(day=1).isoformat()[:7]
    months = [m for (m,) in db.execute(
        "SELECT DISTINCT substr(service_day, 1, 7) FROM tickets WHERE substr(service_day, 1, 7) < ? "
        "AND substr(service_day, 1, 7) NOT IN (SELECT month FROM monthly)", (this_month,))]
    for month in months:
        first = date.fromisoformat(month + "-01")
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        facts = load_facts(db, first, last, tz)
        for service in sorted({t.service_id for t in facts}):
            mine = [t for t in facts if t.service_id == service]
            c = Counts.of(mine)
            wait = Spread.of(t.wait_s for t in mine)
            db.execute("INSERT OR IGNORE INTO monthly VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (month, service, c.issued, c.served, c.noshow, c.void, c.waiting_at_close, wait.median_min,
                        wait.p90_min, Spread.of(t.service_s for t in mine).median_min))
    return months


def monthly_rows(db: sqlite3.Connection, first_month: str, last_month: str) -> list[tuple[object, ...]]:
    """The kept monthly summaries (month, service, issued, served, noshow, void, waiting at close,
    median wait, p90 wait, median service time), oldest first."""
    return list(db.execute("SELECT * FROM monthly WHERE month BETWEEN ? AND ? ORDER BY month, service_id",
                           (first_month, last_month)))
