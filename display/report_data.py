"""Reading the hub's history for reports, and keeping a small monthly summary for ever.

1. `load_facts` reads the tickets of a range of service days in one query (epoch seconds
   and durations computed by SQLite; the local weekday and hour of each issue);
2. `digests_for` gives the days' digests: a finished day's are stored the first time the
   hub's periodic job passes it (hourly, on its database thread), so a year's report reads
   a few small rows per day instead of 150,000 tickets; a late void forgets that day's
   (void tombstones, ids the hub never saw, are not tickets and are never counted);
3. `summarise_months` writes one row per month and service into `monthly` before pruning
   can delete that month's tickets (`hub.history_days`), so year-on-year figures survive;
   it only summarises complete months and never rewrites a month already summarised;
4. `report_for` builds the Report (display/reports.py) for a period and its predecessor.

Failure paths: a day range the wrong way round is refused (ValueError, named), a
database error propagates to the caller (the route answers 503, the CLI exits 4).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from config.model import Config
from display.reports import (
    Digest,
    Report,
    TicketFacts,
    build_report,
    digest_day,
    previous_period,
)
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
WHERE service_day BETWEEN ? AND ? AND code != ''
"""


def load_facts(db: sqlite3.Connection, first: date, last: date, tz: ZoneInfo, *, service: str | None = None,
               desk: str | None = None) -> list[TicketFacts]:
    """The tickets of days first..last (optionally one service's, one desk's)."""
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
    for (code, service_id, original, day, issued, totem, status, desk_id, first_call, called, finished, recalls, wait,
         served) in db.execute(_QUERY, (first.isoformat(), last.isoformat())):
        when = local(issued)
        out.append(make(code, service_id, original, days.get(day) or days.setdefault(day, date.fromisoformat(day)),
                        issued, when.weekday(), when.hour, totem, status, desk_id, first_call, called, finished,
                        recalls, wait, served))
    if service is not None or desk is not None:
        out = [f for f in out if (service is None or f.service_id == service) and (desk is None or f.desk_id == desk)]
    return out


def closure_of(schedule: Schedule) -> Callable[[date], str]:
    """Why the desk was closed on a day ("" when it opened): for the day-by-day table."""
    def closure(day: date) -> str:
        reason = schedule.closure(day)[0]
        if reason:
            return reason
        return "" if schedule.hours.weekly[day.weekday()] else "closed_day"
    return closure


def _floats(text: str) -> list[float]:
    return list(map(float, text.split(","))) if text else []


def _stored(db: sqlite3.Connection, first: date, last: date) -> tuple[list[Digest], dict[tuple[date, str], int],
                                                                    set[date]]:
    days: dict[str, date] = {}

    def day_of(text: str) -> date:
        return days.get(text) or days.setdefault(text, date.fromisoformat(text))

    digests = []
    for day, service, desk, waiting, called, served, noshow, void, waits, services, arrivals, totems in db.execute(
            "SELECT * FROM day_digest WHERE service_day BETWEEN ? AND ?", (first.isoformat(), last.isoformat())):
        statuses = Counter({"waiting": waiting, "called": called, "served": served, "noshow": noshow, "void": void})
        slots = Counter(dict(map(int, pair.split(":")) for pair in arrivals.split(","))) if arrivals else Counter()
        digests.append(Digest(day_of(day), service, desk, statuses, _floats(waits), _floats(services), slots,
                              Counter(json.loads(totems))))
    queues = {(day_of(day), scope): n for day, scope, n in db.execute(
        "SELECT * FROM day_queue WHERE service_day BETWEEN ? AND ?", (first.isoformat(), last.isoformat()))}
    done = {day for day, scope in queues if scope == ""}
    return digests, queues, done


def store_digests(db: sqlite3.Connection, digests: list[Digest], queues: dict[tuple[date, str], int],
                  days: set[date]) -> None:
    """Keep the digests of finished days (`days`; a day with no ticket gets its marker too)."""
    db.executemany("INSERT OR REPLACE INTO day_digest VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        (d.day.isoformat(), d.service_id, d.desk_id, *(d.statuses[k] for k in ("waiting", "called", "served", "noshow",
                                                                               "void")),
         ",".join(map(repr, d.waits)), ",".join(map(repr, d.services)),
         ",".join(f"{slot}:{n}" for slot, n in d.arrivals.items()), json.dumps(d.totems))
        for d in digests if d.day in days])
    rows = {(day.isoformat(), scope): n for (day, scope), n in queues.items() if day in days}
    rows.update({(day.isoformat(), ""): queues.get((day, ""), 0) for day in days})  # the "digested" marker
    db.executemany("INSERT OR REPLACE INTO day_queue VALUES (?, ?, ?)", [(*k, n) for k, n in rows.items()])


