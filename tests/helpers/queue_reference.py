"""The reference model of the model-checked queue (`queue_model`): the queue as the rules
state it (DESIGN.md, the docstrings of `totem/callorder.py`, `display/undo.py`,
`display/desk_requests.py`), with lists and loops, sharing no code with the hub. The calling
rules' part (issue 23) is in `queue_model_rules`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import queue_model_rules as calling
from queue_model_rules import Rules

UNDO_WINDOW_S = 30
REQUESTS_KEPT_DAYS = 2
ACTS_ON_CURRENT = ("next", "call", "recall", "done", "noshow", "transfer", "pause", "hold", "callback")


def ts(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass
class Ticket:
    id: str
    code: str
    service: str
    priority: bool
    issued_at: str
    day: str
    status: str = "waiting"
    desk: str | None = None
    called_at: str | None = None
    finished_at: str | None = None
    first_called_at: str | None = None
    desk_only: str | None = None
    desk_not: str | None = None
    held_at: str | None = None

    def snapshot(self) -> tuple[Any, ...]:
        return (self.status, self.desk, self.called_at, self.finished_at, self.first_called_at, self.service,
                self.priority, self.desk_only, self.desk_not, self.held_at)

    def restore(self, snap: tuple[Any, ...]) -> None:
        (self.status, self.desk, self.called_at, self.finished_at, self.first_called_at, self.service,
         self.priority, self.desk_only, self.desk_not, self.held_at) = snap

    def key(self) -> tuple[int, str, str]:
        return (0 if self.priority else 1, self.issued_at, self.id)


@dataclass
class Entry:
    """A desk's last undoable action."""

    at: datetime
    rid: str | None
    before: dict[str, tuple[Any, ...]]
    after: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    calls: list[int] = field(default_factory=list)
    undone: bool = False


@dataclass
class Expected:
    status: int
    reason: str | None = None  # the refusal's reason, for a 409 made by the request check
    code: str | None = None  # the ticket the answer names (a call)


