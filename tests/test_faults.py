"""Faults from outside, through real parts: a printer that stalls mid-ticket, a clock that is
clearly wrong, a corrupt database. Each ends in an honest screen, never a silent loop."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pygame
from conftest import rome, write_site
from fake_printer import FakeNetworkPrinter
from kiosk_harness import key, kiosk, pump

from totem.clock import FrozenClock
from totem.ui.app import Screen

OPEN = rome(2026, 12, 1, 10, 0)


def void_codes(tmp_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(tmp_path / "data" / "totem.sqlite3") as db:
        return list(db.execute("SELECT code, status FROM tickets ORDER BY issued_at"))


def test_a_printer_that_stalls_mid_ticket_puts_the_totem_out_of_service(tmp_path: Path) -> None:
    """Accepts, reads 64 bytes, goes silent: the tapping citizen sees Out of service (go to the
    reception point) within the printer timeout; further taps use no number; it returns by itself."""
    with FakeNetworkPrinter(mode="answer") as fake:
        site = write_site(tmp_path, always_open=True, extra={
            'connection = "folder"': f'connection = "network"\nhost = "127.0.0.1"\nport = {fake.port}',
            "status_poll_s = 5": "status_poll_s = 0.3", "timeout_s = 5": "timeout_s = 1.5",
            "min_interval_s = 2": "min_interval_s = 0"})
        with kiosk(site, FrozenClock(OPEN)) as app:
            pump(app, lambda: app.screen is Screen.HOME and app.printer_state.healthy)
            fake.mode = "stall"
            key(pygame.K_1)
            key(pygame.K_RETURN)
            tapped = time.monotonic()
            pump(app, lambda: app.screen is Screen.OUT, timeout_s=10)
            took = time.monotonic() - tapped
            assert took < 1.5 + 1.0, f"Out of service after {took:.2f} s with a 1.5 s printer timeout"
            assert void_codes(tmp_path) == [("A001", "void")]
            for _ in range(3):  # still silent: it stays out of service and uses no number
                time.sleep(0.4)
                app.step()
                key(pygame.K_1)
                key(pygame.K_RETURN)
                app.step()
                assert app.screen is Screen.OUT
            assert void_codes(tmp_path) == [("A001", "void")]
            fake.mode = "answer"  # the technician clears the jam
            pump(app, lambda: app.screen is Screen.HOME, timeout_s=10)


def test_a_clock_before_the_release_refuses_tickets(tmp_path: Path) -> None:
    """A Pi booted without the network may believe it is 2020: Out of service, no number used."""
    site = write_site(tmp_path, always_open=True)
    with kiosk(site, FrozenClock(rome(2020, 6, 1, 10, 0))) as app:
        pump(app, lambda: app.screen is Screen.OUT)
        assert app.clock_problem is not None and "before this release" in app.clock_problem
        key(pygame.K_1)
        key(pygame.K_RETURN)
        app.step()
        assert app.screen is Screen.OUT
    assert not (tmp_path / "data" / "totem.sqlite3").exists() or void_codes(tmp_path) == []


def test_a_clock_a_day_off_the_hubs_refuses_tickets_until_fixed(tmp_path: Path) -> None:
    from config import load_config
    from display.hub import HubServer

    hub_clock = FrozenClock(rome(2026, 12, 2, 10, 0))  # the totem booted believing it is yesterday
    site = write_site(tmp_path, always_open=True)
    with HubServer(load_config(site), port=0, clock=hub_clock) as hub:
        site.write_text(site.read_text(encoding="utf-8").replace('url = "http://127.0.0.1:9"', f'url = "{hub.url}"'),
                        encoding="utf-8")
        with kiosk(site, FrozenClock(OPEN)) as app:
            pump(app, lambda: app.screen is Screen.OUT)
            assert "differs from the hub's by +86400 s" in (app.clock_problem or "")
            hub_clock.set(OPEN)  # NTP sets the clocks right
            pump(app, lambda: app.screen is Screen.HOME, timeout_s=10)
