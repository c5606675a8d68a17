"""What people are told is true: one call order for the ticket, the totem, the desk and the call screen.

- the call order's SQL and Python forms agree;
- a replay of random days (several desks with overlapping services, priorities, transfers,
  no-shows) through the hub's real queue store on disk checks every ticket's people ahead;
- on the shipped config, taps 1, 1, 3, 8, 1 print "ahead" figures that match the calls;
- the service day: at 00:00:01 the call screen's calls and the queue are empty.
"""

from __future__ import annotations

import random
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from conftest import rome, write_site
from escpos_decode import decode

from config import load_config
from config.model import Config
from display.queue import QueueStore
from display.server import HubServer
from printer.ticket_printer import TicketPrinter
from totem.callorder import SQL_ORDER, CallOrder, DeskView, Waiting
from totem.clock import FrozenClock
from totem.dispenser import Dispenser
from totem.hubview import HubView
from totem.outbox import TargetPusher
from totem.queuefollow import QueueFollower
from totem.store import TicketStore
from totem.wiring import build_issuer, build_printer

NOW = rome(2026, 12, 1, 10, 0)
AUTH = {"Authorization": "Bearer demo-token-change-me-0123456789"}


def test_sql_order_is_the_python_order(tmp_path: Path) -> None:
    rng = random.Random(7)
    rows = [(str(uuid.UUID(int=rng.getrandbits(128))), int(rng.random() < 0.2),
             f"2026-12-01T09:{rng.randrange(3):02d}:00.000000+00:00") for _ in range(300)]
    db = sqlite3.connect(tmp_path / "order.sqlite3")
    db.execute("CREATE TABLE tickets (id TEXT, priority INTEGER, issued_at TEXT)")
    db.executemany("INSERT INTO tickets VALUES (?, ?, ?)", rows)
    by_sql = [r[0] for r in db.execute(f"SELECT id FROM tickets ORDER BY {SQL_ORDER}")]
    order = CallOrder([DeskView("1", frozenset({"a"}))])
    for tid, priority, issued in rows:
        order.add(Waiting(tid, "A001", "a", bool(priority), issued))
    assert by_sql == [t.id for t in order.listed("a", 1000)]


SERVICES = ["uffici", "procedure", "rimborsi", "bollette", "sanita", "regione", "lavoro", "appuntamento"]
DESK_SETS = {
    "one desk, all services": [("1", SERVICES)],
    "two desks, one a subset": [("1", SERVICES), ("2", ["sanita", "regione", "appuntamento"])],
    "three desks, overlapping": [("1", ["uffici", "procedure", "appuntamento"]),
                                 ("2", ["procedure", "rimborsi", "bollette", "appuntamento"]),
                                 ("3", ["sanita", "regione", "lavoro", "uffici"])],
}


def site_with_desks(tmp_path: Path, desks: list[tuple[str, list[str]]]) -> Config:
    text = "".join(f'\n[[desks]]\nid = "{d}"\nname = "Sportello {d}"\nservices = {services!r}\npin = "135{d}"\n'
                   .replace("'", '"') for d, services in desks)
    path = write_site(tmp_path, always_open=True)
    body = path.read_text(encoding="utf-8")
    start = body.index("\n[[desks]]\n") + 1
    end = body.index("[display]")
    path.write_text(body[:start] + text.lstrip() + "\n" + body[end:], encoding="utf-8")
    return load_config(path)


