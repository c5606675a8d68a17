"""A stand-in for the kiosk service that writes without a screen: it holds the service's
lock (as `totem run` does) and issues up to 700 tickets (then idles) until killed, printing each code once committed.

python service_writer.py CONFIG [SERVICE]
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from config import load_config
from totem.clock import FrozenClock
from totem.issuing import Issuer
from totem.servicelock import hold_for_service
from totem.store import TicketStore

LIMIT = 700  # within the shipped block of totem-1 (1-799)
PACE_S = 0.005


def main() -> None:
    config = load_config(sys.argv[1])
    service = sys.argv[2] if len(sys.argv) > 2 else "uffici"
    clock = FrozenClock(datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Rome")))
    with hold_for_service(config.totem.data_dir, "totem"), TicketStore.in_dir(config.totem.data_dir) as store:
        issuer = Issuer(config=config, store=store, clock=clock)
        print("ready", flush=True)
        for _ in range(LIMIT):
            clock.advance(seconds=1)
            sys.stdout.write(f"{issuer.issue(service).code}\n")
            sys.stdout.flush()
            time.sleep(PACE_S)  # a busy desk's pace, not a condition waited for
        sys.stdin.read()  # idle, still holding the lock, until killed


if __name__ == "__main__":
    main()
