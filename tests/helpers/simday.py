"""A simulated day at the desk, for the wait-range benchmark and its test.

Seeded arrivals (Poisson) over given opening ranges, service times drawn from a
lognormal around each service's configured average, desks calling with the product's
own `CallOrder` and estimating with the product's own `wait_range` and `ServiceTimes`.
Returns, per ticket, the printed range and the real wait.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass

from totem.callorder import CallOrder, DeskView, Waiting
from totem.estimate import ServiceTimes, wait_range

# The shipped Capannori services: (id, configured average minutes, priority, share of arrivals)
CAPANNORI = [("uffici", 15, False, 0.2), ("procedure", 15, False, 0.18), ("rimborsi", 20, False, 0.1),
             ("bollette", 15, False, 0.14), ("sanita", 12, False, 0.12), ("regione", 12, False, 0.1),
             ("lavoro", 15, False, 0.08), ("appuntamento", 20, True, 0.08)]


@dataclass
class Outcome:
    code: str
    ahead_certain: int
    ahead_possible: int
    called_before: int  # tickets waiting at issue and called before it (by a desk that could call it)
    low: int
    high: int
    waited_min: float

    @property
    def inside(self) -> bool:
        return self.low <= self.waited_min <= self.high + 0.5  # the minute shown is rounded


def simulate(*, seed: int, desks: list[tuple[str, list[str]]], arrivals_per_h: float,
             ranges_h: list[tuple[float, float]], cv: float = 0.5) -> list[Outcome]:
    rng = random.Random(seed)
    views = [DeskView(d, frozenset(s)) for d, s in desks]
    order = CallOrder(views)
    times = ServiceTimes({s: float(m) for s, m, _, _ in CAPANNORI})
    weights = [w for *_, w in CAPANNORI]
    events: list[tuple[float, int, str, object]] = []
    seq = 0
    for start, end in ranges_h:
        t = start * 60
        while True:
            t += rng.expovariate(arrivals_per_h / 60.0)
            if t >= end * 60:
                break
            service = rng.choices(CAPANNORI, weights)[0]
            heapq.heappush(events, (t, seq, "arrive", service))
            seq += 1
    busy: dict[str, tuple[Waiting, float] | None] = {d.id: None for d in views}
    issued: dict[str, tuple[float, set[str], int, int, int, int]] = {}
    called_at: dict[str, float] = {}
    counters: dict[str, int] = {}
    outcomes: list[Outcome] = []

    def try_call(now: float) -> None:
        nonlocal seq
        for desk in views:
            if busy[desk.id] is not None:
                continue
            ticket = order.next_for(desk)
            if ticket is None:
                continue
            order.remove(ticket.id)
            called_at[ticket.id] = now
            mean = next(m for s, m, _, _ in CAPANNORI if s == ticket.service)
            sigma = math.sqrt(math.log(1 + cv * cv))
            duration = rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)
            busy[desk.id] = (ticket, now)
            heapq.heappush(events, (now + duration, seq, "done", desk.id))
            seq += 1
            t0, before, certain, possible, low, high = issued[ticket.id]
            n = sum(1 for other in before if other in called_at)
            outcomes.append(Outcome(ticket.code, certain, possible, n, low, high, now - t0))

    while events:
        now, _, kind, what = heapq.heappop(events)
        if kind == "arrive":
            service, _, priority, _ = what  # type: ignore[misc]
            counters[service] = counters.get(service, 0) + 1
            ticket = Waiting(f"t{seq:06d}", f"{service[:1].upper()}{counters[service]:03d}", service, priority,
                             f"{now:012.4f}")
            seq += 1
            ahead = order.ahead(ticket)
            assert ahead is not None
            callers = [d for d in views if d.id in ahead.desks]
            before = {w.id for w in list(order._by_id.values())
                      if w.key < ticket.key and any(w.service in d.services for d in callers)}
            low, high = wait_range(ahead.by_service, service, times, desks_open=len(callers),
                                   desks_busy=sum(1 for d in callers if busy[d.id] is not None))
            issued[ticket.id] = (now, before, ahead.certain, ahead.possible, low, high)
            order.add(ticket)
        else:
            ticket, started = busy[what]  # type: ignore[index, misc]
            times.observe(ticket.service, now - started)
            busy[what] = None  # type: ignore[index]
        try_call(now)
    return outcomes


# Tuesday at Capannori: 08:45-13:00 and 14:30-16:30 (the last ticket 10 minutes before closing).
TUESDAY = [(8.75, 12.83), (14.5, 16.33)]
ALL = [s for s, *_ in CAPANNORI]
SCENARIOS = {
    "1 desk, all services, 3.6 arrivals/h": ([("1", ALL)], 3.6),
    "3 desks, all services, 10.5 arrivals/h": ([("1", ALL), ("2", ALL), ("3", ALL)], 10.5),
}
