"""The network is never on the path from a tap to the paper (rule 10), and the ticket still
prints the exact people ahead: the totem follows the hub's queue live (its event stream) and
counts its own tickets the hub has not received yet; when the hub's count differs (another
totem's ticket in the same instant) the kiosk's screen and voice say the hub's figure.

- a hub that answers pushes only after 800 ms (and not before the test lets it): two tickets
  print while the hub still holds the first push, with the exact counts 2 and 3;
- two totems tapping the same service 50 ms apart, each unaware of the other's ticket: the
  kiosk prints "nobody ahead", and when the other ticket reaches the hub (the kiosk's push
  answered first, the hub's `moved` event, or its answer: whichever order the network gives)
  the screen, the voice and the follow page say one person ahead.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import requests
from conftest import rome, write_site
from escpos_decode import decode
from kiosk_harness import RecordingVoice, kiosk, pump, tap

from config import load_config
from config.follow import follow_key
from config.model import Config
from display.server import HubServer
from totem.clock import FrozenClock
from totem.dispenser import Dispenser
from totem.hubview import HubView
from totem.outbox import OutboxPusher, deliver_once
from totem.queuefollow import QueueFollower
from totem.store import TicketStore
from totem.ui.events import Screen
from totem.wiring import build_issuer, build_printer, open_store

NOW = rome(2026, 12, 1, 10, 0)
AUTH = {"Authorization": "Bearer demo-token-change-me-0123456789"}
SAFETY_S = 10.0  # deadlines are safety nets only: speed is measured in tests/bench/bench_live_count.py


def wait_for(condition: Callable[[], object], timeout_s: float = SAFETY_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met"
        time.sleep(0.01)


class Gate:
    """Holds the hub's answers to pushes: at least `delay_s`, and until `open()`."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.opened = threading.Event()
        self.answered = 0

    def open(self) -> None:
        self.opened.set()


@contextmanager
def hub_site(tmp_path: Path, clock: FrozenClock, *, gate: Gate | None = None) -> Iterator[tuple[Path, HubServer]]:
    """A real hub on 127.0.0.1 (port 0) and the site file that points the totems at it."""
    site = write_site(tmp_path, always_open=True, extra={
        "min_interval_s = 2": "min_interval_s = 0",  # a second totem's block: its own numbers (issue 19)
        "numbers = [1, 799]": 'numbers = [1, 399]\n[[totems]]\nid = "totem-2"\nnumbers = [400, 799]'})
    with HubServer(load_config(site), port=0, clock=clock) as server:
        text = site.read_text(encoding="utf-8").replace('url = "http://127.0.0.1:9"', f'url = "{server.url}"')
        site.write_text(text, encoding="utf-8")
        if gate is not None:
            hub = server.hub
            assert hub is not None
            real = hub.ingest

            async def held(ticket: dict[str, object]) -> tuple[bool, dict[str, object], dict[str, object]]:
                await asyncio.sleep(gate.delay_s)
                while not gate.opened.is_set():
                    await asyncio.sleep(0.01)
                result = await real(ticket)
                gate.answered += 1
                return result

            hub.ingest = held  # type: ignore[method-assign]
        yield site, server


def push_other(server: HubServer, number: int, issued_at: str) -> None:
    body = {"id": str(uuid.uuid4()), "code": f"A{number:03d}", "service": "uffici", "number": number,
            "issued_at": issued_at, "totem": "totem-9"}
    assert requests.post(f"{server.url}/api/tickets", json=body, headers=AUTH, timeout=10).status_code == 201


def printed_line(config: Config, code: str) -> str:
    printed = decode((config.printer.folder / NOW.date().isoformat() / f"{code}.escpos").read_bytes())
    return next(line for line in printed.texts() if "prima di lei" in line or "Persone in attesa" in line)


