"""The demo as a new user runs it (issue 25): `./scripts/run` prints one line per page, each
with its PIN, and says where the tickets land: a folder a day, where a ticket then is."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from conftest import PYPATH, ROOT, write_site

from config import load_config


def test_demo_prints_each_page_once_with_its_pin_and_where_tickets_land(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]
    site = write_site(tmp_path, always_open=True, extra={'listen = "127.0.0.1:8080"': f'listen = "127.0.0.1:{port}"'})
    config = load_config(site)
    env = dict(os.environ, PYTHONPATH=PYPATH, TOTEM_CONFIG=str(site), STATE_DIRECTORY=str(tmp_path / "state"),
               SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    proc = subprocess.Popen([str(ROOT / "scripts" / "run")], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in proc.stdout or ()],
                     daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while not any(line.startswith("hub listening on") for line in seen):
            assert time.monotonic() < deadline and proc.poll() is None, seen
            with contextlib.suppress(queue.Empty):
                seen.append(lines.get(timeout=0.5))
        url = f"http://127.0.0.1:{port}"
        pages = [re.sub(r"/pair#[0-9A-Z-]+$", "/pair#CODE", line) for line in seen
                 if line.startswith(("desk console", "reception point", "reports"))]
        assert pages == [f"desk console {url}/desk/{d.id} ({d.name}, PIN {d.pin}): pair this browser first: "
                         f"{url}/pair#CODE" for d in config.desks] + [
            f"reception point {url}/reception (PIN {config.reception.pin}): "  # type: ignore[union-attr]
            f"pair first: {url}/pair#CODE",
            f"reports {url}/reports (manager PIN {config.hub.manager_pin}): pair first: {url}/pair#CODE"], seen
        [where] = [line for line in seen if line.startswith("tickets are printed to")]
        folder = Path(re.match(r"tickets are printed to (\S+)/YYYY-MM-DD/", where).group(1))  # type: ignore[union-attr]
        assert folder == config.printer.folder
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "var/tickets/YYYY-MM-DD/" in readme
