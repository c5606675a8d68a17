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
