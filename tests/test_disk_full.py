"""A full hub disk never costs a printed ticket (issue 24, point 1).

The hub's data dir is a small tmpfs (root only: mounted in a temp dir, unmounted after).
While a totem's backlog of 300 tickets goes out, the disk fills: the hub refuses new work
cleanly (503, nothing stored), every console is told "disco pieno" (the state and its
stream), the totem keeps every event and retries; when space returns, 300 of 300 reach
the queue and none is set aside.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import HUB_NOW, write_site
from test_outbox_resilience import wait_for

from config import load_config
from display.server import HubServer
from totem.clock import FrozenClock
from totem.issuing import Issuer
from totem.outbox import OutboxPusher
from totem.store import TicketStore

DISK_MB = 24
RESERVE_MB = 8


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs for the hub's data needs root (CI runs as root)")
    mount = tmp_path / "hubdisk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave_bytes: int) -> Path:
    """A filler file that leaves `leave_bytes` free on the disk."""
    st = os.statvfs(disk)
    filler = disk / "filler"
    with filler.open("wb") as f:
        f.write(b"\0" * max(0, st.f_bavail * st.f_frsize - leave_bytes))
    return filler


class StateStream:
    """A console's view: the `disk` of every state event on /api/events."""

    def __init__(self, url: str) -> None:
        self.seen: list[bool] = []
        self.response = requests.get(f"{url}/api/events", stream=True, timeout=(2, 30))
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        event = ""
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "state":
                    self.seen.append(bool(json.loads(line[6:]).get("disk", {}).get("full")))
        except (requests.RequestException, ValueError, AttributeError):
            pass

    def close(self) -> None:
        self.response.close()


def waiting(url: str) -> int:
    return sum(s["waiting"] for s in requests.get(f"{url}/api/state", timeout=5).json()["services"])


