"""Phones following their tickets (issue 14's "follow your turn") against the hub on 127.0.0.1:
- GET /api/follow/{key} from 300 phones, each asking every 3 s as the page does, with 500
  tickets waiting [target p95 < 50 ms];
- what those phones do to ticket intake (p50/p95 with and without them).
Bounded: every loop stops by itself after LOAD_S seconds.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import random
import signal
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from _common import gather, scaled, start_workers, summary
from bench_hub_load import ingest, seed
from bench_lan import make_site, start_hub

LOAD_S = float(scaled(10, 1))
WAITING = scaled(500, 50)
PHONES = scaled(300, 8)
PACE_S = 3.0  # follow.js asks every 3 s while the page is visible


def phones(url: str, keys: list[str], seconds: float, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    """One thread per phone, each on its own keep-alive connection, asking every PACE_S."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    end = time.monotonic() + seconds
    out: list[float] = []
    lock = threading.Lock()

    def follow(key: str) -> None:
        time.sleep(random.uniform(0, PACE_S))  # phones are not in step
        conn = http.client.HTTPConnection(host, port, timeout=5)
        mine = []
        while time.monotonic() < end:
            started = time.perf_counter()
            conn.request("GET", f"/api/follow/{key}")
            response = conn.getresponse()
            body = json.loads(response.read())
            assert body["status"] == "waiting", body
            mine.append(time.perf_counter() - started)
            time.sleep(PACE_S)
        with lock:
            out.extend(mine)

    threads = [threading.Thread(target=follow, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(out)


def main() -> None:
    from config import load_config
    from config.follow import follow_key

    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        path, url = make_site(Path(tmp), "follow")
        token = load_config(path).hub.token
        hub = start_hub(path, url)
        try:
            ids = seed(url, WAITING, service="uffici", prefix="A")
            keys = [follow_key(token, i) for i in random.sample(ids, PHONES)]
            alone = ingest(ctx, url, 1, 5)
            print(summary("ticket intake, 5 pushers, no phones", [lat for lat, _ in alone]))
            running = start_workers(ctx, phones, [(url, keys[i::4], LOAD_S + 2) for i in range(4)])
            time.sleep(PACE_S)  # every phone has started
            with_phones = ingest(ctx, url, 1, 5)
            reads = gather(*running)
            print(summary(f"ticket intake, 5 pushers, with {PHONES} phones following", [lat for lat, _ in with_phones]))
            print(summary(f"GET /api/follow/{{key}}, {PHONES} phones every {PACE_S:.0f} s, {WAITING} waiting "
                          f"({len(reads) / (LOAD_S + 2):.0f}/s)", reads, target="p95 < 50 ms"))
        finally:
            hub.send_signal(signal.SIGTERM)
            hub.wait(timeout=20)


if __name__ == "__main__":
    main()
