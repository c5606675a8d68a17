"""Clean stops: `totem` and `totem-display` end within 3 s of SIGTERM in the states that used
to hold them (systemd's stop timeout would otherwise SIGKILL them): a call being announced
with a listener attached, and a hub that accepts the push but never answers."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC
from pathlib import Path

import requests
from conftest import PYPATH, ROOT, rome, write_site

AUTH = {"Authorization": "Bearer demo-token-change-me-0123456789"}
# The units stop with TimeoutStopSec=15, then systemd kills: a clean stop must come before that. The
# limit is a safety net, not a measurement (on a quiet machine it takes well under a second).
STOP_LIMIT_S = 12.0


def env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=PYPATH, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")


def stop(proc: subprocess.Popen[str]) -> None:
    """SIGTERM, then a clean exit within STOP_LIMIT_S (a safety net: systemd's stop timeout is longer)."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_LIMIT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"did not stop within {STOP_LIMIT_S} s of SIGTERM") from None
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""


def test_display_stops_cleanly_while_announcing_with_listeners(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]
    site = write_site(tmp_path, always_open=True, extra={'listen = "127.0.0.1:8080"': f'listen = "127.0.0.1:{port}"'})
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "display", "--config", str(site)], env=env(), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=0.5).ok:
                break
        except requests.RequestException:
            time.sleep(0.05)

    def listen() -> None:
        try:
            with requests.get(url + "/api/events", stream=True, timeout=30) as response:
                for _ in response.iter_lines():
                    pass
        except requests.RequestException:
            pass

    threading.Thread(target=listen, daemon=True).start()
    body = {"id": str(uuid.uuid4()), "code": "A001", "service": "uffici", "number": 1,
            "issued_at": rome(2026, 12, 1, 10, 0).astimezone(UTC).isoformat(), "totem": "totem-1"}
    assert requests.post(url + "/api/tickets", json=body, headers=AUTH, timeout=5).status_code == 201
    assert requests.post(url + "/api/desks/1/next", headers=AUTH, timeout=5).status_code == 200
    time.sleep(0.5)  # the call screen is flashing and the announcer playing
    stop(proc)
    with sqlite3.connect(tmp_path / "hub" / "hub.sqlite3") as db:  # the call was committed
        assert db.execute("SELECT status FROM tickets WHERE code = 'A001'").fetchone() == ("called",)


def test_kiosk_stops_cleanly_while_the_hub_hangs(tmp_path: Path) -> None:
    server = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    held: list[socket.socket] = []

    def hold() -> None:
        with contextlib.suppress(OSError):  # the test closes the listener when it is done
            for _ in range(20):
                held.append(server.accept()[0])

    threading.Thread(target=hold, daemon=True).start()
    port = server.getsockname()[1]
    site = write_site(tmp_path, always_open=True, extra={
        'url = "http://127.0.0.1:8080"': f'url = "http://127.0.0.1:{port}"',
        "push_timeout_s = 3": "push_timeout_s = 60",  # waiting out the push would blow the stop limit
        "min_interval_s = 2": "min_interval_s = 0"})
    proc = subprocess.Popen([sys.executable, "-m", "totem", "--config", str(site), "run", "--always-open"], env=env(),
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while not held and time.monotonic() < deadline:  # the pusher is waiting on the hub
        time.sleep(0.05)
    assert held
    try:
        stop(proc)
    finally:
        server.close()
    assert not (tmp_path / "data" / "totem.sqlite3-wal").exists()  # database closed cleanly


STOP_WHILE_STARTING = """
import os, signal, sys
import display.server, totem.kiosk

def stopping_first(original):
    def wrapped(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)  # systemd stops us while we are still starting (no window yet)
        return original(*args, **kwargs)
    return wrapped

totem.kiosk.open_store = stopping_first(totem.kiosk.open_store)
display.server.HubServer.__enter__ = stopping_first(display.server.HubServer.__enter__)
from {module} import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_stop_while_starting_is_a_clean_stop(tmp_path: Path) -> None:
    """A SIGTERM before the window exists used to kill the process (exit -15; SDL's own
    handler only comes with the window): it must end it cleanly, what was opened closed."""
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]
    site = write_site(tmp_path, always_open=True, extra={'listen = "127.0.0.1:8080"': f'listen = "127.0.0.1:{port}"'})
    for module, args in (("totem.cli", ["--config", str(site), "run", "--always-open"]),
                         ("display.cli", ["--config", str(site)])):
        proc = subprocess.run([sys.executable, "-c", STOP_WHILE_STARTING.replace("{module}", module), *args],
                              env=env(), cwd=ROOT, capture_output=True, text=True, timeout=30)
        assert proc.returncode == 0, (module, proc.returncode, proc.stderr[-800:])
