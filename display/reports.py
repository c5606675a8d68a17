"""How the desk was used over a period: the figures a desk manager reports to the council.

Pure: facts in, figures out; no SQL, no HTTP. The tickets of each service day are first
reduced to digests (one per service and desk: counts, the waiting and service times, the
arrivals by hour, the longest queues); a report merges the digests of its days. A finished
day's digests are stored (display/report_data.py), so a year's report does not recount
150,000 tickets; display/report_page.py and the CLI show the figures.

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

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
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


@dataclass(frozen=True)
class Spread:
    """Median, 90th percentile and worst of a set of durations, in minutes."""

    n: int
    median_min: float | None
    p90_min: float | None
    worst_min: float | None

    @classmethod
    def of(cls, seconds: list[float]) -> Spread:
        values = sorted(seconds)
        if not values:
            return cls(0, None, None, None)
        return cls(len(values), round(_median(values) / 60, 1), round(percentile(values, 0.9) / 60, 1),
                   round(values[-1] / 60, 1))


def _median(sorted_values: Sequence[float]) -> float:
    n = len(sorted_values)
    mid = n // 2
    return sorted_values[mid] if n % 2 else (sorted_values[mid - 1] + sorted_values[mid]) / 2


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


@dataclass
class Digest:
    """One service day's tickets of one service at one desk ("" = called by no desk): all a
    report needs, so a finished day is read back instead of recounted (display/report_data.py)."""

    day: date
    service_id: str
    desk_id: str
    statuses: Counter[str] = field(default_factory=Counter)
    waits: list[float] = field(default_factory=list)  # seconds, issue -> first call
    services: list[float] = field(default_factory=list)  # seconds, last call -> done
    arrivals: Counter[int] = field(default_factory=Counter)  # weekday * 24 + local hour -> tickets
    totems: Counter[str] = field(default_factory=Counter)


def queue_scopes(service_id: str, desk_id: str) -> tuple[str, ...]:
    """The longest-queue figures a digest's tickets count in: all, the service, the desk, both."""
    return ("", f"s:{service_id}", f"d:{desk_id}", f"s:{service_id}|d:{desk_id}")


def digest_day(tickets: Iterable[TicketFacts]) -> tuple[list[Digest], dict[tuple[date, str], int]]:
    """One pass over tickets (of any days): their digests, and each day's longest queue per scope."""
    digests: dict[tuple[date, str, str], Digest] = {}
    times: dict[tuple[date, str], tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for t in tickets:
        desk = t.desk_id or ""
        key = (t.day, t.service_id, desk)
        d = digests.get(key)
        if d is None:
            d = digests[key] = Digest(t.day, t.service_id, desk)
        d.statuses[FOLDED.get(t.status, t.status)] += 1
        if t.status == "void":
            continue
        d.arrivals[t.weekday * HOURS + t.hour] += 1
        d.totems[t.totem] += 1
        if t.wait_s is not None:
            d.waits.append(t.wait_s)
        if t.service_s is not None:
            d.services.append(t.service_s)
        for scope in queue_scopes(t.service_id, desk):
            issued, calls = times[t.day, scope]
            issued.append(t.issued_s)
            if t.first_call_s is not None:
                calls.append(t.first_call_s)
    queues = {key: longest_queue(issued, calls) for key, (issued, calls) in times.items()}
    for d in digests.values():  # sorted runs: a report's sort of many days' runs is then mostly merging
        d.waits.sort()
        d.services.sort()
    return list(digests.values()), queues


STATUSES = ("waiting", "called", "served", "noshow", "void")
# A held turn (display.hold) was called and is not finished: counted as called here, apart in
# display.visit_report (held, called back, expired at closing).
FOLDED = {"held": "called", "expired": "called"}


class _Group:
    __slots__ = ("services", "statuses", "waits")

    def __init__(self) -> None:
        self.statuses = [0] * len(STATUSES)
        self.waits: list[float] = []
        self.services: list[float] = []

    def add(self, d: Digest) -> None:
        counts = d.statuses
        mine = self.statuses
        for i, status in enumerate(STATUSES):
            mine[i] += counts[status]
        self.waits += d.waits
        self.services += d.services

    def counts(self) -> Counts:
        waiting, called, served, noshow, void = self.statuses
        return Counts(served + noshow + waiting + called, served, noshow, void, waiting, called)


def _rows(groups: dict[str, _Group], labels: dict[str, str]) -> tuple[Row, ...]:
    order = list(labels) + sorted(k for k in groups if k not in labels)
    return tuple(Row(k, labels.get(k, k), groups[k].counts(), Spread.of(groups[k].waits),
                     Spread.of(groups[k].services)) for k in order if k in groups)


def build_report(digests: Iterable[Digest], queues: dict[tuple[date, str], int], *, first: date, last: date,
                 closure: Callable[[date], str], service_labels: dict[str, str], desk_labels: dict[str, str],
                 service: str | None = None, desk: str | None = None,
                 previous: Iterable[Digest] | None = None) -> Report:
    """The figures for days first..last (inclusive) from their digests. `closure(day)` says why
    a day was closed ("" when open); `previous`: the digests of the period just before."""
    def chosen(d: Digest) -> bool:
        return (service is None or d.service_id == service) and (desk is None or d.desk_id == desk)

    total, by_day = _Group(), defaultdict(_Group)
    services: dict[str, _Group] = defaultdict(_Group)
    desks: dict[str, _Group] = defaultdict(_Group)
    arrivals = [[0] * HOURS for _ in range(WEEKDAYS)]
    totems: Counter[str] = Counter()
    for d in digests:
        if not (first <= d.day <= last) or not chosen(d):
            continue
        for group in (total, by_day[d.day], services[d.service_id]):
            group.add(d)
        if d.desk_id:
            desks[d.desk_id].add(d)
        for slot, n in d.arrivals.items():
            arrivals[slot // HOURS][slot % HOURS] += n
        totems.update(d.totems)
    scope = "|".join(part for part in (f"s:{service}" if service else "", f"d:{desk}" if desk else "") if part)
    days = []
    open_weekdays = [0] * WEEKDAYS
    day = first
    while day <= last:
        why = closure(day)
        group = by_day.get(day) or _Group()
        days.append(Day(day, not why, why, group.counts(), Spread.of(group.waits).median_min,
                        queues.get((day, scope), 0)))
        if not why:
            open_weekdays[day.weekday()] += 1
        day += timedelta(days=1)
    per_day = tuple(tuple(round(n / open_weekdays[w], 2) if open_weekdays[w] else 0.0 for n in arrivals[w])
                    for w in range(WEEKDAYS))
    before = None
    if previous is not None:
        before = _Group()
        for d in previous:
            if chosen(d):
                before.add(d)
    return Report(first, last, service, desk, total.counts(), Spread.of(total.waits),
                  Spread.of(total.services), _rows(services, service_labels), _rows(desks, desk_labels), tuple(days),
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