def test_a_hub_disk_that_fills_during_a_300_ticket_backlog_loses_nothing(tmp_path: Path, small_disk: Path) -> None:
    on_tmpfs = f'disk_reserve_mb = {RESERVE_MB}\ndata_dir = "{small_disk / "hub"}"'
    hub_config = load_config(write_site(tmp_path / "hub", always_open=True,
                                        extra={f'data_dir = "{tmp_path / "hub" / "hub"}"': on_tmpfs}))
    clock = FrozenClock(HUB_NOW)
    with HubServer(hub_config, port=0, clock=clock) as hub:
        config = load_config(write_site(tmp_path / "totem", always_open=True, extra={
            "min_interval_s = 2": "min_interval_s = 0", 'url = "http://127.0.0.1:8080"': f'url = "{hub.url}"'}))
        stream = StateStream(hub.url)
        try:
            with TicketStore.in_dir(config.totem.data_dir) as store, \
                    OutboxPusher.start(config, clock=clock) as outbox:
                issuer = Issuer(config=config, store=store, clock=clock)
                for _ in range(100):
                    issuer.issue("uffici")
                outbox.wake()
                assert wait_for(lambda: waiting(hub.url) == 100, timeout_s=30)
                filler = fill(small_disk, leave_bytes=RESERVE_MB * 1_000_000 // 2)  # under the reserve
                assert wait_for(lambda: requests.get(f"{hub.url}/api/state", timeout=5).json()["disk"]["full"])
                for _ in range(200):  # the backlog grows while the disk is full
                    issuer.issue("uffici")
                outbox.wake()
                # the totem is told why and keeps trying; nothing is stored, nothing set aside
                assert wait_for(lambda: "disk_full" in outbox.pushers[0].last_error
                                or "disco pieno" in outbox.pushers[0].last_error, timeout_s=15), \
                    (outbox.pushers[0].last_error, outbox.backlog(), waiting(hub.url))
                refused = requests.post(f"{hub.url}/api/desks/1/next", json={},
                                        headers={"Authorization": f"Bearer {hub_config.hub.token}"}, timeout=5)
                assert refused.status_code == 503 and refused.json()["reason"] == "disk_full"
                assert waiting(hub.url) == 100 and store.set_aside_count() == 0 and outbox.backlog() > 0
                filler.unlink()  # space returns: the hub resumes by itself
                assert wait_for(lambda: waiting(hub.url) == 300, timeout_s=30), waiting(hub.url)
                assert wait_for(lambda: outbox.backlog() == 0)
                assert store.set_aside_count() == 0
                assert not requests.get(f"{hub.url}/api/state", timeout=5).json()["disk"]["full"]
            assert wait_for(lambda: True in stream.seen and stream.seen[-1] is False), stream.seen
        finally:
            stream.close()


def test_a_full_totem_disk_says_disco_pieno_and_what_to_free_never_repair_db(tmp_path: Path,
                                                                              small_disk: Path) -> None:
    """Issue 24 point 5: the database is intact, so `totem repair-db` would be the wrong cure."""
    from conftest import PYPATH

    path = write_site(tmp_path, always_open=True, extra={
        "min_interval_s = 2": "min_interval_s = 0",
        f'data_dir = "{tmp_path / "data"}"': f'data_dir = "{small_disk / "totem"}"',
        'folder = "tickets"': f'folder = "{tmp_path / "paper"}"'})  # the paper is not what fills up

    def totem(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([os.sys.executable, "-m", "totem", *args, "--config", str(path)], capture_output=True,
                              text=True, timeout=60, env={**os.environ, "PYTHONPATH": PYPATH})

    assert totem("issue", "uffici").returncode == 0
    filler = fill(small_disk, leave_bytes=0)
    try:
        refused = totem("issue", "uffici")
        assert refused.returncode == 7, refused.stderr
        assert "disco pieno" in refused.stderr and "journalctl" in refused.stderr, refused.stderr
        assert "repair-db" not in refused.stderr.replace("do NOT run repair-db", "")
        status = totem("status")
        assert "disk: disco pieno" in status.stdout, status.stdout
    finally:
        filler.unlink()
    again = totem("issue", "uffici")  # space back: tickets issue again (A002, or A001 past midnight)
    assert again.returncode == 0 and again.stdout.strip() in ("A001", "A002"), again.stderr


def test_a_hub_started_on_a_full_disk_says_disco_pieno_never_repair_db(tmp_path: Path, small_disk: Path) -> None:
    import socket

    from conftest import PYPATH

    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]  # never 8080 (rule 8), should the hub get as far as listening
    path = write_site(tmp_path, extra={f'data_dir = "{tmp_path / "hub"}"': f'data_dir = "{small_disk / "hub"}"',
                                       'listen = "127.0.0.1:8080"': f'listen = "127.0.0.1:{port}"'})
    filler = fill(small_disk, leave_bytes=0)
    try:
        done = subprocess.run([os.sys.executable, "-m", "display", "--no-screen", "--config", str(path)],
                              capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": PYPATH})
    finally:
        filler.unlink()
    assert done.returncode == 4 and "disco pieno" in done.stderr, done.stderr
    assert "--repair-db" not in done.stderr, done.stderr


def test_a_totem_whose_disk_is_nearly_full_shows_so_on_the_consoles(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import totem.outbox

    free = {"bytes": 0}
    monkeypatch.setattr(totem.outbox, "free_bytes", lambda path: free["bytes"])
    with HubServer(load_config(write_site(tmp_path / "hub")), port=0, clock=FrozenClock(HUB_NOW)) as hub:
        config = load_config(write_site(tmp_path / "totem", extra={
            'url = "http://127.0.0.1:8080"': f'url = "{hub.url}"'}))

        def totem_disk_full() -> bool | None:
            totems = requests.get(f"{hub.url}/api/state", timeout=5).json()["totems"]
            return totems[0].get("disk_full") if totems else None

        with OutboxPusher.start(config, clock=FrozenClock(HUB_NOW)) as outbox:
            assert wait_for(lambda: totem_disk_full() is True)
            free["bytes"] = 10 ** 9  # the technician freed space
            outbox.wake()
            assert wait_for(lambda: totem_disk_full() is False)
