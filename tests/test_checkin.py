"""Appointment check-in at the totem (issue 14): "Ho un appuntamento" asks for the number the
reception gave; only the hub's yes prints a priority ticket. A real kiosk on SDL's dummy driver,
a real hub on 127.0.0.1, the folder printer decoded back, one frozen clock for both."""

from __future__ import annotations

import os
from pathlib import Path

import pygame
import requests
from conftest import rome, write_site
from escpos_decode import decode
from kiosk_harness import key, kiosk, pump, tap
from test_reception import Reception

from config import load_config
from display.server import HubServer
from totem.clock import FrozenClock
from totem.store import TicketStore
from totem.ui.checkin import checkin_layout
from totem.ui.events import Screen

OPEN = rome(2026, 12, 1, 10, 0)  # Tuesday morning


def totem_site(tmp_path: Path, hub_url: str) -> Path:
    return write_site(tmp_path, always_open=True, extra={"min_interval_s = 2": "min_interval_s = 0",
                                                         'url = "http://127.0.0.1:8080"': f'url = "{hub_url}"'})


def type_number(app, number: str) -> None:  # type: ignore[no-untyped-def]
    layout = checkin_layout(app.size)
    app.last_tap_at = -1.0
    for label in [*number, "ok"]:
        tap(app, dict(layout.keys)[label].center)
        app.step()
        app.last_tap_at = -1.0  # each key is a separate touch, not a bounce


def book(hub: HubServer, at: str, service: str = "sanita") -> str:
    answer = Reception(hub).post("/api/reception/appointments", {"day": "2026-12-01", "time": at, "service": service,
                                                                "reference": "pratica 7"})
    assert answer.status_code == 201, answer.text
    return answer.json()["appointment"]["number"]


def test_a_booked_citizen_checks_in_and_gets_a_priority_ticket(tmp_path: Path) -> None:
    clock = FrozenClock(OPEN)
    hub_site = write_site(tmp_path / "hub")
    with HubServer(load_config(hub_site), port=0, clock=clock) as hub:
        number = book(hub, "10:15")
        site = totem_site(tmp_path / "totem", hub.url)
        with kiosk(site, clock) as app:
            tap(app, app.layout.buttons[7].center)  # "Ho un appuntamento"
            pump(app, lambda: app.screen is Screen.CHECKIN)
            type_number(app, "12")
            assert app.checkin.entered == "12"
            tap(app, dict(checkin_layout(app.size).keys)["ok"].center)  # incomplete: nothing is sent
            app.step()
            assert app.screen is Screen.CHECKIN and not app.checkin.busy
            app.last_tap_at = -1.0
            for _ in range(2):
                tap(app, dict(checkin_layout(app.size).keys)["del"].center)
                app.step()
                app.last_tap_at = -1.0
            wrong = "00000" if number != "00000" else "11111"
            type_number(app, wrong)
            pump(app, lambda: bool(app.checkin.message))
            assert app.screen is Screen.CHECKIN and app.checkin.message.startswith("Numero non trovato")
            assert app.checkin.entered == "", "cleared for another try"
            type_number(app, number)
            pump(app, lambda: app.screen is Screen.TAKE)
            assert app.shown.code == "P001"
            assert app.shown.lines[0] == "Appuntamento delle 10:15 · Servizi sanitari"
            config = load_config(site)
            paper = decode((config.printer.folder / "2026-12-01" / "P001.escpos").read_bytes())
            paper.find("Appuntamento delle 10:15 · Servizi sanitari")
            paper.find("Nessuno prima di lei")

            def linked() -> bool:
                state = requests.get(hub.url + "/api/state", timeout=5).json()
                queue = next(s for s in state["services"] if s["id"] == "appuntamento")["queue"]
                return bool(queue) and queue[0].get("appointment") == {"time": "10:15", "service": "sanita"}

            pump(app, linked)
            app.go(Screen.HOME)
            tap(app, app.layout.buttons[7].center)
            pump(app, lambda: app.screen is Screen.CHECKIN)
            app.last_tap_at = -1.0
            type_number(app, number)  # the same number again: used
            pump(app, lambda: bool(app.checkin.message))
            assert app.checkin.message == "Questo appuntamento è già registrato: chieda all'accoglienza"
            tap(app, checkin_layout(app.size).back.center)
            pump(app, lambda: app.screen is Screen.HOME)


def test_without_the_hub_no_priority_is_given(tmp_path: Path) -> None:
    site = totem_site(tmp_path, "http://127.0.0.1:9")  # nothing listens: the hub cannot be asked
    with kiosk(site, FrozenClock(OPEN)) as app:
        key(pygame.K_KP8)
        key(pygame.K_KP_ENTER)
        pump(app, lambda: app.screen is Screen.CHECKIN)
        for k in (pygame.K_KP1, pygame.K_KP2, pygame.K_KP3, pygame.K_KP4, pygame.K_KP5, pygame.K_KP_MINUS,
                  pygame.K_KP5, pygame.K_KP_ENTER):
            key(k)
        pump(app, lambda: bool(app.checkin.message))
        assert app.checkin.message.startswith("Non è possibile verificare l'appuntamento ora")
        with TicketStore.in_dir(load_config(site).totem.data_dir) as store:
            assert store.last_ticket() is None, "no number was used"
        key(pygame.K_ESCAPE)
        pump(app, lambda: app.screen is Screen.HOME)


def test_too_early_says_from_when(tmp_path: Path) -> None:
    clock = FrozenClock(OPEN)
    with HubServer(load_config(write_site(tmp_path / "hub")), port=0, clock=clock) as hub:
        number = book(hub, "11:30")
        with kiosk(totem_site(tmp_path / "totem", hub.url), clock) as app:
            app.set_language("en")
            tap(app, app.layout.buttons[7].center)
            pump(app, lambda: app.screen is Screen.CHECKIN)
            type_number(app, number)
            pump(app, lambda: bool(app.checkin.message))
            assert app.checkin.message == "You are early: you can check in from 11:00"


def test_totem_issue_on_the_appointments_service_needs_a_checked_in_number(tmp_path: Path) -> None:
    """`totem issue` works exactly as a tap: no priority ticket without the hub's yes (exit 10)."""
    import subprocess
    import sys

    from conftest import PYPATH, ROOT

    clock = FrozenClock(OPEN)
    with HubServer(load_config(write_site(tmp_path / "hub")), port=0, clock=clock) as hub:
        number = book(hub, "10:00")
        site = totem_site(tmp_path / "totem", hub.url)
        env = {"PYTHONPATH": PYPATH, "PATH": "/usr/bin:/bin", "TOTEM_DEVICE_FILE": os.environ["TOTEM_DEVICE_FILE"]}

        def issue(*extra: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "totem", "issue", "appuntamento", "--config", str(site),
                                   *extra], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)

        refused = issue()
        assert refused.returncode == 10 and "give --appointment NUMBER" in refused.stderr, refused.stderr
        wrong = issue("--appointment", "00000" if number != "00000" else "11111")
        assert wrong.returncode == 10 and "no appointment has the number" in wrong.stderr, wrong.stderr
        assert issue("--appointment", "1234x").returncode == 10
        # The hub's clock is frozen at 10:00 and the CLI's is real: the window is checked by the hub alone.
        done = issue("--appointment", number)
        assert done.returncode == 0 and done.stdout.strip() == "P001", done.stderr
        assert issue("--appointment", number).returncode == 10, "a number is used once"
