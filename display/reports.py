"""How the desk was used over a period: the figures a desk manager reports to the council.

Pure: facts in, figures out; no SQL, no HTTP (display/report_data.py reads the facts,
display/report_page.py and the CLI show them).

Counting rules, each a decision a manager can check:
1. a ticket belongs to the service day it was issued on, in the site's time zone (a DST
   day has 23 or 25 hours; nothing is lost or counted twice);
2. issued = tickets that reached the citizen; voided ones (the printer failed after the
   number was committed) are counted apart and nowhere else;
3. a transferred ticket counts once, for the service that finally served it; its wait is
   from issue to its first call, its service time from its last call to "Fatto";
4. a recall is not a new call; a ticket never called is "still waiting at closing";
5. days the desk was closed (weekday without hours, holiday, closed date) are shown as
   closed, not as zero; a ticket issued on a closed day (forced open) still counts;
6. the longest queue of a day is the most tickets waiting at once (issued and not yet
   called for the first time);
7. the comparison period is the one of the same length just before.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

WEEKDAYS = 7
HOURS = 24


class TicketFacts(NamedTuple):
    """One ticket of the history, as the hub recorded it: times as epoch seconds, plus the
    local weekday and hour of its issue (a year's report handles 150,000 of these)."""

    code: str
    service_id: str  # the service that served it (after any transfer)
    original_service: str
    day: date
    issued_s: float
    weekday: int  # local, Monday = 0
    hour: int  # local
    totem: str
    status: str  # waiting | called | served | noshow | void
    desk_id: str | None
    first_call_s: float | None  # the first call (at any desk, before any transfer)
    last_call_s: float | None  # the call at the desk that finished it
    finished_s: float | None
    recalls: int
    wait_s: float | None  # issue -> first call; None when never called or voided
    service_s: float | None  # last call -> done; served tickets only


def facts(code: str, service_id: str, original_service: str, day: date, issued_s: float, local_issue: datetime,
          totem: str, status: str, desk_id: str | None, first_call_s: float | None, last_call_s: float | None,
          finished_s: float | None, recalls: int = 0) -> TicketFacts:
    """A TicketFacts with its waiting and service time worked out."""
    # to the millisecond: SQLite's julianday carries the stored microseconds only approximately
    wait = max(0.0, round(first_call_s - issued_s, 3)) if first_call_s is not None and status != "void" else None
    served = max(0.0, round(finished_s - last_call_s, 3)) \
        if status == "served" and last_call_s is not None and finished_s is not None else None
    return TicketFacts(code, service_id, original_service, day, issued_s, local_issue.weekday(), local_issue.hour,
                       totem, status, desk_id, first_call_s, last_call_s, finished_s, recalls, wait, served)


@dataclass(frozen=True)
class Spread:
    """Median, 90th percentile and worst of a set of durations, in minutes."""

    n: int
    median_min: float | None
    p90_min: float | None
    worst_min: float | None

    @classmethod
    def of(cls, seconds: Iterable[float | None]) -> Spread:
        values = sorted(s / 60 for s in seconds if s is not None)
        if not values:
            return cls(0, None, None, None)
        if len(values) == 1:
            return cls(1, round(values[0], 1), round(values[0], 1), round(values[0], 1))
        return cls(len(values), round(statistics.median(values), 1), round(percentile(values, 0.9), 1),
                   round(values[-1], 1))


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (as numpy's default and LibreOffice's PERCENTILE)."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    pos = q * (len(sorted_values) - 1)
    low = int(pos)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (pos - low)


@dataclass(frozen=True)
class Counts:
    issued: int = 0
    served: int = 0
    noshow: int = 0
    void: int = 0
    waiting_at_close: int = 0
    unfinished: int = 0  # called, never marked done or absent

    @classmethod
    def of(cls, tickets: Iterable[TicketFacts]) -> Counts:
        c = Counter(t.status for t in tickets)
        return cls(c["served"] + c["noshow"] + c["waiting"] + c["called"], c["served"], c["noshow"], c["void"],
                   c["waiting"], c["called"])


@dataclass(frozen=True)
class Row:
    """One service or one desk: counts, waiting time, service time."""

    key: str
    label: str
    counts: Counts
    wait: Spread
    service: Spread


@dataclass(frozen=True)
class Day:
    day: date
    open: bool
    closure: str  # why closed: "holiday", "closed_date", "closed_day" ("" when open)
    counts: Counts
    median_wait_min: float | None
    longest_queue: int


@dataclass(frozen=True)
class Report:
    first: date
    last: date
    service: str | None
    desk: str | None
    counts: Counts
    wait: Spread
    service_time: Spread
    by_service: tuple[Row, ...]
    by_desk: tuple[Row, ...]
    days: tuple[Day, ...]
    arrivals: tuple[tuple[int, ...], ...]  # [weekday][hour]: tickets issued in that hour over the period
    arrivals_per_day: tuple[tuple[float, ...], ...]  # the same divided by the open days of that weekday
    previous: Counts | None = None
    previous_wait: Spread | None = None
    totems: dict[str, int] = field(default_factory=dict)

    @property
    def open_days(self) -> int:
        return sum(1 for d in self.days if d.open)


def longest_queue(issued: list[float], first_calls: list[float]) -> int:
    """The most tickets waiting at once: +1 at each issue, -1 at each first call (never-called
    tickets stay); a call at the same instant as an issue is counted first."""
    issued.sort()
    first_calls.sort()
    most = waiting = j = 0
    for at in issued:
        while j < len(first_calls) and first_calls[j] <= at:
            waiting -= 1
            j += 1
        waiting += 1
        most = max(most, waiting)
    return most


class _Tally:
    """Everything one group (the period, a service, a desk, a day) needs, filled in one pass."""

    __slots__ = ("calls", "issued", "services", "statuses", "waits")

    def __init__(self) -> None:
        self.statuses: Counter[str] = Counter()
        self.waits: list[float] = []
        self.services: list[float] = []
        self.issued: list[float] = []
        self.calls: list[float] = []

    def counts(self) -> Counts:
        c = self.statuses
        return Counts(c["served"] + c["noshow"] + c["waiting"] + c["called"], c["served"], c["noshow"], c["void"],
                      c["waiting"], c["called"])


def _tally(tickets: Iterable[TicketFacts], *, by_day: bool) -> tuple[_Tally, dict[str, _Tally], dict[str, _Tally],
                                                                     dict[date, _Tally], list[list[int]], Counter[str]]:
    total = _Tally()
    services: dict[str, _Tally] = defaultdict(_Tally)
    desks: dict[str, _Tally] = defaultdict(_Tally)
    days: dict[date, _Tally] = defaultdict(_Tally)
    arrivals = [[0] * HOURS for _ in range(WEEKDAYS)]
    totems: Counter[str] = Counter()
    for t in tickets:
        status, wait, served = t.status, t.wait_s, t.service_s
        groups = [total, services[t.service_id]]
        if t.desk_id is not None:
            groups.append(desks[t.desk_id])
        if by_day:
            day = days[t.day]
            groups.append(day)
            if status != "void":
                day.issued.append(t.issued_s)
                if t.first_call_s is not None:
                    day.calls.append(t.first_call_s)
        for g in groups:
            g.statuses[status] += 1
            if wait is not None:
                g.waits.append(wait)
            if served is not None:
                g.services.append(served)
        if status != "void":
            arrivals[t.weekday][t.hour] += 1
            totems[t.totem] += 1
    return total, services, desks, days, arrivals, totems


def _rows(groups: dict[str, _Tally], labels: dict[str, str]) -> tuple[Row, ...]:
    order = list(labels) + sorted(k for k in groups if k not in labels)
    return tuple(Row(k, labels.get(k, k), groups[k].counts(), Spread.of(groups[k].waits),
                     Spread.of(groups[k].services)) for k in order if k in groups)


def build_report(tickets: Sequence[TicketFacts], *, first: date, last: date, closure: Callable[[date], str],
                 service_labels: dict[str, str], desk_labels: dict[str, str], service: str | None = None,
                 desk: str | None = None, previous: Sequence[TicketFacts] | None = None) -> Report:
    """The figures for days first..last (inclusive). `closure(day)` says why a day was closed
    ("" when open); `previous` are the tickets of the period of the same length just before."""
    def chosen(t: TicketFacts) -> bool:
        return first <= t.day <= last and (service is None or t.service_id == service) \
            and (desk is None or t.desk_id == desk)

    total, services, desks, by_day, arrivals, totems = _tally((t for t in tickets if chosen(t)), by_day=True)
    days = []
    open_weekdays = [0] * WEEKDAYS
    day = first
    while day <= last:
        why = closure(day)
        tally = by_day.get(day) or _Tally()
        days.append(Day(day, not why, why, tally.counts(), Spread.of(tally.waits).median_min,
                        longest_queue(tally.issued, tally.calls)))
        if not why:
            open_weekdays[day.weekday()] += 1
        day += timedelta(days=1)
    per_day = tuple(tuple(round(n / open_weekdays[w], 2) if open_weekdays[w] else 0.0 for n in arrivals[w])
                    for w in range(WEEKDAYS))
    before = None
    if previous is not None:
        before = _tally((t for t in previous if (service is None or t.service_id == service)
                         and (desk is None or t.desk_id == desk)), by_day=False)[0]
    return Report(first, last, service, desk, total.counts(), Spread.of(total.waits), Spread.of(total.services),
                  _rows(services, service_labels), _rows(desks, desk_labels), tuple(days),
                  tuple(tuple(row) for row in arrivals), per_day, before.counts() if before else None,
                  Spread.of(before.waits) if before else None, dict(totems))


def previous_period(first: date, last: date) -> tuple[date, date]:
    length = (last - first).days + 1
    return first - timedelta(days=length), first - timedelta(days=1)


def named_period(name: str, today: date) -> tuple[date, date]:
    """today | week | month | last_month: the days a manager means by it."""
    if name == "today":
        return today, today
    if name == "week":
        return today - timedelta(days=today.weekday()), today
    if name == "month":
        return today.replace(day=1), today
    if name == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    raise ValueError(f"unknown period {name!r}: today, week, month, last_month")
