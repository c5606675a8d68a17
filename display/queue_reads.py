"""What the hub's queue tells people, read from the call order (`totem.callorder`) without
changing anything: each ticket's position and wait, the forecast for a ticket taken now, the
totem's live view, the head of each queue, the day's counts, and a desk's priority calls in a
row (the ratio rule's count, read from the day's recorded calls, so it needs no state of its own).

A mixin of `display.queue.QueueStore`: it reads the store's in-memory order and its database
through the store's own connection for the calling thread (`_read`).
"""

from __future__ import annotations

import abc
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from config.model import Config
from display.records import HubTicket, _ts
from totem.callorder import Ahead, CallOrder, Waiting, why_first
from totem.closing import bound
from totem.estimate import ServiceTimes, wait_range
from totem.hours import Schedule

MOVED_WINDOW_S = 20.0  # a ticket's screen at the totem: a later count for it still reaches the citizen
ACTIVE_DESK = timedelta(minutes=30)  # a desk that called or finished within this is open


class QueueReads(abc.ABC):
    """The read side of `QueueStore` (what people are told)."""

    config: Config
    schedule: Schedule
    order: CallOrder
    times: ServiceTimes
    paused: frozenset[str]
    _day: str
    _lock: threading.RLock
    _active: dict[str, datetime]
    _intake: dict[str, int]
    _facts: tuple[set[str], dict[str, int]] | None
    _COLS: str

    @abc.abstractmethod
    def _read(self) -> sqlite3.Connection:
        """The store's read-only connection for the calling thread."""

    @abc.abstractmethod
    def sync(self, now: datetime) -> str:
        """The service day of `now`, the in-memory order loaded for it."""

    def streak(self, desk_id: str, day: str) -> int:
        """The desk's priority calls in a row today, back to its last call of an ordinary ticket
        (rule 4 of `totem.callorder`): read from the recorded calls, at most `ratio` of them."""
        desk = self.order.desk(desk_id)
        if desk is None or not desk.ratio:
            return 0
        rows = self._read().execute(
            "SELECT t.priority FROM calls c JOIN tickets t ON t.id = c.ticket_id WHERE c.desk_id = ? AND "
            "c.service_day = ? AND c.recall = 0 ORDER BY c.seq DESC LIMIT ?", (desk_id, day, desk.ratio)).fetchall()
        n = 0
        for (priority,) in rows:
            if not priority:
                break
            n += 1
        return n

    def next_up(self, desk_id: str, *, now: datetime) -> dict[str, Any] | None:
        """What the desk's "call next" would call now and the calling rule that puts it first, if
        one does (`totem.callorder.why_first`): the desk console shows it on a site with rules."""
        desk = self.order.desk(desk_id)
        if desk is None:
            return None
        in_a_row = self.streak(desk_id, self._day)
        chosen = self.order.next_for(desk, now_iso=_ts(now), streak=in_a_row)
        if chosen is None:
            return None
        return {"code": chosen.code, "rule": why_first(self.order, desk, chosen, now_iso=_ts(now), streak=in_a_row),
                "in_a_row": in_a_row}

    def _moved(self, added: list[Waiting], *, now: datetime) -> list[dict[str, Any]]:
        """Tickets issued in the last `MOVED_WINDOW_S` that a ticket just received went ahead of
        (another totem's ticket, issued a moment earlier, arrived later): their new positions, for
        the totems that printed them (the citizen may still be reading the screen)."""
        since = _ts(now - timedelta(seconds=MOVED_WINDOW_S))
        new = {w.id for w in added}
        behind = {t.id: t for w in added for t in self.order.behind(w, issued_since=since) if t.id not in new}
        if not behind:
            return []
        totems = dict(self._read().execute(f"SELECT id, totem FROM tickets WHERE id IN ({','.join('?' * len(behind))})",
                                           list(behind)).fetchall())
        return [{"totem": totems.get(tid, ""), "code": t.code, **self.position(tid, now=now)}
                for tid, t in behind.items()]


    def _open_desks(self, callers: tuple[str, ...], now: datetime) -> tuple[int, int]:
        """(desks open, desks busy) among the desks that can call a ticket (paused ones only
        when all of them are paused: the estimate then assumes they come back)."""
        weekday = self.schedule.local(now).weekday()  # a desk resting today ([[desks]] days) calls nobody
        callers = tuple(d.id for d in self.config.desks if d.id in callers and weekday in d.days) or callers
        callers = tuple(d for d in callers if d not in self.paused) or callers
        busy = self._desk_facts()[0]
        active = [d for d in callers if d in busy or now - self._active.get(d, datetime.min.replace(tzinfo=UTC))
                  <= ACTIVE_DESK]
        open_ = len(active) or len(callers)
        return open_, sum(1 for d in callers if d in busy)

    def _told(self, ahead: Ahead | None, service_id: str, now: datetime) -> dict[str, Any]:
        if ahead is None:  # no desk calls this service
            return {"ahead": None, "possible": None, "exact": False, "wait_low_min": None, "wait_high_min": None,
                    "desks_open": 0}
        open_, busy = self._open_desks(ahead.desks, now)
        low, high = wait_range(ahead.by_service, service_id, self.times, desks_open=open_, desks_busy=busy)
        # Desk-work minutes laid on today's hours: a break lengthens the wait, closing ends it (totem.closing).
        local = self.schedule.local(now)
        told = bound(low, high, ranges=self.schedule.ranges_on(local.date()), now=local)
        return {"ahead": ahead.certain, "possible": ahead.possible, "exact": ahead.exact,
                "wait_low_min": told.low_min, "wait_high_min": told.high_min, "past_close": told.past_close,
                "closes_at": told.closes_at, "work_low_min": low, "work_high_min": high, "desks_open": open_}

    def position(self, ticket_id: str, *, now: datetime) -> dict[str, Any]:
        """What a ticket's holder is told: people ahead by the call order, and the wait."""
        waiting = self.order.get(ticket_id)
        if waiting is None:
            return {"status": "not_waiting", "service_day": self._day}
        told = self._told(self.order.ahead(waiting, now_iso=_ts(now)), waiting.service, now)
        return {"status": "waiting", "service_day": self._day, "service": waiting.service, **told}

    def forecast(self, *, now: datetime) -> dict[str, dict[str, Any]]:
        """For each service, what a ticket taken now would be told (the totem's live view)."""
        day = self.sync(now)
        out = {}
        for s in self.config.services:
            ahead = self.order.ahead_of_new(s.id, priority=s.priority, now_iso=_ts(now))
            out[s.id] = {"service": s.id, "service_day": day, "waiting": self.order.count(s.id),
                         "avg_service_min": self.times.measured_mean(s.id), **self._told(ahead, s.id, now)}
        return out

    def live(self, *, now: datetime) -> dict[str, Any]:
        """The forecast and, in the same instant, how many of today's tickets each totem has
        delivered: a totem adds its own tickets not yet counted and prints an exact count
        without asking (totem.hubview.HubView.live_estimate)."""
        with self._lock:
            services = self.forecast(now=now)
            return {"service_day": self._day, "services": services, "intake": dict(self._intake)}

    def waiting(self, service_id: str, *, now: datetime, limit: int) -> list[HubTicket]:
        """The head of a service's queue, in call order (one query for the rows)."""
        self.sync(now)
        ids = [w.id for w in self.order.listed(service_id, limit, now_iso=_ts(now))]
        if not ids:
            return []
        rows = {r[0]: HubTicket(*r[:8], bool(r[8]), r[9], r[10]) for r in self._read().execute(
            f"SELECT {self._COLS} FROM tickets WHERE id IN ({','.join('?' * len(ids))})", ids)}
        return [rows[i] for i in ids if i in rows]

    def waiting_count(self, service_id: str, *, now: datetime) -> int:
        self.sync(now)
        return self.order.count(service_id)

    def extra_services(self) -> list[str]:
        return sorted(self._extra_services)

    def _desk_facts(self) -> tuple[set[str], dict[str, int]]:
        if self._facts is None:
            busy = {r[0] for r in self._read().execute("SELECT DISTINCT desk_id FROM tickets WHERE service_day = ? "
                                                   "AND status = 'called'", (self._day,))}
            finished = dict(self._read().execute(
                "SELECT status, COUNT(*) FROM tickets WHERE service_day = ? AND code != '' "
                "AND status IN ('called', 'served', 'noshow', 'void') GROUP BY status", (self._day,)).fetchall())
            self._facts = (busy, finished)
        return self._facts

    def counts(self, day: str) -> dict[str, int]:
        out = {"waiting": 0, "called": 0, "served": 0, "noshow": 0, "void": 0}
        if day == self._day:  # today: from memory, no scan of the day's tickets
            return out | self._desk_facts()[1] | {"waiting": len(self.order)}
        for status, n in self._read().execute(
                "SELECT status, COUNT(*) FROM tickets WHERE service_day = ? AND code != '' GROUP BY status", (day,)):
            out[status] = n
        return out