@pytest.mark.parametrize("scenario", list(DESK_SETS))
def test_replay_people_ahead_matches_the_calls(tmp_path: Path, scenario: str) -> None:
    """Random interleavings of issue, call, done, no-show, recall and transfer. For each ticket T:
    measured = tickets waiting when T was taken, callable by a desk that can call T, and called
    before T. Exact when printed as exact; otherwise within the printed certain..possible bounds."""
    config = site_with_desks(tmp_path, DESK_SETS[scenario])
    prefixes = {s.id: s.prefix for s in config.services}
    checked = exact = 0
    for seed in range(4):
        rng = random.Random(seed)
        store = QueueStore(tmp_path / f"hub-{seed}.sqlite3", config=config)
        now = NOW
        told: dict[str, tuple[int, int, bool, set[str]]] = {}
        called: set[str] = set()
        numbers: dict[str, int] = {}
        desks = [d.id for d in config.desks]
        for _ in range(220):
            now += timedelta(seconds=rng.randrange(1, 90))
            roll = rng.random()
            if roll < 0.45:
                service = rng.choice(SERVICES)
                numbers[service] = numbers.get(service, 0) + 1
                tid = str(uuid.UUID(int=rng.getrandbits(128)))
                ticket = {"id": tid, "code": f"{prefixes[service]}{numbers[service]:03d}", "service": service,
                          "number": numbers[service], "issued_at": now.isoformat(), "totem": "totem-1"}
                [(created, position)] = store.ingest_many([ticket], now=now)
                assert created and position["status"] == "waiting"
                waiting = store.order.get(tid)
                assert waiting is not None
                callers = [d for d in store.order.desks if d.id in store.order.ahead(waiting).desks]
                from totem.callorder import can_call
                before = {w.id for w in store.order._by_id.values()
                          if w.id != tid and w.key < waiting.key and any(can_call(d, w) for d in callers)}
                told[tid] = (position["ahead"], position["possible"], position["exact"], before)
            else:
                desk = rng.choice(desks)
                action = rng.random()
                if action < 0.55 or store.current(desk, now=now) is None:
                    ticket = store.call_next(desk, now=now)
                    if ticket is None:
                        continue
                    if ticket.id in told and ticket.id not in called:
                        certain, possible, is_exact, before = told[ticket.id]
                        measured = len(before & called)
                        checked += 1
                        if is_exact:
                            exact += 1
                            assert measured == certain, (scenario, seed, ticket.code, measured, certain)
                        else:
                            assert certain <= measured <= possible, (scenario, seed, ticket.code)
                    called.add(ticket.id)
                elif action < 0.7:
                    store.finish(desk, "noshow", now=now)
                elif action < 0.8:
                    store.recall(desk, now=now)
                elif action < 0.9:
                    service = rng.choice(config.desk(desk).services)
                    store.transfer(desk, service, now=now, priority=rng.choice([None, None, True, False]))
                else:
                    store.finish(desk, "served", now=now)
        store.close()
    assert checked >= 150
    if scenario == "one desk, all services":
        assert exact == checked  # one desk: every count is exact
    print(f"\n{scenario}: {checked} tickets checked, {exact} exact, {checked - exact} within their range")


@pytest.fixture
def shipped(tmp_path: Path) -> Iterator[tuple[Config, HubServer, FrozenClock]]:
    clock = FrozenClock(NOW)
    site = write_site(tmp_path, always_open=True, extra={"min_interval_s = 2": "min_interval_s = 0"})
    config = load_config(site)
    with HubServer(config, port=0, clock=clock) as hub:
        text = site.read_text(encoding="utf-8").replace('url = "http://127.0.0.1:9"', f'url = "{hub.url}"')
        site.write_text(text, encoding="utf-8")
        yield load_config(site), hub, clock


def take(config: Config, store: TicketStore, printer: TicketPrinter, clock: FrozenClock, service: str, *,
         hub_up: bool = True) -> str:
    """One tap, as the kiosk does it: the hub's queue followed live (once it shows this totem's
    earlier tickets, as it does between taps), the ticket issued and printed from it, pushed."""
    view = HubView()
    pusher = TargetPusher(config=config, target=config.hub.url, clock=clock, store=store, view=view)
    issuer = build_issuer(config, store, clock, view=view)
    dispenser = Dispenser(issuer=issuer, printer=printer, printer_state=printer.probe, on_event=pusher.deliver)
    day = NOW.date()
    mine = len(store.not_counted(day, 0))
    try:
        with QueueFollower(config=config, view=view).start():
            deadline = time.monotonic() + 10
            while hub_up and ((live := view.live(day)) is None or live.counted != mine):
                assert time.monotonic() < deadline, "the hub's stream never showed this totem's tickets"
                time.sleep(0.01)
            ticket = dispenser.take(service)
    finally:
        pusher.close()
    printed = decode((config.printer.folder / NOW.date().isoformat() / f"{ticket.code}.escpos").read_bytes())
    return next(line for line in printed.texts() if "prima di lei" in line or "Persone in attesa" in line)


