"""Issue N tickets with the real outbox pusher running, then wait until it has delivered all.

python issue_and_push.py CONFIG N DEADLINE_S -> prints "issued N", then "delivered" or "backlog K".
"""

from __future__ import annotations

import sys
import time

from config import load_config
from totem.clock import SystemClock
from totem.issuing import Issuer
from totem.outbox import OutboxPusher
from totem.store import TicketStore


def main() -> None:
    config = load_config(sys.argv[1])
    count, deadline_s = int(sys.argv[2]), float(sys.argv[3])
    services = ["uffici", "sanita", "appuntamento"]
    with TicketStore.in_dir(config.totem.data_dir) as store, OutboxPusher.start(config) as outbox:
        issuer = Issuer(config=config, store=store, clock=SystemClock(), ignore_hours=True)
        for i in range(count):
            issuer.issue(services[i % len(services)])
            outbox.wake()
        print(f"issued {count}", flush=True)
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            if store.backlog(config.hub.url) == 0:
                print("delivered", flush=True)
                return
            time.sleep(0.05)
        print(f"backlog {store.backlog(config.hub.url)}", flush=True)


if __name__ == "__main__":
    main()
