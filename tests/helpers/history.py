"""A seeded history for the report tests and benchmark: months of a real hub database.

Rows are written as the hub writes them (tickets + calls, UTC timestamps), and every
ticket's truth (day, service, desk, outcome, wait and service minutes, local hour) is
returned, so tests compute the expected figures on their own, not with display.reports.

What the history holds: open days only (Sundays, holidays and closed dates get nothing),
arrivals inside the opening hours, several totems, served / no-show / void / never called /
called-but-unfinished tickets, recalls, and transfers (the first call at one service, the
service at another).
"""

from __future__ import annotations

import random
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from config.model import Config
from display.queue import QueueStore
from totem.hours import Schedule


@dataclass(frozen=True)
class Truth:
    code: str
    day: date
    service: str  # final
    original: str
    desk: str | None
    status: str
    issued_at: datetime  # local
    wait_min: float | None  # issue -> first call
    service_min: float | None  # last call -> done (served only)
    totem: str


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def add_ticket(db: sqlite3.Connection, *, code: str, service: str, original: str, day: date, issued: datetime,
               totem: str, status: str, desk: str | None, calls: list[tuple[datetime, str]],
               finished: datetime | None, recalls: int = 0, rng: random.Random) -> None:
    ticket_id = str(uuid.UUID(int=rng.getrandbits(128)))
    last_call = calls[-1][0] if calls and status != "waiting" else None
    db.execute("INSERT INTO tickets (id, code, service_id, original_service, number, service_day, issued_at, totem, "
               "priority, status, desk_id, called_at, finished_at, recalls, received_at, first_called_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)",
               (ticket_id, code, service, original, int(code[1:]), day.isoformat(), _ts(issued), totem, status, desk,
                _ts(last_call) if last_call else None, _ts(finished) if finished else None, recalls, _ts(issued),
                _ts(calls[0][0]) if calls else None))
    for called_at, at_desk in calls:
        db.execute("INSERT INTO calls (ticket_id, code, desk_id, called_at, service_day) VALUES (?, ?, ?, ?, ?)",
                   (ticket_id, code, at_desk, _ts(called_at), day.isoformat()))


def generate(config: Config, data_dir: Path, *, first: date, last: date, seed: int = 2026,
             per_day: tuple[int, int] = (15, 45)) -> list[Truth]:
    """Write tickets for every open day first..last into the hub database in data_dir."""
    rng = random.Random(seed)
    schedule = Schedule(config.hours, config.site.timezone)
    tz = schedule.tz
    services = [s.id for s in config.services]
    desks = [d.id for d in config.desks]
    totems = [b.id for b in config.totems] or [config.totem.id]
    truth: list[Truth] = []
    QueueStore.in_dir(data_dir, config=config).close()  # the schema, as the hub makes it
    db = sqlite3.connect(Path(data_dir) / QueueStore.FILENAME, isolation_level=None)
    db.execute("BEGIN")
    day = first
    while day <= last:
        ranges = schedule.ranges_on(day)
        numbers: dict[str, int] = {}
        for _ in range(rng.randint(*per_day) if ranges else 0):
            rng_range = rng.choice(ranges)
            start = datetime.combine(day, rng_range.start, tzinfo=tz)
            span = (datetime.combine(day, rng_range.end, tzinfo=tz) - start).total_seconds() - 600
            issued = start + timedelta(seconds=rng.uniform(0, span))
            original = rng.choice(services)
            numbers[original] = numbers.get(original, 0) + 1
            prefix = next(s.prefix for s in config.services if s.id == original)
            code = f"{prefix}{numbers[original]:03d}"
            roll = rng.random()
            status = ("void" if roll < 0.04 else "waiting" if roll < 0.08 else "called" if roll < 0.10
                      else "noshow" if roll < 0.18 else "served")
            service, desk, calls, finished, wait_min, service_min = original, None, [], None, None, None
            recalls = 0
            if status not in ("void", "waiting"):
                desk = rng.choice(desks)
                wait_min = round(rng.expovariate(1 / 14), 3)
                first_call = issued + timedelta(minutes=wait_min)
                calls = [(first_call, desk)]
                if status == "served" and rng.random() < 0.08:  # transferred: served by another service
                    service = rng.choice([s for s in services if s != original])
                    desk = rng.choice(desks)
                    calls.append((first_call + timedelta(minutes=rng.uniform(5, 40)), desk))
                recalls = rng.choice((0, 0, 0, 1, 2))
                if status in ("served", "noshow"):
                    service_min = round(rng.uniform(2, 30), 3) if status == "served" else None
                    finished = calls[-1][0] + timedelta(minutes=service_min if service_min else 1)
            totem = rng.choice(totems)
            add_ticket(db, code=code, service=service, original=original, day=day, issued=issued,
                       totem=totem, status=status, desk=desk, calls=calls, finished=finished,
                       recalls=recalls, rng=rng)
            truth.append(Truth(code, day, service, original, desk, status, issued, wait_min, service_min, totem))
        day += timedelta(days=1)
    db.execute("COMMIT")
    db.close()
    return truth
