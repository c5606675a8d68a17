"""Time of one issue (commit included): single issuer, and two concurrent issuer processes.

Target: p95 < 20 ms with one issuer (DESIGN rule: the number is durable before printing).
"""

from __future__ import annotations

import multiprocessing as mp
import tempfile
import time
from pathlib import Path

from _common import scaled, site, summary

N_SINGLE = scaled(500, 20)
N_EACH = scaled(300, 20)


def issue_loop(config_path: str, n: int, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from config import load_config
    from totem.clock import FrozenClock
    from totem.issuing import Issuer
    from totem.store import TicketStore

    config = load_config(config_path)
    clock = FrozenClock(datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Rome")))
    samples = []
    with TicketStore.in_dir(config.totem.data_dir) as store:
        issuer = Issuer(config=config, store=store, clock=clock)
        for i in range(n):
            started = time.perf_counter()
            issuer.issue(("uffici", "sanita", "appuntamento")[i % 3])
            samples.append(time.perf_counter() - started)
    queue.put(samples)


def main() -> None:
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        path = site(Path(tmp) / "single", always_open=True, extra={"min_interval_s = 2": "min_interval_s = 0"})
        queue = ctx.Queue()
        p = ctx.Process(target=issue_loop, args=(str(path), N_SINGLE, queue))
        p.start()
        samples = queue.get()
        p.join()
        print(summary("issue, 1 issuer", samples, target="p95 < 20 ms"))
        path = site(Path(tmp) / "double", always_open=True, extra={"min_interval_s = 2": "min_interval_s = 0"})
        procs = [ctx.Process(target=issue_loop, args=(str(path), N_EACH, queue)) for _ in range(2)]
        for p in procs:
            p.start()
        both = queue.get() + queue.get()
        for p in procs:
            p.join()
        print(summary("issue, 2 concurrent issuers", both))


if __name__ == "__main__":
    main()