class Model:
    def __init__(self, desks: dict[str, frozenset[str]], names: dict[str, str], rules: Rules | None = None) -> None:
        self.desks = desks
        self.names = names
        self.rules = rules  # the calling rules (queue_model_rules), None: priority first, then issue time
        self.tickets: dict[str, Ticket] = {}
        self.calls: list[tuple[int, str, str, str, str]] = []  # (seq, code, desk, day, ticket id)
        self.seq = 0
        self.paused: set[str] = set()
        self.done: dict[str, datetime] = {}  # request id -> when it was done (kept across restarts, 2 days)
        self.undo: dict[str, Entry] = {}
        self.day = ""

    # questions
    def can_call(self, desk: str, t: Ticket) -> bool:
        return t.service in self.desks[desk] and t.desk_only in (None, desk) and t.desk_not != desk

    def waiting(self, now: datetime | None = None) -> list[Ticket]:
        """Today's waiting tickets in call order (with the rules: a long wait at `now` goes first)."""
        return sorted((t for t in self.tickets.values() if t.status == "waiting" and t.day == self.day),
                      key=Ticket.key if self.rules is None else lambda t: calling.order_key(self.rules, t, now))

    def current(self, desk: str) -> Ticket | None:
        called = [t for t in self.tickets.values() if t.status == "called" and t.desk == desk and t.day == self.day]
        assert len(called) <= 1, f"desk {desk} has {len(called)} tickets in service"
        return called[0] if called else None

    def next_for(self, desk: str, now: datetime | None = None) -> Ticket | None:
        if self.rules is not None:
            return calling.next_for(self, self.rules, desk, now)  # type: ignore[no-any-return]
        return next((t for t in self.waiting() if self.can_call(desk, t)), None)

    def ahead(self, t: Ticket, now: datetime | None = None) -> tuple[int, int] | None:
        if self.rules is not None:
            return calling.ahead(self, self.rules, t, now)
        able = [d for d in self.desks if self.can_call(d, t)]
        if not able:
            return None
        certain = possible = 0
        for w in self.waiting():
            if w.id == t.id or w.key() >= t.key():
                continue
            callers = [d for d in able if self.can_call(d, w)]
            possible += bool(callers)
            certain += len(callers) == len(able)
        return certain, possible

    def counts(self) -> dict[str, int]:
        out = {"waiting": 0, "called": 0, "served": 0, "noshow": 0, "void": 0}
        for t in self.tickets.values():
            if t.day == self.day and t.status in out:  # held turns are counted apart (display.visit_report)
                out[t.status] += 1
        return out

    def held(self, desk: str) -> list[str]:
        """The desk's held turns today, oldest hold first."""
        return [t.code for t in sorted(self.tickets.values(), key=lambda t: (t.held_at or "", t.issued_at, t.id))
                if t.status == "held" and t.desk == desk and t.day == self.day]

    def expire_held(self) -> None:
        """A new service day: the turns still held are expired (neither served nor no-show)."""
        for t in self.tickets.values():
            if t.status == "held" and t.day != self.day:
                t.status = "expired"

    # changes
    def _finish(self, t: Ticket | None, status: str, now: datetime) -> None:
        if t is not None:
            t.status, t.finished_at = status, ts(now)

    def _call(self, desk: str, t: Ticket, now: datetime) -> int:
        t.status, t.desk, t.called_at, t.desk_only, t.desk_not = "called", desk, ts(now), None, None
        t.first_called_at = t.first_called_at or ts(now)
        self.seq += 1
        self.calls.append((self.seq, t.code, desk, self.day, t.id))
        return self.seq

    def click(self, desk: str, action: str, body: dict[str, Any], now: datetime) -> Expected:
        """What the hub must answer to this click, the model changed as the hub must change."""
        rid = body.get("request_id")
        shown = body.get("current")
        current = self.current(desk)
        if rid in self.done:
            return Expected(409, "repeated")
        if action in ACTS_ON_CURRENT:
            if current is not None and (shown is None or (shown["code"], shown.get("called_at")) !=
                                        (current.code, current.called_at)):
                return Expected(409, "called", current.code)
            if current is None and shown is not None:
                return Expected(409, "closed")
        if action == "pause" and desk in self.paused:
            return Expected(409, "paused")
        if action == "resume" and desk not in self.paused:
            return Expected(409, "open")
        entry = self.undo.get(desk)
        if action == "undo" and body["undoes"] != (entry.rid if entry else None):
            return Expected(409, "undo_other")
        touched: list[Ticket] = []
        entry_new = Entry(now, rid, {})
        answer = self._act(desk, action, body, now, current, touched, entry_new)
        if answer.status < 300:
            self.done[rid] = now  # kept two days: each record forgets the ones older than that
            self.done = {r: at for r, at in self.done.items() if at >= now - timedelta(days=REQUESTS_KEPT_DAYS)}
            ids = [t.id for t in touched]
            if action != "undo" and ids and entry_new.before != {i: self.tickets[i].snapshot() for i in ids}:
                entry_new.after = {i: self.tickets[i].snapshot() for i in ids}
                self.undo[desk] = entry_new
        return answer

    def _act(self, desk: str, action: str, body: dict[str, Any], now: datetime, current: Ticket | None,
             touched: list[Ticket], entry: Entry) -> Expected:
        def touch(*tickets: Ticket | None) -> None:
            for t in tickets:
                if t is not None and t not in touched:
                    touched.append(t)
                    entry.before[t.id] = t.snapshot()

        if action in ("pause", "resume"):
            if action == "pause" and current is not None:
                return Expected(409)
            (self.paused.add if action == "pause" else self.paused.discard)(desk)
            return Expected(200)
        if action == "undo":
            last = self.undo.get(desk)
            if last is None or (now - last.at).total_seconds() > UNDO_WINDOW_S:
                return Expected(409)
            if last.undone:
                return Expected(200, code=(self.current(desk).code if self.current(desk) else None))
            if any(self.tickets[i].snapshot() != snap for i, snap in last.after.items()):
                return Expected(409)
            for i, snap in last.before.items():
                self.tickets[i].restore(snap)
            self.calls = [c for c in self.calls if c[0] not in last.calls]
            last.undone = True
            after = self.current(desk)
            return Expected(200, code=after.code if after else None)
        if action in ("next", "call") and desk in self.paused:
            return Expected(409)
        if action == "next":
            chosen = self.next_for(desk, now)
            touch(current, chosen)
            self._finish(current, "served", now)
            if chosen is None:
                return Expected(204)
            entry.calls.append(self._call(desk, chosen, now))
            return Expected(200, code=chosen.code)
        if action == "call":
            code = body["code"]
            if current is not None and current.code == code:
                return Expected(200, code=code)
            found = [t for t in self.waiting() if t.code == code]
            if not found:
                return Expected(404)
            if len(found) > 1 or not self.can_call(desk, found[0]):
                return Expected(409)
            touch(current, found[0])
            self._finish(current, "served", now)
            entry.calls.append(self._call(desk, found[0], now))
            return Expected(200, code=code)
        if action == "return":
            rows = [t for t in self.tickets.values() if t.day == self.day and t.code == body["code"] and
                    t.status in ("noshow", "waiting")]
            rows.sort(key=lambda t: t.status == "waiting")
            if not rows:
                return Expected(404)
            t = rows[0]
            if t.status == "noshow":
                touch(t)
                t.status, t.desk, t.called_at, t.finished_at = "waiting", None, None, None
            return Expected(200, code=t.code)
        if action == "callback":  # only the desk that held the turn calls it back, never when paused
            if desk in self.paused:
                return Expected(409)
            held = sorted((t for t in self.tickets.values() if t.day == self.day and t.code == body["code"] and
                           t.status == "held"), key=lambda t: t.held_at or "")
            if not held:
                return Expected(409, "not_held")
            if held[0].desk != desk:
                return Expected(409, "held_elsewhere")
            touch(current, held[0])
            self._finish(current, "served", now)
            held[0].status, held[0].called_at = "called", ts(now)
            self.seq += 1
            self.calls.append((self.seq, held[0].code, desk, self.day, held[0].id))
            entry.calls.append(self.seq)
            return Expected(200, code=held[0].code)
        if current is None:  # recall, done, noshow, transfer, hold
            return Expected(409)
        if action == "recall":
            return Expected(200, code=current.code)
        touch(current)
        if action == "hold":  # the desk is free; the turn keeps its desk, in no queue
            current.status, current.held_at = "held", ts(now)
            return Expected(200, code=current.code)
        if action in ("done", "noshow"):
            self._finish(current, "served" if action == "done" else "noshow", now)
            return Expected(200, code=current.code)
        service, to_desk = body["service"], body.get("desk")
        others = [d for d, services in self.desks.items() if service in services and d != desk]
        keep = current.priority if body.get("priority") is None else body["priority"]
        current.status, current.service, current.priority, current.desk, current.called_at = \
            "waiting", service, keep, None, None
        current.desk_only, current.desk_not = to_desk, (desk if to_desk is None and others else None)
        return Expected(200, code=current.code)

    def issue(self, t: Ticket) -> None:
        self.tickets[t.id] = t

    def void(self, ticket_id: str) -> None:
        t = self.tickets[ticket_id]
        if t.status == "waiting":
            t.status = "void"