def test_a_slow_hub_never_delays_the_paper_and_the_printed_count_is_exact(tmp_path: Path) -> None:
    clock = FrozenClock(NOW)
    gate = Gate(delay_s=0.8)
    with hub_site(tmp_path, clock, gate=gate) as (site, server):
        gate.open()
        for n in (1, 2):  # two citizens already waiting, from another totem
            push_other(server, 900 + n, (NOW - timedelta(minutes=5)).isoformat())
        gate.opened.clear()  # from now on the hub holds every push until the test lets it answer
        config = load_config(site)
        view = HubView()
        with open_store(config) as store, build_printer(config) as printer, \
                OutboxPusher.start(config, clock=clock, view=view) as outbox, \
                QueueFollower(config=config, view=view).start():
            issuer = build_issuer(config, store, clock, view=view)
            dispenser = Dispenser(issuer=issuer, printer=printer, printer_state=printer.probe,
                                  on_event=outbox.wake)
            wait_for(lambda: (live := view.live(NOW.date())) is not None and live.services["uffici"].ahead == 2)
            lines = []
            for _ in range(2):
                clock.advance(seconds=1)
                ticket = dispenser.take("uffici")
                assert gate.answered == 2  # the paper is out; the hub has not answered this totem's push
                assert ticket.estimate is not None and ticket.estimate.source == "live"
                lines.append(printed_line(config, ticket.code))
            assert lines == ["2 persone prima di lei", "3 persone prima di lei"]
            gate.open()
            wait_for(lambda: gate.answered == 4 and outbox.backlog() == 0)
            # The hub counts them the same: nothing to correct.
            state = requests.get(f"{server.url}/api/forecast", timeout=5).json()
            assert state["services"]["uffici"]["ahead"] == 4 and state["intake"]["totem-1"] == 2


def test_with_no_live_view_the_ticket_says_circa_at_once(tmp_path: Path) -> None:
    clock = FrozenClock(NOW)
    with hub_site(tmp_path, clock) as (site, _server):
        config = load_config(site)
        view = HubView()
        with open_store(config) as store, OutboxPusher.start(config, clock=clock, view=view) as outbox:
            issuer = build_issuer(config, store, clock, view=view)
            wait_for(lambda: view.estimate_for("uffici", day=NOW.date(), count_since=lambda at: 0).people_ahead
                     is not None)  # the pusher's forecast poll, but no stream followed
            estimate = issuer.issue("uffici").estimate
            assert estimate is not None and estimate.exact is False and estimate.source == "forecast"
            outbox.wake()


def test_two_totems_in_the_same_100_ms_the_screen_voice_and_follow_page_are_corrected(tmp_path: Path) -> None:
    clock = FrozenClock(NOW)
    with hub_site(tmp_path, clock) as (site, server):
        config = load_config(site)
        other = replace(config, totem=replace(config.totem, id="totem-2", data_dir=tmp_path / "totem-2"))
        voice = RecordingVoice()
        with kiosk(site, clock, voice_factory=lambda c, s: voice) as app, \
                TicketStore.in_dir(other.totem.data_dir) as other_store:
            view = app.services.issuer.view
            wait_for(lambda: view.live(NOW.date()) is not None)
            # The other totem's citizen taps first; its ticket has not reached the hub yet.
            build_issuer(other, other_store, clock).issue("uffici")
            clock.advance(milliseconds=50)
            app.start_guidance()
            buttons = [box for box, s in zip(app.layout.buttons, config.services, strict=False) if s.id == "uffici"]
            tap(app, buttons[0].center)
            pump(app, lambda: app.screen is Screen.TAKE, SAFETY_S)
            code = app.shown.code
            assert code is not None and printed_line(config, code) == "Nessuno prima di lei"
            assert "Nessuno prima di lei" in app.shown.lines
            deliver_once(other, other_store, clock=clock)  # now the hub has both
            pump(app, lambda: "1 persona prima di lei" in app.shown.lines, SAFETY_S)
            assert app.screen is Screen.TAKE and app.shown.code == code
            assert any("1 persona" in text for text, _ in voice.said[-1])
            ticket = TicketStore.in_dir(config.totem.data_dir)
            try:
                row = ticket.last_ticket()
            finally:
                ticket.close()
            assert row is not None
            page = requests.get(f"{server.url}/api/follow/{follow_key(config.hub.token, row.id)}", timeout=5).json()
            assert (page["status"], page["ahead"], page["exact"]) == ("waiting", 1, True)
