"""The model-checked queue (issue 20, point 2): a Hypothesis state machine that drives the REAL
hub (its HTTP API on 127.0.0.1, port 0, SQLite on disk, a frozen clock) and a plain reference
model of the queue side by side, and compares them after every step.

Steps the machine takes, in any interleaving:
- tickets from two totems (`POST /api/tickets`) and from the reception (its page's API, real printer
  folder), voids from a totem;
- desk clicks from three consoles (desk 1 in two tabs, desk 2 in one): next, call a chosen code,
  recall, no-show, return a no-show, done, transfer, undo, pause, resume, hold ("Sospendi") and
  call a held turn back (issue 23); each click carries the
  state its tab shows and a fresh request id, exactly as `display/static/desk.js` sends them;
- a click held back and sent later (reordered), a click sent again (duplicated, retried);
- a tab learning the true state (the event stream), the clock moving on, a hub restart,
  the service day changing;
- on the calling rules' variant (`with_rules`, issue 23 point 1: a ratio per site and per desk, a
  long wait, a desk preferring a service), a busy moment: tickets of several kinds at once, then
  one desk calling several in a row.

The model (`Model`, in `queue_reference`; its calling rules in `queue_model_rules`) is written
from the rules as a desk manager states them (DESIGN.md, the docstrings of `totem/callorder.py`,
`display/undo.py`, `display/desk_requests.py`), with lists and loops, sharing no code with the
hub. On the rules' variant the state's "next" of each desk (what its console says a click would
call) is the model's too. Invariants, checked after every step: the answer to
each click (status, refusal reason, the ticket called); each desk's ticket in service; a ticket in
at most one desk; each desk's held turns (a held turn at no desk, called back only by its own desk,
expired when its day ends); the call order of every queue; "people ahead" (certain and possible) of every
waiting ticket through its follow page; the counts and last calls of `/api/state`. At the end of
each run: every ticket's row in SQLite (no ticket lost or duplicated, served only after called,
service times as the model's) and the counts of `/api/reports`.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import sqlite3
import tempfile
import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import queue_model_rules as calling
import requests
from conftest import rome, write_site
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from lean_http import LeanSession
from queue_model_rules import RULES, RULES_SITE, Rules
from queue_reference import Model, Ticket, ts

from config import load_config
from config.follow import follow_key
from display import hold
from display.server import HubServer
from totem.clock import FrozenClock

START = rome(2026, 12, 1, 10, 0)
SECOND_DESK = ('\n[[desks]]\nid = "2"\nname = "Sportello 2"\n'
               'services = ["uffici", "procedure", "rimborsi", "bollette"]\npin = "2468"\n')
TICKET_SERVICES = (("uffici", "A", False), ("sanita", "E", False), ("appuntamento", "P", True))
TRANSFER_TO = ("uffici", "sanita", "procedure")
TABS = (("1", "a"), ("1", "b"), ("2", "a"))
ISSUERS = (("totem-1", 1), ("totem-2", 400))  # each totem numbers from its own block
ACTIONS = ("next", "call", "recall", "done", "noshow", "return", "transfer", "undo", "pause", "resume", "hold",
           "callback")
# How often a click is each action: an office's day (mostly next and done), every action present.
CLICKS = ("next",) * 5 + ("done",) * 3 + ("call", "call", "transfer", "transfer", "undo", "undo", "resume", "resume",
                                          "noshow", "recall", "return", "pause", "hold", "callback")


# -- the machine --------------------------------------------------------------------------------

@dataclass
class Tab:
    desk: str
    shown: dict[str, str] | None = None  # the ticket in service as this tab shows it
    offer: str | None = None  # the request id its Undo button would take back


@dataclass
class Sent:
    tab: int
    action: str
    body: dict[str, Any]


class QueueMachine(RuleBasedStateMachine):
    """One real hub and the model, one run; `check_ahead` can be turned off for speed."""

    check_ahead = True
    tmp_dir: str | None = None  # where the hub's files go (the benchmark uses a tmpfs)
    calling_rules: Rules | None = None  # the calling rules' variant (`with_rules`): RULES on the RULES_SITE desks

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="queue-model-", dir=self.tmp_dir))
        path = write_site(self.tmp, always_open=True)
        path.write_text(path.read_text(encoding="utf-8") + (SECOND_DESK if self.calling_rules is None else RULES_SITE),
                        encoding="utf-8")
        self.config = load_config(path)
        self.token = self.config.hub.token
        self.auth = {"Authorization": f"Bearer {self.token}"}
        self.clock = FrozenClock(START)
        self.hub = HubServer(self.config, port=0, clock=self.clock).__enter__()
        self.http = LeanSession()  # the same HTTP as requests, a third of the CPU (lean_http)
        self.reception: requests.Session | None = None
        self.model = Model({d.id: frozenset(d.services) for d in self.config.desks},
                           {d.id: d.name for d in self.config.desks}, self.calling_rules)
        self.model.day = self._today()
        self.numbers = {issuer: first for issuer, first in ISSUERS}
        self.tabs = [Tab(desk) for desk, _ in TABS]
        self.held: list[Sent] = []
        self.sent: list[Sent] = []
        self.days = [self.model.day]
        self.checks = 0
        # Tickets taken in the same (frozen) instant are ordered by id: ids from a counter, not uuid4, so a
        # sequence replays the same (Hypothesis shrinks a failure by replaying it; random ids made it diverge)
        self.ids = itertools.count(1)

    def _today(self) -> str:
        return self.clock.now().astimezone(START.tzinfo).date().isoformat()

    def teardown(self) -> None:
        try:
            if hasattr(self, "hub"):
                self._final_checks()
        finally:
            self.http.close()
            if hasattr(self, "hub"):
                self.hub.__exit__(None, None, None)
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- tickets --------------------------------------------------------------------------------

    @rule(issuer=st.sampled_from([i for i, _ in ISSUERS]), kinds=st.lists(st.sampled_from(TICKET_SERVICES),
                                                                          min_size=1, max_size=3))
    def totem_tickets(self, issuer: str, kinds: list[tuple[str, str, bool]]) -> None:
        for kind in kinds:
            self._totem_ticket(issuer, kind)

    def _totem_ticket(self, issuer: str, kind: tuple[str, str, bool]) -> None:
        service, prefix, priority = kind
        number = self.numbers[issuer]
        self.numbers[issuer] += 1
        t = Ticket(str(uuid.UUID(int=next(self.ids))), f"{prefix}{number:03d}", service, priority,
                   ts(self.clock.now()), self.model.day)
        body = {"id": t.id, "code": t.code, "service": service, "number": number,
                "issued_at": self.clock.now().isoformat(), "totem": issuer}
        answer = self.http.post(self.hub.url + "/api/tickets", json=body, headers=self.auth, timeout=10)
        assert answer.status_code == 201, answer.text
        self.model.issue(t)
        told = answer.json()["position"]
        assert (told.get("ahead"), told.get("possible")) == self.model.ahead(t, self.clock.now()), (t.code, told)
        if self.http.post(self.hub.url + "/api/tickets", json=body, headers=self.auth, timeout=10).status_code != 200:
            raise AssertionError("a totem's retry of a known ticket must answer 200 and change nothing")

    @rule(roll=st.integers(0, 2))
    def reception_ticket(self, roll: int) -> None:
        if roll:  # a third as often as a totem's: it renders a ticket image each time
            return
        if self.reception is None:
            from consoles import paired

            self.reception = paired(self.hub, "reception")  # a PIN only unlocks a paired browser (issue 24)
            unlocked = self.reception.post(self.hub.url + "/reception/unlock", json={"pin": "2580"}, timeout=10)
            assert unlocked.status_code == 200, unlocked.text
        # the hub gives a reception ticket a random id: its own instant, so no tie with a totem's is decided by it
        self.clock.advance(microseconds=1)
        answer = self.reception.post(self.hub.url + "/api/reception/tickets", json={"service": "uffici"}, timeout=30)
        self.clock.advance(microseconds=1)
        assert answer.status_code == 201, answer.text
        code = answer.json()["code"]
        with closing(sqlite3.connect(f"file:{self.hub.store.path}?mode=ro", uri=True, timeout=10)) as db:
            ticket_id, issued_at = db.execute("SELECT id, issued_at FROM tickets WHERE code = ? AND service_day = ?",
                                              (code, self.model.day)).fetchone()
        self.model.issue(Ticket(ticket_id, code, "uffici", False, issued_at, self.model.day))

    @precondition(lambda self: any(t.status == "waiting" for t in self.model.waiting()))
    @rule(pick=st.integers(0, 50))
    def totem_void(self, pick: int) -> None:
        waiting = self.model.waiting()
        t = waiting[pick % len(waiting)]
        answer = self.http.post(self.hub.url + f"/api/tickets/{t.id}/void", json={"reason": "printer"},
                                headers=self.auth, timeout=10)
        assert answer.status_code == 200, answer.text
        self.model.void(t.id)

    # -- desk clicks ----------------------------------------------------------------------------

    def _body(self, tab: Tab, action: str, pick: int, flag: int) -> dict[str, Any] | None:
        body: dict[str, Any] = {"request_id": uuid.uuid4().hex}
        if action != "undo" and action != "return":
            body["current"] = dict(tab.shown) if tab.shown else None
        if action == "call":
            waiting = self.model.waiting()
            body["code"] = waiting[pick % len(waiting)].code if waiting and flag else "A999"
        elif action == "callback":
            held = [t for t in self.model.tickets.values() if t.status == "held" and t.day == self.model.day]
            body["code"] = held[pick % len(held)].code if held and flag else "A999"
        elif action == "return":
            noshows = [t for t in self.model.tickets.values() if t.status == "noshow" and t.day == self.model.day]
            if not noshows:
                return None
            body["code"] = noshows[pick % len(noshows)].code
        elif action == "transfer":
            service = TRANSFER_TO[pick % len(TRANSFER_TO)]
            able = [d for d, s in self.model.desks.items() if service in s]
            body["service"] = service
            if flag % 3 == 1:
                body["desk"] = able[pick % len(able)]
            if flag % 3 == 2:
                body["priority"] = bool(pick % 2)
        elif action == "undo":
            offers = [t.offer for t in self.tabs if t.offer]
            if tab.offer is None and not offers:
                return None
            body["undoes"] = tab.offer or offers[pick % len(offers)]
        return body

    def _send(self, sent: Sent) -> None:
        tab = self.tabs[sent.tab]
        answer = self.http.post(f"{self.hub.url}/api/desks/{tab.desk}/{sent.action}", json=sent.body,
                                headers=self.auth, timeout=10)
        expected = self.model.click(tab.desk, sent.action, sent.body, self.clock.now())
        got = answer.json() if answer.content else {}
        where = f"{sent.action} at desk {tab.desk} {sent.body}: {answer.status_code} {got}"
        assert answer.status_code == expected.status, f"{where}; the model says {expected}"
        if expected.reason is not None:
            assert got["refusal"]["reason"] == expected.reason, f"{where}; the model says {expected}"
            assert got["refusal"]["desk_name"] == self.model.names[tab.desk]
        if expected.reason == "called":
            assert got["refusal"]["code"] == expected.code, where
        if expected.status == 200 and sent.action in ("next", "call", "callback"):
            assert got["ticket"]["code"] == expected.code, f"{where}; the model calls {expected.code}"
        if expected.status < 300 and sent.action in ("next", "call", "done", "noshow", "transfer", "return", "hold",
                                                     "callback"):
            tab.offer = sent.body["request_id"]
        self._refresh(tab)  # the console shows the hub's state after every answer
        self.sent.append(sent)

    def _refresh(self, tab: Tab) -> None:
        current = self.model.current(tab.desk)
        tab.shown = {"code": current.code, "called_at": current.called_at} if current else None

    @rule(tab=st.integers(0, len(TABS) - 1), action=st.sampled_from(CLICKS), pick=st.integers(0, 50),
          flag=st.integers(0, 5))
    def click(self, tab: int, action: str, pick: int, flag: int) -> None:
        body = self._body(self.tabs[tab], action, pick, flag)
        if body is not None:
            self._send(Sent(tab, action, body))

    @precondition(lambda self: self.calling_rules is not None)
    @rule(tab=st.integers(0, len(TABS) - 1), priority=st.integers(1, 3), calls=st.integers(2, 4))
    def busy_moment(self, tab: int, priority: int, calls: int) -> None:
        """The calling rules' variant: appointments and ordinary tickets arrive together and one desk
        calls several in a row (where the ratio, a long wait and a preference decide)."""
        for kind in [TICKET_SERVICES[2]] * priority + [TICKET_SERVICES[0], TICKET_SERVICES[1]]:
            self._totem_ticket("totem-1", kind)
        for _ in range(calls):
            self._refresh(self.tabs[tab])
            self._send(Sent(tab, "next", self._body(self.tabs[tab], "next", 0, 0) or {}))

    @precondition(lambda self: bool(self.model.waiting()) or any(self.model.current(d) for d in self.model.desks))
    @rule(tab=st.integers(0, len(TABS) - 1), back=st.booleans())
    def hold_turn(self, tab: int, back: bool) -> None:
        """Sospendi (a random click rarely finds a desk serving someone): the tab's desk calls the next if it
        serves nobody, holds the turn, then maybe calls a held turn back at once (the form was quick)."""
        chosen = self.tabs[tab]
        if self.model.current(chosen.desk) is None:
            self._refresh(chosen)
            self._send(Sent(tab, "next", self._body(chosen, "next", 0, 0) or {}))
        if self.model.current(chosen.desk) is None:
            return  # paused, or nobody it may call
        self._send(Sent(tab, "hold", self._body(chosen, "hold", 0, 0) or {}))
        if back:
            self._send(Sent(tab, "callback", self._body(chosen, "callback", tab, 1) or {}))

    @precondition(lambda self: any(t.status == "held" for t in self.model.tickets.values()))
    @rule(tab=st.integers(0, len(TABS) - 1), pick=st.integers(0, 50))
    def call_back(self, tab: int, pick: int) -> None:
        """Richiama: the citizen is back (at the desk that held the turn, or asked at another)."""
        body = self._body(self.tabs[tab], "callback", pick, 1)
        if body is not None:
            self._send(Sent(tab, "callback", body))

    @rule(tab=st.integers(0, len(TABS) - 1), action=st.sampled_from(CLICKS), pick=st.integers(0, 50),
          flag=st.integers(0, 5))
    def hold_click(self, tab: int, action: str, pick: int, flag: int) -> None:
        """A click made now, delivered later (a slow network, a reordering proxy)."""
        body = self._body(self.tabs[tab], action, pick, flag)
        if body is not None:
            self.held.append(Sent(tab, action, body))

    @precondition(lambda self: bool(self.held))
    @rule(pick=st.integers(0, 50))
    def deliver_held(self, pick: int) -> None:
        self._send(self.held.pop(pick % len(self.held)))

    @precondition(lambda self: bool(self.sent))
    @rule(pick=st.integers(0, 50))
    def send_again(self, pick: int) -> None:
        """A duplicate: the same request id and body again (a retry, a double delivery)."""
        self._send(self.sent[-1 - pick % len(self.sent)])

    @rule(tab=st.integers(0, len(TABS) - 1))
    def tab_hears_state(self, tab: int) -> None:
        self._refresh(self.tabs[tab])

    # -- time and the hub -----------------------------------------------------------------------

    @rule(seconds=st.sampled_from([1, 10, 29, 31, 300]))
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(seconds=seconds)

    @rule(roll=st.integers(0, 4))
    def hub_restarts(self, roll: int) -> None:
        if roll:  # a fifth as often as the other steps
            return
        self.hub.__exit__(None, None, None)
        self.hub = HubServer(self.config, port=0, clock=self.clock).__enter__()
        self.reception = None  # a new port: the reception pairs and unlocks again
        self.model.undo.clear()  # so does the undo book

    @precondition(lambda self: len(self.days) < 3)
    @rule()
    def next_service_day(self) -> None:
        tomorrow = (self.clock.now().astimezone(START.tzinfo) + timedelta(days=1)).replace(hour=9, minute=0)
        self.clock.set(tomorrow)
        self.model.day = self._today()
        self.days.append(self.model.day)
        self.numbers = {issuer: first for issuer, first in ISSUERS}
        self.model.expire_held()  # the hub's periodic tick expires them (display.hold.expire_due)
        hub = self.hub.hub
        assert hub is not None
        asyncio.run_coroutine_threadsafe(hub.db(hold.expire_due, hub.store, now=self.clock.now()),
                                         self.hub._loop).result(timeout=10)

    # -- invariants -----------------------------------------------------------------------------

    @invariant()
    def hub_state_is_the_models(self) -> None:
        state = self.http.get(self.hub.url + "/api/state", timeout=10).json()
        m = self.model
        assert state["service_day"] == m.day
        assert state["counts"] == m.counts(), (state["counts"], m.counts())
        currents = []
        for d in state["desks"]:
            mine = m.current(d["id"])
            assert (d["current"] or {}).get("code") == (mine.code if mine else None), (d, mine)
            assert d["paused"] == (d["id"] in m.paused)
            assert [h["code"] for h in d["held"]] == m.held(d["id"]), (d["id"], d["held"], m.held(d["id"]))
            if m.rules is not None:  # the console's "next" line: what a click would call now
                up = m.next_for(d["id"], self.clock.now())
                assert (d["next"] or {}).get("code") == (up.code if up else None), (
                    d, up, calling.in_a_row(m, d["id"]), [(t.code, t.issued_at) for t in m.waiting(self.clock.now())],
                    m.calls[-4:], self.clock.now())
            if d["current"]:
                currents.append(d["current"]["code"])
        assert len(currents) == len(set(currents)), f"a ticket in two desks: {currents}"
        for service in state["services"]:
            queue = [t.code for t in m.waiting(self.clock.now()) if t.service == service["id"]]
            assert service["waiting"] == len(queue), (service["id"], service["waiting"], queue)
            assert [q["code"] for q in service["queue"]] == queue[:20], (service["id"], service["queue"], queue)
        calls = [(code, desk) for _, code, desk, day, _ in reversed(m.calls) if day == m.day][:5]
        assert [(c["code"], c["desk"]) for c in state["calls"]] == calls, (state["calls"], calls)

    @invariant()
    def people_ahead_are_the_models(self) -> None:
        if not self.check_ahead:
            return
        waiting = self.model.waiting(self.clock.now())
        self.checks += 1  # every step: the head, the tail and two more in turn (all of them over a few steps)
        n = max(1, len(waiting))
        picks = sorted({0, len(waiting) - 1, self.checks % n, (self.checks * 7) % n})
        for t in (waiting[i] for i in picks if 0 <= i < len(waiting)):
            told = self.http.get(self.hub.url + "/api/follow/" + follow_key(self.token, t.id), timeout=10).json()
            assert told["status"] == "waiting", (t.code, told)
            assert (told["ahead"], told["possible"]) == (self.model.ahead(t, self.clock.now()) or (None, None)), \
                (t.code, told)

    def _final_checks(self) -> None:
        with closing(sqlite3.connect(f"file:{self.hub.store.path}?mode=ro", uri=True, timeout=10)) as db:
            rows = {r[0]: r[1:] for r in db.execute(
                "SELECT id, code, status, desk_id, called_at, finished_at, service_day FROM tickets")}
        assert set(rows) == set(self.model.tickets), "no ticket lost, none added"
        for t in self.model.tickets.values():
            code, status, desk, called, finished, day = rows[t.id]
            assert (code, status, day) == (t.code, t.status, t.day), (t, rows[t.id])
            if status in ("called", "served", "noshow", "held", "expired"):
                assert (desk, called) == (t.desk, t.called_at), (t, rows[t.id])
            if status in ("served", "noshow"):
                assert called is not None and finished == t.finished_at and finished >= called, (t, rows[t.id])
        report = self.http.get(self.hub.url + f"/api/reports?from={self.days[0]}&to={self.days[-1]}",
                               headers=self.auth, timeout=30).json()
        counted = {s: sum(1 for t in self.model.tickets.values() if t.status == s) for s in ("served", "noshow")}
        assert {s: report["counts"][s] for s in counted} == counted, (report["counts"], counted)


def fresh(**kwargs: object) -> type[QueueMachine]:
    """The machine with other class settings (the benchmark's)."""
    return type("QueueMachine", (QueueMachine,), dict(kwargs))


def with_rules(**kwargs: object) -> type[QueueMachine]:
    """The machine on a site with every calling rule on (issue 23 point 1): a ratio per site and
    per desk, a long wait, a desk preferring a service (`queue_model_rules.RULES_SITE`)."""
    return fresh(calling_rules=RULES, **kwargs)


__all__ = ["Model", "QueueMachine", "fresh", "with_rules"]
