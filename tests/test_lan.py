"""Totem and hub as real processes on 127.0.0.1: issue -> hub -> desk call -> state and SSE;
hub down while tickets are issued; hub SIGKILLed mid-stream."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import PYPATH, ROOT, write_site

HELPER = Path(__file__).resolve().parent / "helpers" / "issue_and_push.py"
AUTH = {"Authorization": "Bearer demo-token-change-me-0123456789"}


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return s.getsockname()[1]


@pytest.fixture
def lan_site(tmp_path: Path) -> tuple[Path, str]:
    port = free_port()
    site = write_site(tmp_path, always_open=True, extra={
        'listen = "127.0.0.1:8080"': f'listen = "127.0.0.1:{port}"',
        'url = "http://127.0.0.1:8080"': f'url = "http://127.0.0.1:{port}"',
        "min_interval_s = 2": "min_interval_s = 0", "push_timeout_s = 3": "push_timeout_s = 1"})
    return site, f"http://127.0.0.1:{port}"


def env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=PYPATH)


class Hub:
    def __init__(self, site: Path, url: str) -> None:
        self.site, self.url = site, url
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> Hub:
        self.proc = subprocess.Popen([sys.executable, "-m", "display", "--config", str(self.site), "--no-screen"],
                                     env=env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=0.5).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.05)
        raise AssertionError("hub did not start: " + (self.proc.stderr.read() if self.proc.stderr else ""))

    def kill(self, sig: int = signal.SIGKILL) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)
        self.proc.communicate(timeout=20)

    def state(self) -> dict:
        return requests.get(self.url + "/api/state", timeout=5).json()


@pytest.fixture
def hub(lan_site: tuple[Path, str]) -> Iterator[Hub]:
    h = Hub(*lan_site)
    yield h
    if h.proc is not None and h.proc.poll() is None:
        h.kill(signal.SIGTERM)


def hub_codes(tmp_path: Path) -> list[str]:
    with sqlite3.connect(tmp_path / "hub" / "hub.sqlite3") as db:
        return [c for (c,) in db.execute("SELECT code FROM tickets WHERE code != '' ORDER BY rowid")]


def totem_codes(tmp_path: Path) -> list[str]:
    with sqlite3.connect(tmp_path / "data" / "totem.sqlite3") as db:
        return [c for (c,) in db.execute("SELECT code FROM tickets ORDER BY rowid")]


def poll(condition, timeout_s: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not reached within {timeout_s} s")


def test_issue_reaches_desk_and_call_reaches_screens(hub: Hub, lan_site: tuple[Path, str]) -> None:
    site, url = lan_site
    hub.start()
    calls: list[dict] = []
    listening = threading.Event()

    def listen() -> None:
        with requests.get(url + "/api/events", stream=True, timeout=20) as response:
            event = ""
            for line in response.iter_lines(decode_unicode=True):
                listening.set()
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "call":
                    calls.append(json.loads(line[5:]))
                    return

    threading.Thread(target=listen, daemon=True).start()
    assert listening.wait(10)
    issued = subprocess.run([sys.executable, "-m", "totem", "issue", "sanita", "--config", str(site)], env=env(),
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert issued.returncode == 0, issued.stderr
    assert issued.stdout.strip() == "E001"
    sanita = next(s for s in hub.state()["services"] if s["id"] == "sanita")
    assert [q["code"] for q in sanita["queue"]] == ["E001"], "totem issue pushes at once"
    called = requests.post(url + "/api/desks/1/next", headers=AUTH, timeout=5)
    assert called.status_code == 200 and called.json()["ticket"]["code"] == "E001"
    state = hub.state()
    assert state["calls"][0]["code"] == "E001" and state["calls"][0]["desk_name"] == "Sportello 1"
    poll(lambda: bool(calls), 10)
    assert calls[0]["code"] == "E001"


@pytest.mark.slow
def test_hub_down_while_50_issued_then_all_arrive_once_in_order(hub: Hub, lan_site: tuple[Path, str],
                                                                   tmp_path: Path) -> None:
    site, _ = lan_site
    helper = subprocess.Popen([sys.executable, str(HELPER), str(site), "50", "90"], env=env(), cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert helper.stdout is not None
    assert helper.stdout.readline().strip() == "issued 50"
    hub.start()
    out, err = helper.communicate(timeout=120)
    assert out.strip() == "delivered", err
    codes = hub_codes(tmp_path)
    assert codes == totem_codes(tmp_path), "every ticket exactly once, in issue order"
    assert len(codes) == 50


@pytest.mark.slow
def test_hub_sigkilled_mid_stream_loses_nothing(hub: Hub, lan_site: tuple[Path, str], tmp_path: Path) -> None:
    site, _ = lan_site
    hub.start()
    # 2,000 tickets: the batched push delivers a few hundred in well under a second, so the kill
    # must come while the totem is still issuing for it to land mid-stream.
    helper = subprocess.Popen([sys.executable, str(HELPER), str(site), "2000", "120"], env=env(), cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    poll(lambda: sum(s["waiting"] for s in hub.state()["services"]) >= 30, 60)
    hub.kill(signal.SIGKILL)
    received_before = len(hub_codes(tmp_path))
    assert 30 <= received_before < 2000, received_before
    hub.start()
    out, err = helper.communicate(timeout=180)
    assert out.strip().splitlines()[-1] == "delivered", err
    codes = hub_codes(tmp_path)
    assert len(codes) == len(set(codes)) == 2000
    assert codes == totem_codes(tmp_path)
