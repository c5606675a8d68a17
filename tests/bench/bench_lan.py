"""LAN figures on 127.0.0.1 (bounded loops only):
- issue -> visible in the hub's state (seen on the SSE stream), median and p95 [target p95 < 100 ms]
- hub ingestion with 20 concurrent pushers for 20 s: throughput, p99, errors [>= 300/s, p99 < 50 ms, 0]
- outbox drain time for a backlog of 1,000 events [target < 10 s]
- RSS of the hub process and of the call screen process
"""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import requests
from _common import ROOT, gather, rss_mb, scaled, site, start_workers, summary

AUTH = {"Authorization": "Bearer demo-token-change-me-0123456789"}
PUSHERS = 20
LOAD_PROCESSES = 4
LOAD_S = float(scaled(20, 1))
ISSUES = scaled(100, 10)
DRAIN = scaled(1000, 50)
CATCH_UP_RUNS = scaled(5, 1)


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return s.getsockname()[1]


def make_site(tmp: Path, name: str) -> tuple[Path, str]:
    port = free_port()
    path = site(tmp / name, always_open=True, extra={
        'listen = "127.0.0.1:8080"': f'listen = "127.0.0.1:{port}"',
        'url = "http://127.0.0.1:8080"': f'url = "http://127.0.0.1:{port}"',
        "min_interval_s = 2": "min_interval_s = 0",
        # The load comes from one address here (127.0.0.1); on a LAN each device has its own.
        "heartbeat_s = 30": "heartbeat_s = 30\nmax_connections_per_address = 10000\nmax_streams_per_address = 1000"})
    return path, f"http://127.0.0.1:{port}"


def start_hub(path: Path, url: str, *, screen: bool = False) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "display", "--config", str(path)] + ([] if screen else ["--no-screen"])
    env = dict(os.environ, PYTHONPATH=str(ROOT), SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=0.5).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.05)
    raise SystemExit("hub did not start")


def issue_to_visible(tmp: Path) -> None:
    from config import load_config
    from totem.clock import SystemClock
    from totem.issuing import Issuer
    from totem.outbox import OutboxPusher
    from totem.store import TicketStore

    path, url = make_site(tmp, "latency")
    hub = start_hub(path, url)
    seen: dict[str, float] = {}
    stop = threading.Event()

    def listen() -> None:
        try:
            with requests.get(url + "/api/events", stream=True, timeout=30) as response:
                for line in response.iter_lines(decode_unicode=True):
                    if stop.is_set():
                        return
                    if line.startswith("data:"):
                        data = json.loads(line[5:])
                        for service in data.get("services", []):
                            for q in service["queue"]:
                                seen.setdefault(q["code"], time.perf_counter())
        except requests.RequestException:
            return  # the hub is stopped at the end of the measurement

    threading.Thread(target=listen, daemon=True).start()
    time.sleep(0.5)
    config = load_config(path)
    samples = []
    with TicketStore.in_dir(config.totem.data_dir) as store, OutboxPusher.start(config) as outbox:
        issuer = Issuer(config=config, store=store, clock=SystemClock())
        for i in range(ISSUES):
            started = time.perf_counter()
            ticket = issuer.issue(("uffici", "sanita")[i % 2])
            outbox.wake()
            deadline = started + 5
            while ticket.code not in seen and time.perf_counter() < deadline:
                time.sleep(0.001)
            samples.append(seen.get(ticket.code, deadline) - started)
            if i % 10 == 9:  # keep the listed queues short: the desk serves
                for _ in range(10):
                    requests.post(url + "/api/desks/1/next", headers=AUTH, timeout=5)
    stop.set()
    print(summary("issue -> visible in hub state (SSE)", samples, target="p95 < 100 ms"))
    hub.send_signal(signal.SIGTERM)
    hub.wait(timeout=20)