def digests_for(db: sqlite3.Connection, first: date, last: date, tz: ZoneInfo, *, keep_before: date | None = None
                ) -> tuple[list[Digest], dict[tuple[date, str], int]]:
    """The digests of days first..last: stored ones as they are, the others counted from the
    tickets; those of days before `keep_before` (finished days) are stored too (the caller
    commits: the hub's database thread, in its transaction)."""
    digests, queues, done = _stored(db, first, last)
    missing = [first + timedelta(days=i) for i in range((last - first).days + 1)
               if first + timedelta(days=i) not in done]
    if missing:
        fresh, fresh_queues = digest_day(load_facts(db, missing[0], missing[-1], tz))
        wanted = set(missing)
        digests += [d for d in fresh if d.day in wanted]
        queues.update({k: v for k, v in fresh_queues.items() if k[0] in wanted})
        finished = {day for day in wanted if keep_before is not None and day < keep_before}
        if finished:
            store_digests(db, fresh, fresh_queues, finished)
    return digests, queues


def forget_digests(db: sqlite3.Connection, day: str) -> None:
    """A finished day changed (a late void): its digests are counted again at the next report."""
    db.execute("DELETE FROM day_digest WHERE service_day = ?", (day,))
    db.execute("DELETE FROM day_queue WHERE service_day = ?", (day,))


def report_for(db: sqlite3.Connection, config: Config, first: date, last: date, *, service: str | None = None,
               desk: str | None = None, lang: str = "it") -> Report:
    """The report for days first..last (and the period just before, for the comparison)."""
    schedule = Schedule(config.hours, config.site.timezone)
    before = previous_period(first, last)
    digests, queues = digests_for(db, before[0], last, schedule.tz)
    return build_report(digests, queues, first=first, last=last, closure=closure_of(schedule),
                        service_labels={s.id: s.label(lang) for s in config.services},
                        desk_labels={d.id: d.name for d in config.desks}, service=service, desk=desk,
                        previous=[d for d in digests if d.day < first])


def summarise_months(db: sqlite3.Connection, *, today: date, tz: ZoneInfo) -> list[str]:
    """Summarise each complete month that has tickets and no summary yet; the months written."""
    this_month = today.replace(day=1).isoformat()[:7]
    months = [m for (m,) in db.execute(
        "SELECT DISTINCT substr(service_day, 1, 7) FROM tickets WHERE substr(service_day, 1, 7) < ? "
        "AND substr(service_day, 1, 7) NOT IN (SELECT month FROM monthly)", (this_month,))]
    for month in months:
        first = date.fromisoformat(month + "-01")
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        # counted as every report counts (the month's digests, kept for the days still in the history)
        digests, queues = digests_for(db, first, last, tz, keep_before=today)
        report = build_report(digests, queues, first=first, last=last, closure=lambda day: "", service_labels={},
                              desk_labels={})
        for row in report.by_service:
            c = row.counts
            db.execute("INSERT OR IGNORE INTO monthly VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (month, row.key, c.issued, c.served, c.noshow, c.void, c.waiting_at_close, row.wait.median_min,
                        row.wait.p90_min, row.service.median_min))
    return months


def monthly_rows(db: sqlite3.Connection, first_month: str, last_month: str) -> list[tuple[object, ...]]:
    """The kept monthly summaries (month, service, issued, served, noshow, void, waiting at close,
    median wait, p90 wait, median service time), oldest first."""
    return list(db.execute("SELECT * FROM monthly WHERE month BETWEEN ? AND ? ORDER BY month, service_id",
                           (first_month, last_month)))


def prune(db: sqlite3.Connection, *, keep_days: int, today: date, tz: ZoneInfo) -> int:
    """In the caller's transaction: delete days older than `keep_days`, after keeping each
    complete month's summary; keep the report digests of every finished day still in the
    history. Returns the tickets deleted."""
    first_kept = today - timedelta(days=keep_days)
    cutoff = first_kept.isoformat()
    summarise_months(db, today=today, tz=tz)
    n = db.execute("DELETE FROM tickets WHERE service_day < ?", (cutoff,)).rowcount
    db.execute("DELETE FROM calls WHERE called_at < ?", (cutoff,))
    db.execute("DELETE FROM day_digest WHERE service_day < ?", (cutoff,))
    db.execute("DELETE FROM day_queue WHERE service_day < ?", (cutoff,))
    if first_kept < today:
        digests_for(db, first_kept, today - timedelta(days=1), tz, keep_before=today)
    return n
