"""Issue tickets in a loop and print each code once issue() has returned (after commit).

Used by the crash and concurrency tests: python issue_loop.py CONFIG COUNT [SERVICES...]
The clock is frozen inside opening hours; anti-spam is off in the test config.
"""

from __future__ import annotations

import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from config import load_config
from totem.clock import FrozenClock
from totem.issuing import Issuer
from totem.store import TicketStore


def main() -> None:
    config = load_config(sys.argv[1])
    count = int(sys.argv[2])
    services = sys.argv[3:] or ["uffici", "sanita"]
    clock = FrozenClock(datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Rome")))
    with TicketStore.in_dir(config.totem.data_dir) as store:
        issuer = Issuer(config=config, store=store, clock=clock)
        print("ready", flush=True)
        for i in range(count):
            ticket = issuer.issue(services[i % len(services)])
            sys.stdout.write(f"{ticket.code}\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
