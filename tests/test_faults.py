"""Faults from outside, through real parts: a printer that stalls mid-ticket, a clock that is
clearly wrong, a corrupt database. Each ends in an honest screen, never a silent loop."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pygame
from conftest import PYPATH, ROOT, rome, write_site
from fake_printer import FakeNetworkPrinter
from kiosk_harness import key, kiosk, pump

from totem.clock import FrozenClock
from totem.ui.events import Screen

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
            # 10 s is a safety net well below python-escpos's 60 s default: the 1.5 s timeout is what ends it
            pump(app, lambda: app.screen is Screen.OUT, timeout_s=10)
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
    from display.server import HubServer

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


def corrupt(path: Path) -> None:
    """Overwrite the middle of a database file, as a failing SD card does."""
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def totem_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "totem", *args], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=PYPATH), timeout=60)


def test_a_corrupt_database_shows_out_of_service_and_waits_for_the_technician(tmp_path: Path) -> None:
    from contextlib import ExitStack

    from config import load_config
    from totem.degraded import build_unavailable_kiosk
    from totem.store import TicketStore

    site = write_site(tmp_path, always_open=True, extra={"min_interval_s = 2": "min_interval_s = 0"})
    config = load_config(site)
    assert totem_cli("issue", "uffici", "--config", str(site)).stdout.strip() == "A001"
    assert totem_cli("issue", "uffici", "--config", str(site)).stdout.strip() == "A002"
    db = tmp_path / "data" / "totem.sqlite3"
    with sqlite3.connect(db) as conn:  # fold the WAL in, so the damage hits real pages
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    corrupt(db)

    status = totem_cli("status", "--config", str(site))
    assert status.returncode == 7 and "OUT OF SERVICE" in status.stdout and "repair-db" in status.stdout
    assert "Traceback" not in status.stderr

    with ExitStack() as stack:
        app = build_unavailable_kiosk(config, stack, clock=FrozenClock(OPEN), reason="cannot open", retry_s=0.2)
        app.step()
        assert app.screen is Screen.OUT
        key(pygame.K_1)
        key(pygame.K_RETURN)
        app.step()
        assert app.screen is Screen.OUT
        assert db.exists()  # never moved aside by the kiosk itself
        refused = totem_cli("repair-db", "--config", str(site))
        if refused.returncode == 2:  # the counters are unreadable: the technician says where numbers continue
            assert "--start-after" in refused.stderr
            repaired = totem_cli("repair-db", "--start-after", "2", "--config", str(site))
        else:
            repaired = refused
        assert repaired.returncode == 0, repaired.stderr
        assert list((tmp_path / "data").glob("totem.sqlite3.corrupt-*"))
        pump(app, lambda: not app.running, timeout_s=10)  # ends with 0: systemd starts the full kiosk
        assert app.exit_code == 0
    assert totem_cli("issue", "uffici", "--config", str(site)).stdout.strip() == "A003"  # never A001 again
    with TicketStore.in_dir(config.totem.data_dir):
        pass


def test_a_hub_that_lost_its_database_gets_todays_tickets_again(tmp_path: Path) -> None:
    import requests

    from config import load_config
    from display.server import HubServer
    from totem.issuing import Issuer
    from totem.outbox import OutboxPusher
    from totem.store import TicketStore

    clock = FrozenClock(OPEN)
    site = write_site(tmp_path, always_open=True, extra={"min_interval_s = 2": "min_interval_s = 0"})
    hub_config = load_config(site)
    with HubServer(hub_config, port=0, clock=clock) as hub:
        port = hub.port
        site.write_text(site.read_text(encoding="utf-8").replace('url = "http://127.0.0.1:9"',
                                                                 f'url = "{hub.url}"'), encoding="utf-8")
        config = load_config(site)
        with TicketStore.in_dir(config.totem.data_dir) as store, OutboxPusher.start(config, clock=clock) as outbox:
            issuer = Issuer(config=config, store=store, clock=clock)
            for _ in range(3):
                clock.advance(seconds=30)
                issuer.issue("uffici")
                outbox.wake()
            waiting = lambda: sum(s["waiting"] for s in requests.get(hub.url + "/api/state", timeout=5)  # noqa: E731
                                  .json()["services"])
            deadline = time.monotonic() + 10
            while waiting() != 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert waiting() == 3
            hub.close()
            for f in (tmp_path / "hub").glob("hub.sqlite3*"):
                f.unlink()  # the hub's disk was replaced
            with HubServer(hub_config, port=port, clock=clock) as fresh:
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline:
                    try:
                        if waiting() == 3:
                            break
                    except requests.RequestException:
                        pass
                    time.sleep(0.1)
                codes = [q["code"] for s in requests.get(fresh.url + "/api/state", timeout=5).json()["services"]
                         for q in s["queue"]]
                assert codes == ["A001", "A002", "A003"]


def test_a_corrupt_hub_database_is_one_clear_line_and_repairable(tmp_path: Path) -> None:
    from config import load_config
    from display.queue import QueueStore

    site = write_site(tmp_path, always_open=True)
    config = load_config(site)
    QueueStore.in_dir(config.hub.data_dir, config=config).close()
    corrupt(config.hub.data_dir / "hub.sqlite3")
    result = subprocess.run([sys.executable, "-m", "display", "--config", str(site), "--no-screen"],
                            capture_output=True, text=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=PYPATH),
                            timeout=60)
    assert result.returncode == 4 and "Traceback" not in result.stderr
    assert "--repair-db" in result.stderr and "hub.sqlite3" in result.stderr
    repaired = subprocess.run([sys.executable, "-m", "display", "--config", str(site), "--repair-db"],
                              capture_output=True, text=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=PYPATH),
                              timeout=60)
    assert repaired.returncode == 0 and "moved aside" in repaired.stdout
    QueueStore.in_dir(config.hub.data_dir, config=config).close()  # a new, empty queue opens


def test_a_ticket_from_another_day_is_filed_today_and_flagged(tmp_path: Path) -> None:
    import uuid

    import requests

    from config import load_config
    from display.server import HubServer

    with HubServer(load_config(write_site(tmp_path)), port=0, clock=FrozenClock(OPEN)) as hub:
        body = {"id": str(uuid.uuid4()), "code": "A005", "service": "uffici", "number": 5,
                "issued_at": rome(2026, 11, 30, 10, 0).isoformat(), "totem": "totem-1"}  # a totem clock a day behind
        auth = {"Authorization": "Bearer demo-token-change-me-0123456789"}
        assert requests.post(hub.url + "/api/tickets", json=body, headers=auth, timeout=5).status_code == 201
        state = requests.get(hub.url + "/api/state", timeout=5).json()
        assert [(t["code"], t["flags"]) for t in state["flagged"]] == [("A005", ["other_day"])]
        called = requests.post(hub.url + "/api/desks/1/next", headers=auth, timeout=5)
        assert called.status_code == 200 and called.json()["ticket"]["code"] == "A005"  # callable, not lost
