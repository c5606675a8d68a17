"""The hub under load on 127.0.0.1 (issue 10's targets):
- ingestion with 10,000 tickets already waiting and 50 event-stream listeners attached
  [target >= 1,000 tickets/s];
- GET /api/state from 100 concurrent readers [target p99 < 20 ms], and what those readers
  do to ticket intake (p50 with and without them).
Bounded: every loop stops by itself after LOAD_S seconds.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import signal
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from _common import gather, scaled, start_workers, summary
from bench_lan import AUTH, load_worker, make_site, start_hub

LOAD_S = float(scaled(10, 1))
WAITING = scaled(10_000, 200)
LISTENERS = scaled(50, 4)
READERS = scaled(100, 4)


def seed(url: str, n: int, *, service: str = "procedure", prefix: str = "B") -> list[str]:
    """n waiting tickets through the batch endpoint; their ids."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    conn = http.client.HTTPConnection(host, port, timeout=30)
    ids = [str(uuid.uuid4()) for _ in range(n)]
    for start in range(0, n, 200):
        events = [{"kind": "issued", "ticket": {
            "id": ids[i], "code": f"{prefix}{i + 1:05d}", "service": service, "number": i + 1,
            "issued_at": datetime.now(UTC).isoformat(), "totem": "seed"}} for i in range(start, min(n, start + 200))]
        conn.request("POST", "/api/events/batch", json.dumps({"events": events}),
                     {**AUTH, "Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status
    return ids


def listeners(url: str, n: int, seconds: float, ready: mp.Event, counts: mp.Queue) -> None:  # type: ignore[type-arg]
    host, port = urlsplit(url).hostname, urlsplit(url).port
    end = time.monotonic() + seconds
    got = [0] * n

    def listen(i: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=5)
        conn.request("GET", "/api/events")
        response = conn.getresponse()
        while time.monotonic() < end:
            try:
                line = response.fp.readline()
            except OSError:
                break
            if not line:
                break
            if line.startswith(b"event:"):
                got[i] += 1
        conn.close()

    threads = [threading.Thread(target=listen, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    ready.set()
    for t in threads:
        t.join(timeout=seconds + 10)
    counts.put(sum(got))


def readers(url: str, n: int, seconds: float, pace_s: float, path: str,
            queue: mp.Queue) -> None:  # type: ignore[type-arg]
    """n keep-alive readers; each waits pace_s between reads (0: as fast as the hub answers)."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    end = time.monotonic() + seconds
    out: list[float] = []
    lock = threading.Lock()

    def read() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=5)
        mine = []
        while time.monotonic() < end:
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if pace_s:
                time.sleep(pace_s)
        with lock:
            out.extend(mine)

    threads = [threading.Thread(target=read) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(out)


def ingest(ctx: mp.context.SpawnContext, url: str, processes: int, threads: int) -> list[tuple[float, bool]]:
    return gather(*start_workers(ctx, load_worker, [(url, threads, LOAD_S, 1000 + i * 100) for i in range(processes)]))


def start_readers(ctx: mp.context.SpawnContext, url: str, pace_s: float, path: str = "/api/state") -> tuple:
    """READERS keep-alive readers in 4 processes (see `readers`)."""
    return start_workers(ctx, readers, [(url, READERS // 4, LOAD_S, pace_s, path)] * 4)


def main() -> None:
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        path, url = make_site(Path(tmp), "hubload")
        hub = start_hub(path, url)
        try:
            started = time.perf_counter()
            seed(url, WAITING)
            print(f"seeded {WAITING} waiting tickets in {time.perf_counter() - started:.1f} s (batch endpoint)")
            ready, counts = ctx.Event(), ctx.Queue()
            lp = ctx.Process(target=listeners, args=(url, LISTENERS, LOAD_S + 2, ready, counts))
            lp.start()
            ready.wait(10)
            time.sleep(1)
            results = ingest(ctx, url, 4, 5)
            errors = sum(1 for _, ok in results if not ok)
            lp.join()
            print(f"ingestion with {WAITING} waiting and {LISTENERS} listeners: {len(results) / LOAD_S:.0f} tickets/s, "
                  f"errors {errors}, {counts.get()} events read by the listeners  [target >= 1000/s]")
            print(summary("  ingestion latency", [lat for lat, _ in results]))
            alone = ingest(ctx, url, 1, 5)
            print(summary("ticket intake, 5 pushers, no readers", [lat for lat, _ in alone]))
            reads = gather(*start_readers(ctx, url, 0.5))
            print(summary(f"GET /api/state, {READERS} readers each reading twice a second, {WAITING} waiting",
                          reads, target="p99 < 20 ms"))
            for pace_s, label in ((0.5, "each reading twice a second"), (0.0, "each as fast as answered")):
                running = start_readers(ctx, url, pace_s)
                with_readers = ingest(ctx, url, 1, 5)
                reads = gather(*running)
                print(summary(f"ticket intake, 5 pushers, with {READERS} state readers {label}",
                              [lat for lat, _ in with_readers]))
                print(summary(f"  GET /api/state meanwhile ({len(reads) / LOAD_S:.0f}/s)", reads))
            reads = gather(*start_readers(ctx, url, 0.0, "/healthz"))
            print(summary(f"for scale: GET /healthz, {READERS} readers as fast as answered "
                          f"({len(reads) / LOAD_S:.0f}/s)", reads))
        finally:
            hub.send_signal(signal.SIGTERM)
            hub.wait(timeout=20)


if __name__ == "__main__":
    main()