def load_worker(url: str, threads: int, seconds: float, first: int, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    """One load-generator process: `threads` keep-alive connections posting unique tickets."""
    from urllib.parse import urlsplit

    host, port = urlsplit(url).hostname, urlsplit(url).port
    end = time.monotonic() + seconds
    results: list[tuple[float, bool]] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=5)
        number, mine = 0, []
        headers = {**AUTH, "Content-Type": "application/json"}
        while time.monotonic() < end:
            number += 1
            body = json.dumps({"id": str(uuid.uuid4()), "code": f"A{number:03d}", "service": "uffici",
                               "number": number, "issued_at": datetime.now(UTC).isoformat(), "totem": f"totem-{n}"})
            started = time.perf_counter()
            try:
                conn.request("POST", "/api/tickets", body, headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 201
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=5)
            mine.append((time.perf_counter() - started, ok))
        with lock:
            results.extend(mine)

    workers = [threading.Thread(target=run, args=(first + i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    queue.put(results)


def ingestion(tmp: Path) -> None:
    path, url = make_site(tmp, "load")
    hub = start_hub(path, url)
    ctx = mp.get_context("spawn")
    results = gather(*start_workers(ctx, load_worker, [(url, PUSHERS // LOAD_PROCESSES, LOAD_S, i * 100)
                                                        for i in range(LOAD_PROCESSES)]))
    latencies = [lat for lat, _ in results]
    errors = sum(1 for _, ok in results if not ok)
    print(f"hub ingestion, {PUSHERS} pushers ({LOAD_PROCESSES} processes x {PUSHERS // LOAD_PROCESSES} keep-alive "
          f"connections) for {LOAD_S:.0f} s: {len(latencies) / LOAD_S:.0f} tickets/s, errors {errors}  "
          "[target >= 300/s, 0 errors]")
    print(summary("hub ingestion latency", latencies, target="p99 < 50 ms"))
    print(f"hub RSS after load: {rss_mb(hub.pid):.1f} MB (peak {rss_mb(hub.pid, 'VmHWM'):.1f} MB)")
    hub.send_signal(signal.SIGTERM)
    hub.wait(timeout=20)


def drain(tmp: Path) -> None:
    from config import load_config
    from totem.clock import SystemClock
    from totem.issuing import Issuer
    from totem.outbox import OutboxPusher
    from totem.store import TicketStore

    path, url = make_site(tmp, "drain")
    config = load_config(path)
    with TicketStore.in_dir(config.totem.data_dir) as store:
        issuer = Issuer(config=config, store=store, clock=SystemClock())
        for i in range(DRAIN):
            issuer.issue(("uffici", "sanita", "lavoro")[i % 3])
        assert store.backlog(config.hub.url) == DRAIN
        hub = start_hub(path, url)
        started = time.perf_counter()
        with OutboxPusher.start(config):
            while store.backlog(config.hub.url) and time.perf_counter() - started < 60:
                time.sleep(0.01)
        took = time.perf_counter() - started
        print(f"outbox drain of {DRAIN} events: {took:.2f} s ({DRAIN / took:.0f} events/s)  [target < 2 s for 1000]")
    hub.send_signal(signal.SIGTERM)
    hub.wait(timeout=20)


def catch_up(tmp: Path) -> None:
    """Tickets issued while the hub is down reach it how soon after it answers again?"""
    from config import load_config
    from totem.clock import SystemClock
    from totem.issuing import Issuer
    from totem.outbox import OutboxPusher
    from totem.store import TicketStore

    path, url = make_site(tmp, "catchup")
    config = load_config(path)
    times = []
    with TicketStore.in_dir(config.totem.data_dir) as store, OutboxPusher.start(config) as outbox:
        issuer = Issuer(config=config, store=store, clock=SystemClock())
        for _ in range(CATCH_UP_RUNS):
            for i in range(10):
                issuer.issue(("uffici", "sanita")[i % 2])
                outbox.wake()
            time.sleep(8)  # long enough for the backoff to reach its cap
            hub = start_hub(path, url)  # returns once /healthz answers
            ready = time.perf_counter()
            while store.backlog(config.hub.url) and time.perf_counter() - ready < 60:
                time.sleep(0.01)
            times.append(time.perf_counter() - ready)
            hub.send_signal(signal.SIGTERM)
            hub.wait(timeout=20)
    times.sort()
    print(f"catch-up after the hub returns (10 tickets, {CATCH_UP_RUNS} runs): "
          f"median {statistics.median(times):.2f} s, "
          f"worst {times[-1]:.2f} s  [target < 3 s]")


def screen_rss(tmp: Path) -> None:
    path, url = make_site(tmp, "screen")
    proc = start_hub(path, url, screen=True)
    time.sleep(3)
    print(f"hub + call screen process RSS: {rss_mb(proc.pid):.1f} MB (peak {rss_mb(proc.pid, 'VmHWM'):.1f} MB)")
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        issue_to_visible(Path(tmp))
        ingestion(Path(tmp))
        drain(Path(tmp))
        catch_up(Path(tmp))
        screen_rss(Path(tmp))


if __name__ == "__main__":
    main()
