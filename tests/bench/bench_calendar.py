"""The online booking's import (issue 23.3): how long one poll takes, and that the hub keeps answering.

A calendar of N bookings (a busy office's next months) served by a real Radicale (CalDAV REPORT)
and by a local HTTP server (.ics); the hub imports it. Measured: the first poll (every booking
new), a steady poll (nothing changed), and `/api/state` answered while polls run back to back.
Target: a steady poll of 1,000 CalDAV bookings well under the 60 s poll interval (under 5 s), and
`/api/state` p95 under 50 ms meanwhile (the poll runs on its own thread).
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import _common
import requests

sys.path.insert(0, str(_common.ROOT / "tests" / "helpers"))

from test_calendar_import import (
    PASSWORD,
    USER,
    calendar_site,
    code,
    credentials_file,
    event,
    feed,
    ics_server,
    poll_now,
    radicale_server,
)

from config import load_config
from display.server import HubServer
from totem.clock import FrozenClock

START = 1_796_115_600  # 2026-12-01 09:00 UTC


def _events(n: int) -> list[str]:
    out = []
    for i in range(n):
        at = time.gmtime(START + (i % 40) * 900 + (i // 40) * 86400)
        out.append(event(f"bench-{i}", start_utc=time.strftime("%Y%m%dT%H%M%SZ", at), number=code(f"{i + 1:010d}")))
    return out


def _measure(hub: HubServer, label: str, fill: Callable[[], None]) -> None:
    assert poll_now(hub)["last_error"] is None  # the empty calendar, read
    fill()
    started = time.perf_counter()
    first = poll_now(hub)
    first_s = time.perf_counter() - started
    assert first["last_error"] is None and first["merged"]["created"] > 0, first
    samples: list[float] = []
    stop = threading.Event()

    def polls() -> None:
        while not stop.is_set():
            poll_now(hub)

    worker = threading.Thread(target=polls, daemon=True)
    steady = []
    for _ in range(_common.scaled(3, 1)):
        t0 = time.perf_counter()
        last = poll_now(hub)
        steady.append(time.perf_counter() - t0)
    print(f"{label}: first poll {first['timing_s']}, steady poll {last['timing_s']} (seconds)")
    worker.start()
    for _ in range(_common.scaled(200, 20)):
        t0 = time.perf_counter()
        assert requests.get(hub.url + "/api/state", timeout=10).status_code == 200
        samples.append(time.perf_counter() - t0)
    stop.set()
    worker.join(timeout=120)
    print(f"{label}: first poll {first_s:.2f} s ({first['merged']['created']} new), "
          + _common.summary("steady poll", steady, unit="s", target="< 5 s"))
    print(_common.summary(f"{label}: /api/state during polls", samples, target="p95 < 50 ms"))


def main() -> None:
    clock = FrozenClock(datetime(2026, 12, 1, 8, 0, tzinfo=ZoneInfo("Europe/Rome")))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        n_dav = _common.scaled(1000, 20)
        with radicale_server(root / "radicale") as dav:
            http = requests.Session()
            http.auth = (USER, PASSWORD)
            collection = f"{dav}/{USER}/bench/"
            assert http.request("MKCALENDAR", collection, timeout=10).status_code == 201

            def put_all() -> None:
                for i, body in enumerate(_events(n_dav)):
                    http.put(f"{collection}{i}.ics", data=body.encode(), timeout=10,
                             headers={"Content-Type": "text/calendar"})

            site = calendar_site(root / "dav-hub", url=collection, kind="caldav", credentials=credentials_file(root))
            with HubServer(load_config(site), port=0, clock=clock) as hub:
                _measure(hub, f"CalDAV, {n_dav} bookings", put_all)
        n_ics = _common.scaled(5000, 50)
        with ics_server() as (url, served):
            served.body = feed()

            def serve_all() -> None:
                served.body = feed(*_events(n_ics))

            site = calendar_site(root / "ics-hub", url=url, kind="ics")
            with HubServer(load_config(site), port=0, clock=clock) as hub:
                _measure(hub, f".ics, {n_ics} bookings", serve_all)

if __name__ == "__main__":
    main()