def test_taps_1_1_3_8_1_print_what_the_desk_then_does(shipped: tuple[Config, HubServer, FrozenClock]) -> None:
    config, hub, clock = shipped
    with TicketStore.in_dir(config.totem.data_dir) as store, build_printer(config) as printer:
        lines = {}
        for service in ("uffici", "uffici", "rimborsi", "appuntamento", "uffici"):
            clock.advance(seconds=30)
            code_line = take(config, store, printer, clock, service)
            last = store.last_ticket()
            assert last is not None
            lines[last.code] = code_line
    assert lines == {"A001": "Nessuno prima di lei", "A002": "1 persona prima di lei",
                     "C001": "2 persone prima di lei", "P001": "Nessuno prima di lei",
                     "A003": "4 persone prima di lei"}
    calls = []
    for _ in range(5):
        clock.advance(minutes=5)
        calls.append(requests.post(hub.url + "/api/desks/1/next", headers=AUTH, timeout=5).json()["ticket"]["code"])
    # P001 came later and jumped ahead by rule (priority): not counted for those before it.
    assert calls == ["P001", "A001", "A002", "C001", "A003"]
    assert requests.post(hub.url + "/api/desks/1/next", headers=AUTH, timeout=5).status_code == 204


def test_without_the_hub_the_ticket_never_says_nobody_ahead(tmp_path: Path) -> None:
    site = write_site(tmp_path, always_open=True, extra={
        "min_interval_s = 2": "min_interval_s = 0"})  # the tests' hub url: the discard port, nothing there
    config = load_config(site)
    clock = FrozenClock(NOW)
    with TicketStore.in_dir(config.totem.data_dir) as store, build_printer(config) as printer:
        printed = take(config, store, printer, clock, "uffici", hub_up=False)
        assert printed == "Persone in attesa: dato non disponibile ora"


def test_hub_view_ignores_bad_values_and_stale_days() -> None:
    view = HubView()
    day = NOW.date()
    good = {"service_day": day.isoformat(), "ahead": 2, "possible": 2, "exact": True, "wait_low_min": 10,
            "wait_high_min": 30, "desks_open": 1}
    assert view.set_forecast({"uffici": good, "sanita": {**good, "ahead": 1e999}, "lavoro": {**good, "ahead": "abc"},
                              "regione": {**good, "service_day": "2026-11-30"}}, day=day, at=NOW) == 1
    est = view.estimate_for("uffici", day=day, count_since=lambda at: 1, minutes_per_person=15)
    assert (est.people_ahead, est.exact, est.source) == (3, False, "forecast")  # visibly an estimate
    assert view.estimate_for("sanita", day=day, count_since=lambda at: 0).people_ahead is None
    assert view.estimate_for("uffici", day=day + timedelta(days=1), count_since=lambda at: 0).people_ahead is None


def test_next_day_shows_no_calls_and_an_empty_queue(tmp_path: Path) -> None:
    clock = FrozenClock(rome(2026, 12, 1, 12, 55))
    config = load_config(write_site(tmp_path, always_open=True))
    with HubServer(config, port=0, clock=clock) as hub:
        for n in range(1, 4):
            clock.advance(seconds=20)
            body = {"id": str(uuid.uuid4()), "code": f"A{n:03d}", "service": "uffici", "number": n,
                    "issued_at": clock.now().isoformat(), "totem": "totem-1"}
            assert requests.post(hub.url + "/api/tickets", json=body, headers=AUTH, timeout=5).status_code == 201
        requests.post(hub.url + "/api/desks/1/next", headers=AUTH, timeout=5)
        before = requests.get(hub.url + "/api/state", timeout=5).json()
        assert before["calls"][0]["code"] == "A001" and before["desks"][0]["current"]["code"] == "A001"
        clock.set(rome(2026, 12, 2, 0, 0, 1))
        after = requests.get(hub.url + "/api/state", timeout=5).json()
        assert after["service_day"] == "2026-12-02"
        assert after["calls"] == [] and after["desks"][0]["current"] is None
        assert all(s["waiting"] == 0 and s["queue"] == [] for s in after["services"])
        assert requests.post(hub.url + "/api/desks/1/next", headers=AUTH, timeout=5).status_code == 204
