"""Only possible waits (issue 20, point 3): the range laid on today's hours, never past closing."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import requests
from conftest import rome, write_site
from escpos_decode import decode

from config import load_config
from config.model import Config, TimeRange
from display.server import HubServer
from totem.clock import FrozenClock
from totem.closing import Bounded, bound
from totem.dispenser import Dispenser
from totem.hubview import HubView
from totem.outbox import TargetPusher
from totem.store import TicketStore
from totem.wiring import build_issuer, build_printer

TUESDAY = (TimeRange(time(8, 45), time(13, 0)), TimeRange(time(14, 30), time(16, 30)))
AUTH = {"Authorization": "Bearer demo-token-change-me-0123456789"}
RANGE_RE = re.compile(r"(\d+)-(\d+) (?:minuti|minutes)|meno di (\d+) minuti")


def test_a_wait_across_lunch_adds_the_break() -> None:
    now = rome(2026, 12, 1, 12, 40)  # 20 minutes of the morning left, then 14:30-16:30
    told = bound(10, 40, ranges=TUESDAY, now=now)
    assert told == Bounded(10, 130, False, "16:30")  # 40 min of work: 20 before lunch, 20 from 14:30


def test_a_range_past_closing_is_cut_and_marked() -> None:
    now = rome(2026, 12, 1, 16, 20)
    assert bound(5, 30, ranges=TUESDAY, now=now) == Bounded(5, 10, True, "16:30")
    nothing = bound(15, 40, ranges=TUESDAY, now=now)
    assert (nothing.low_min, nothing.high_min, nothing.past_close) == (None, None, True)
    soon = bound(0, 5, ranges=TUESDAY, now=rome(2026, 12, 1, 16, 27))
    assert soon.high_min == 3 and soon.past_close  # "less than 3 minutes" and the warning, never "less than 5"


def test_unknown_stays_unknown_and_a_closed_day_has_no_range() -> None:
    assert bound(None, None, ranges=TUESDAY, now=rome(2026, 12, 1, 10, 0)).past_close is False
    after = bound(0, 5, ranges=TUESDAY, now=rome(2026, 12, 1, 17, 0))
    assert (after.low_min, after.high_min, after.past_close, after.closes_at) == (None, None, True, "")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, Config, HubServer, FrozenClock]]:
    clock = FrozenClock(rome(2026, 12, 1, 11, 0))  # a Tuesday: 08:45-13:00 and 14:30-16:30
    path = write_site(tmp_path, extra={"min_interval_s = 2": "min_interval_s = 0",
                                       "last_ticket_before_close_min = 10": "last_ticket_before_close_min = 5"})
    with HubServer(load_config(path), port=0, clock=clock) as hub:
        path.write_text(path.read_text(encoding="utf-8").replace('url = "http://127.0.0.1:9"', f'url = "{hub.url}"'),
                        encoding="utf-8")
        yield path, load_config(path), hub, clock


def queue_up(hub: HubServer, clock: FrozenClock, n: int) -> None:
    for i in range(n):
        issued = (clock.now() - timedelta(minutes=n - i)).astimezone(UTC)
        body = {"id": str(uuid.uuid4()), "code": f"A{500 + i:03d}", "service": "uffici", "number": 500 + i,
                "issued_at": issued.isoformat(), "totem": "totem-2"}
        assert requests.post(hub.url + "/api/tickets", json=body, headers=AUTH, timeout=5).status_code == 201


def printed(config: Config, clock: FrozenClock, service: str) -> tuple[datetime, list[str]]:
    """One tap as the kiosk does it; the ticket's lines decoded from the folder printer's bytes."""
    view = HubView()  # what the totem knows of the hub's queue when the citizen taps (its live view)
    view.set_live(requests.get(config.hub.url + "/api/forecast", timeout=5).json(), totem=config.totem.id)
    with TicketStore.in_dir(config.totem.data_dir) as store, build_printer(config) as printer:
        pusher = TargetPusher(config=config, target=config.hub.url, clock=clock, store=store, view=view)
        try:
            issuer = build_issuer(config, store, clock, view=view)
            ticket = Dispenser(issuer=issuer, printer=printer, printer_state=printer.probe,
                               on_event=pusher.deliver).take(service)
        finally:
            pusher.close()
    data = (config.printer.folder / "2026-12-01" / f"{ticket.code}.escpos").read_bytes()
    return ticket.issued_at, decode(data).texts()


def latest_minute(issued_at: datetime, lines: list[str]) -> datetime | None:
    """The latest instant any printed range reaches (None: no range printed)."""
    for line in lines:
        match = RANGE_RE.search(line)
        if match:
            return issued_at + timedelta(minutes=int(match.group(2) or match.group(3)))
    return None


def test_ten_minutes_before_closing_with_twenty_waiting(site: tuple[Path, Config, HubServer, FrozenClock]) -> None:
    _, config, hub, clock = site
    clock.set(rome(2026, 12, 1, 16, 20))
    queue_up(hub, clock, 20)
    issued_at, lines = printed(config, clock, "uffici")
    closing = rome(2026, 12, 1, 16, 30)
    reach = latest_minute(issued_at, lines)
    assert reach is None or reach <= closing, lines
    assert "Potrebbe non essere chiamato prima della chiusura (ore 16:30)" in " ".join(lines), lines


def test_the_only_desk_paused_never_prints_past_closing(site: tuple[Path, Config, HubServer, FrozenClock]) -> None:
    _, config, hub, clock = site
    queue_up(hub, clock, 20)  # 20 x 15 min = 300 min of work; 120 + 120 open minutes left today
    assert requests.post(hub.url + "/api/desks/1/pause", headers=AUTH, timeout=5).status_code == 200
    issued_at, lines = printed(config, clock, "uffici")
    reach = latest_minute(issued_at, lines)
    assert reach is None or reach <= rome(2026, 12, 1, 16, 30), lines
    assert "prima della chiusura" in " ".join(lines), lines[6:]
    told = requests.get(hub.url + "/api/forecast", timeout=5).json()["services"]["uffici"]
    assert told["past_close"] is True and told["closes_at"] == "16:30"
    assert told["wait_high_min"] is None or told["wait_high_min"] <= 330


def test_a_short_queue_prints_a_plain_range(site: tuple[Path, Config, HubServer, FrozenClock]) -> None:
    _, config, hub, clock = site
    queue_up(hub, clock, 2)
    _, lines = printed(config, clock, "uffici")
    assert not any("chiusura" in line for line in lines)
    assert any(RANGE_RE.search(line) for line in lines), lines
