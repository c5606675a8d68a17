"""`totem backup` / `restore` and `totem-display backup` / `restore` (issue 19): SQLite's online
backup of every database this Pi keeps, taken while a real process writes; restore refused
while the service runs; a round trip that keeps every ticket and never repeats a number."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import requests
from conftest import PYPATH, ROOT, write_site

HELPERS = Path(__file__).resolve().parent / "helpers"
AUTH = {"Authorization": "Bearer demo-token-change-me-0123456789"}


def env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=PYPATH, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")


def cli(*args: str, prog: str = "totem") -> subprocess.CompletedProcess[str]:
    module = "totem" if prog == "totem" else "display"
    return subprocess.run([sys.executable, "-m", module, *args], env=env(), cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def codes(db_path: Path) -> list[str]:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return [c for (c,) in db.execute("SELECT code FROM tickets ORDER BY number")]
    finally:
        db.close()


def read_until(proc: subprocess.Popen[str], n: int, timeout_s: float = 30.0) -> list[str]:
    """The first n codes the writer reports (each committed before it is printed)."""
    deadline = time.monotonic() + timeout_s
    out: list[str] = []
    assert proc.stdout is not None
    while len(out) < n:
        assert time.monotonic() < deadline, f"the writer printed {len(out)} codes"
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else "writer ended"
        if line.strip() != "ready":
            out.append(line.strip())
    return out


def test_totem_backup_while_writing_restore_refused_while_running_then_round_trip(tmp_path: Path) -> None:
    site = write_site(tmp_path, always_open=True, extra={"min_interval_s = 2": "min_interval_s = 0"})
    live = tmp_path / "data" / "totem.sqlite3"
    writer = subprocess.Popen([sys.executable, str(HELPERS / "service_writer.py"), str(site)], env=env(), cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        read_until(writer, 20)
        done = cli("backup", str(tmp_path / "bk"), "--config", str(site))  # the writer keeps writing meanwhile
        assert done.returncode == 0, done.stderr
        assert "backup complete" in done.stdout
        after = read_until(writer, 20)  # still writing after the backup: it never blocked the service
        manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
        assert [e["file"] for e in manifest["databases"]] == ["totem.sqlite3"]  # no hub database made
        assert not (tmp_path / "hub" / "hub.sqlite3").exists()
        entry = manifest["databases"][0]
        assert entry["schema_version"] >= 1 and manifest["version"] and manifest["created_at"]
        saved = codes(tmp_path / "bk" / "totem.sqlite3")
        # A consistent snapshot: the first N tickets, every number from 1, none half-written.
        assert len(saved) >= 20 and saved == [f"A{n:03d}" for n in range(1, len(saved) + 1)]

        refused = cli("restore", str(tmp_path / "bk"), "--config", str(site))
        assert refused.returncode == 11, refused.stdout + refused.stderr
        assert "totem service is running" in refused.stderr and "systemctl stop totem" in refused.stderr
        assert "Traceback" not in refused.stderr
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    issued = codes(live)
    assert len(issued) > len(saved) and after[-1] in issued  # the refusal changed nothing

    done = cli("restore", str(tmp_path / "bk"), "--config", str(site))
    assert done.returncode == 0, done.stderr
    assert "restored" in done.stdout and "before-restore" in done.stdout
    assert codes(live) == saved  # the backup's tickets, exactly
    assert list((tmp_path / "data").glob("totem.sqlite3.before-restore-*"))  # the replaced file is kept
    # Rule 1 across the restore: the next ticket continues after the last number given, not the backup's.
    from totem.store import TicketStore

    with TicketStore(live) as store:  # the writer's (frozen) service day
        assert store.next_number("uffici", date(2026, 12, 1)) == len(issued) + 1


def test_restore_refuses_what_is_not_a_backup_or_is_damaged(tmp_path: Path) -> None:
    site = write_site(tmp_path, always_open=True, extra={"min_interval_s = 2": "min_interval_s = 0"})
    assert cli("issue", "uffici", "--config", str(site)).returncode == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    out = cli("restore", str(empty), "--config", str(site))
    assert out.returncode == 11 and "not a backup" in out.stderr
    assert cli("backup", str(tmp_path / "bk"), "--config", str(site)).returncode == 0
    again = cli("backup", str(tmp_path / "bk"), "--config", str(site))
    assert again.returncode == 11 and "already holds a backup" in again.stderr  # never overwritten
    with open(tmp_path / "bk" / "totem.sqlite3", "r+b") as fh:  # one flipped byte
        fh.seek(200)
        byte = fh.read(1)
        fh.seek(200)
        fh.write(bytes([byte[0] ^ 0xFF]))
    before = (tmp_path / "data" / "totem.sqlite3").read_bytes()
    out = cli("restore", str(tmp_path / "bk"), "--config", str(site))
    assert out.returncode == 11 and "damaged" in out.stderr
    assert (tmp_path / "data" / "totem.sqlite3").read_bytes() == before


def test_hub_backup_while_the_hub_takes_tickets_and_restore(tmp_path: Path) -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]
    site = write_site(tmp_path, always_open=True,
                      extra={'listen = "127.0.0.1:8080"': f'listen = "127.0.0.1:{port}"'})
    url = f"http://127.0.0.1:{port}"
    hub = subprocess.Popen([sys.executable, "-m", "display", "--config", str(site), "--no-screen"], env=env(),
                           cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(url + "/healthz", timeout=0.5).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline and hub.poll() is None, "hub did not start"
            time.sleep(0.05)

        def post(n: int) -> None:
            body = {"id": str(uuid.uuid4()), "code": f"A{n:03d}", "service": "uffici", "number": n,
                    "issued_at": datetime.now(UTC).isoformat(), "totem": "totem-1"}
            answer = requests.post(url + "/api/tickets", json=body, headers=AUTH, timeout=10)
            assert answer.status_code == 201, answer.text

        for n in range(1, 11):
            post(n)
        from display.consoles import DeviceRegistry  # a desk PC paired to desk 1, as `pair desk 1` does

        desk_pc, credential = DeviceRegistry(tmp_path / "hub").pair(
            DeviceRegistry(tmp_path / "hub").new_code("desk", "1", label="desk PC"))
        fleet = requests.get(url + "/api/fleet", headers=AUTH, timeout=10).json()["devices"]
        assert fleet[0]["what"] == "hub, no call screen (--no-screen)"  # the running process says what it runs
        backup = subprocess.Popen([sys.executable, "-m", "display", "backup", str(tmp_path / "bk"), "--config",
                                   str(site)], env=env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        n = 11
        while backup.poll() is None and n < 200:  # the hub keeps writing while the backup runs
            post(n)
            n += 1
        _, err = backup.communicate(timeout=60)
        assert backup.returncode == 0, err
        post(n)  # and after it
        files = {e["file"] for e in json.loads((tmp_path / "bk" / "manifest.json").read_text())["databases"]}
        assert files == {"hub.sqlite3", "reception.sqlite3"}  # queue, appointments, digests; the reception's tickets
        manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
        assert {e["file"] for e in manifest["files"]} == {"consoles.json"}  # the paired consoles
        assert (tmp_path / "bk").stat().st_mode & 0o077 == 0  # credential hashes: the backup is not world-readable
        assert (tmp_path / "bk" / "consoles.json").stat().st_mode & 0o777 == 0o600
        saved = set(codes(tmp_path / "bk" / "hub.sqlite3"))
        assert {f"A{i:03d}" for i in range(1, 11)} <= saved
        refused = cli("restore", str(tmp_path / "bk"), "--config", str(site), prog="totem-display")
        assert refused.returncode == 11 and "hub service is running" in refused.stderr
        assert "systemctl stop totem-hub" in refused.stderr
    finally:
        hub.send_signal(signal.SIGTERM)
        hub.wait(timeout=20)
    with sqlite3.connect(tmp_path / "hub" / "hub.sqlite3") as db:
        (old_hub_id,) = db.execute("SELECT value FROM meta WHERE key = 'hub_id'").fetchone()
    done = cli("restore", str(tmp_path / "bk"), "--config", str(site), prog="totem-display")
    assert done.returncode == 0, done.stderr
    assert "kept this Pi's" in done.stdout  # a live registry is newer: a device unpaired since stays unpaired
    assert set(codes(tmp_path / "hub" / "hub.sqlite3")) == saved
    with sqlite3.connect(tmp_path / "hub" / "hub.sqlite3") as db:  # the totems will send today's tickets again
        (new_hub_id,) = db.execute("SELECT value FROM meta WHERE key = 'hub_id'").fetchone()
    assert new_hub_id != old_hub_id
    # The paired consoles come back with the queue: no browser needs pairing again after a restore.
    (tmp_path / "hub" / "consoles.json").unlink()
    again = cli("restore", str(tmp_path / "bk"), "--config", str(site), prog="totem-display")
    assert again.returncode == 0, again.stderr
    assert "consoles.json" in again.stdout
    restored = DeviceRegistry(tmp_path / "hub")
    assert restored.device(credential, "desk", "1") == desk_pc
    assert (tmp_path / "hub" / "consoles.json").stat().st_mode & 0o777 == 0o600
