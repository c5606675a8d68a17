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

_QUERY = """
SELECT t.code, t.service_id, t.original_service, t.service_day, t.issued_at, t.totem, t.status, t.desk_id,
       fc.first_call, t.called_at, t.finished_at, t.recalls
FROM tickets t LEFT JOIN (SELECT ticket_id, MIN(called_at) AS first_call FROM calls GROUP BY ticket_id) fc
     ON fc.ticket_id = t.id
WHERE t.service_day BETWEEN ? AND ?
"""


def load_facts(db: sqlite3.Connection, first: date, last: date, tz: ZoneInfo) -> list[TicketFacts]:
    if last < first:
        raise ValueError(f"the period ends ({last}) before it starts ({first})")
    cache: dict[str, datetime] = {}

    def local(text: str | None) -> datetime | None:
        if text is None:
            return None
        found = cache.get(text)
        if found is None:
            found = cache[text] = datetime.fromisoformat(text).astimezone(tz)
        return found

    out = []
    for code, service, original, day, issued, totem, status, desk, first_call, called, finished, recalls in \
            db.execute(_QUERY, (first.isoformat(), last.isoformat())):
        issued_at = local(issued)
        assert issued_at is not None
        out.append(TicketFacts(code, service, original, date.fromisoformat(day), issued_at, totem, status, desk,
                               local(first_call), local(called), local(finished), recalls))
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
