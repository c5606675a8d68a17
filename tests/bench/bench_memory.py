"""Resident memory of the real processes, and where it goes (/proc/PID/smaps, grouped by library).

- the hub (`python -m display --no-screen`) idle, then under ingestion (pushers posting tickets);
- the kiosk (`python -m totem`) with SDL's dummy driver, and under Xvfb (the X11 driver), after
  its first frame and a few taps' worth of idling.

Targets (issue 21): hub <= 50 MB idle and <= 64 MB under ingestion; kiosk <= 60 MB (dummy)
and <= 120 MB (X).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

from _common import ROOT, rss_mb, scaled, site

SETTLE_S = scaled(6, 3)
LOAD_S = scaled(10, 2)
PUSHERS = 4
AUTH = {"Authorization": "Bearer demo-token-change-me-0123456789"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def by_library(pid: int, top: int = 6) -> str:
    """The largest resident parts of a process: libraries by file name, [anon] and [heap]."""
    sizes: dict[str, int] = {}
    name = "?"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and not head[0].endswith(":"):
            path = head[5] if len(head) > 5 else "[anon]"
            name = path.split("site-packages/")[1].split("/")[0] if "site-packages/" in path else path.split("/")[-1]
        elif head and head[0] == "Rss:":
            sizes[name] = sizes.get(name, 0) + int(head[1])
    return ", ".join(f"{n} {kb / 1024:.1f}" for n, kb in sorted(sizes.items(), key=lambda kv: -kv[1])[:top])


def start(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_up(url: str) -> None:
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit("the hub did not start")


def ingest(url: str, stop_at: float, counts: list[int]) -> None:
    import requests

    with requests.Session() as session:
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            body = {"id": str(uuid.uuid4()), "code": f"A{n % 999 + 1:03d}", "service": "uffici", "number": n,
                    "issued_at": datetime.now().astimezone().isoformat(), "totem": "totem-9"}
            session.post(f"{url}/api/tickets", json=body, headers=AUTH, timeout=10)
        counts.append(n)


def hub(tmp: Path) -> None:
    port = free_port()
    path = site(tmp / "hub", always_open=True, extra={'listen = "127.0.0.1:8080"': f'listen = "127.0.0.1:{port}"'})
    env = {**os.environ, "TOTEM_CONFIG": str(path)}
    proc = start([sys.executable, "-m", "display", "--no-screen", "--config", str(path)], env)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_up(url)
        time.sleep(SETTLE_S)
        print(f"hub idle: RSS {rss_mb(proc.pid):.1f} MB  [target <= 50 MB]   MB by part: {by_library(proc.pid)}")
        counts: list[int] = []
        stop_at = time.monotonic() + LOAD_S
        threads = [threading.Thread(target=ingest, args=(url, stop_at, counts)) for _ in range(PUSHERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"hub after ingesting {sum(counts)} tickets from {PUSHERS} pushers in {LOAD_S} s: "
              f"RSS {rss_mb(proc.pid):.1f} MB, peak {rss_mb(proc.pid, 'VmHWM'):.1f} MB  [target <= 64 MB]   "
              f"MB by part: {by_library(proc.pid)}")
    finally:
        stop(proc)


def kiosk(tmp: Path, driver: str) -> None:
    path = site(tmp / f"kiosk-{driver}", always_open=True)
    env = {**os.environ, "TOTEM_CONFIG": str(path), "SDL_VIDEODRIVER": driver, "SDL_AUDIODRIVER": "dummy"}
    argv = [sys.executable, "-m", "totem", "--config", str(path)]
    if driver == "x11":
        if shutil.which("xvfb-run") is None:
            print("kiosk under Xvfb: skipped (no xvfb-run)")
            return
        argv = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", "--", *argv]
    proc = start(argv, env)
    try:
        time.sleep(SETTLE_S + (2 if driver == "x11" else 0))
        pid = proc.pid
        if driver == "x11":  # the kiosk is xvfb-run's grandchild: find it by its command line
            out = subprocess.run(["pgrep", "-n", "-f", f"totem --config {path}"], capture_output=True, text=True)
            pid = int(out.stdout.split()[0])
        target = "60" if driver == "dummy" else "120"
        print(f"kiosk ({driver}): RSS {rss_mb(pid):.1f} MB, peak {rss_mb(pid, 'VmHWM'):.1f} MB  [target <= {target} MB]"
              f"   MB by part: {by_library(pid)}")
        if driver == "x11":
            os.kill(pid, signal.SIGTERM)
    finally:
        stop(proc)


def main() -> None:
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        hub(Path(tmp))
        kiosk(Path(tmp), "dummy")
        kiosk(Path(tmp), "x11")


if __name__ == "__main__":
    main()
