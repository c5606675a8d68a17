"""Issue 24, finding 4: 300,000 unauthenticated unlock posts, each for a desk id the site
file does not have, from 127.0.0.1 on keep-alive connections. Prints the hub's RSS before
and after (target: within 5 MB of where it started) and the rate. Bounded: N posts.

    .venv/bin/python tests/bench/bench_lockout_flood.py [N]
"""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from _common import gather, rss_mb, scaled, start_workers
from bench_lan import make_site, start_hub

WORKERS = 4


def post_unknown(url: str, first: int, n: int, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    host, port = urlsplit(url).hostname, urlsplit(url).port
    conn = http.client.HTTPConnection(host, port, timeout=10)
    body = json.dumps({"pin": "1234"})
    headers = {"Content-Type": "application/json", "Origin": url}
    statuses: dict[int, int] = {}
    for i in range(first, first + n):
        try:
            conn.request("POST", f"/desk/x{i}/unlock", body, headers)
            response = conn.getresponse()
            response.read()
            statuses[response.status] = statuses.get(response.status, 0) + 1
        except (OSError, http.client.HTTPException):
            statuses[0] = statuses.get(0, 0) + 1
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.close()
    queue.put([statuses])


def flood(url: str, total: int, offset: int) -> dict[int, int]:
    share = total // WORKERS
    procs, queue = start_workers(mp.get_context("fork"), post_unknown,
                                 [(url, offset + w * share, share) for w in range(WORKERS)])
    merged: dict[int, int] = {}
    for statuses in gather(procs, queue):
        for status, n in statuses.items():
            merged[status] = merged.get(status, 0) + n
    return merged


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else scaled(300_000, 2_000)
    with tempfile.TemporaryDirectory() as tmp:
        path, url = make_site(Path(tmp), "flood")
        hub = start_hub(path, url)
        try:
            flood(url, scaled(4_000, 400), 10_000_000)  # warm up: connections, routes, a full book of records
            time.sleep(1)
            before = rss_mb(hub.pid)
            started = time.monotonic()
            statuses = flood(url, total, 0)
            took = time.monotonic() - started
            after = rss_mb(hub.pid)
            rest_s = scaled(5, 0)
            time.sleep(rest_s)
            idle = rss_mb(hub.pid)
            print(f"lockout flood: {sum(statuses.values())} unlock posts for unknown desk ids in {took:.1f} s "
                  f"({sum(statuses.values()) / took:.0f}/s), statuses {statuses}")
            print(f"hub RSS: before {before:.1f} MB, after {after:.1f} MB (+{after - before:.1f} MB), "
                  f"{rest_s} s later {idle:.1f} MB (+{idle - before:.1f} MB)  [target: within 5 MB]")
        finally:
            hub.terminate()
            hub.wait(timeout=10)


if __name__ == "__main__":
    main()
