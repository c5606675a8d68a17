"""A sample morning under the site's calling rules, for `totem check-config --explain`. Pure Python: no I/O.

A technician or a desk manager reads the first calls a typical morning would get and checks
that the rules in the site file (`[calling]`, `[[desks]] prefer`, `priority_ratio`) say what the
office means. The same `totem.callorder.CallOrder` the hub keeps decides every call.

Steps of `sample_morning`:
1. the morning: the first opening range of the first weekday the site opens, with the desks
   that work that day (a fixed sample, not today: the same output on every run);
2. the queue: a few citizens already waiting at opening (taken in the quarter hour before),
   then arrivals through the morning, a little faster than the desks serve so a queue builds
   and the rules have something to decide; priority services together take about a third of
   the tickets (none when the site has none), the rest shared evenly; seeded, so reproducible;
3. the desks: each free desk calls in the site file's order, by the call order with the rules;
   a call keeps the desk busy for its service's `avg_service_min`;
4. each call with why it went first: `priority`, `long wait`, `ratio` (the desk's turn for an
   ordinary ticket), `prefers` (the desk's preferred service) or `in order`.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from config.model import WEEKDAYS, Config, Desk
from totem.callorder import CallOrder, DeskView, Waiting, can_call, why_first

SEED = 23
SAMPLE_WEEK = date(2030, 1, 7)  # a Monday; only the weekday and the times are shown
PRIORITY_SHARE = 1 / 3
ALREADY_WAITING_PER_DESK = 4


@dataclass(frozen=True)
class SampleCall:
    at: datetime
    desk: str
    code: str
    service: str
    why: str


def _views(config: Config, desks: list[Desk]) -> list[DeskView]:
    return [DeskView(d.id, frozenset(d.services), frozenset(d.prefer), config.calling.ratio(d)) for d in desks]


def _morning(config: Config) -> tuple[int, datetime, datetime] | None:
    for weekday, ranges in enumerate(config.hours.weekly):
        if ranges and any(weekday in d.days for d in config.desks):
            day = SAMPLE_WEEK + timedelta(days=weekday)
            first = ranges[0]
            return (weekday, datetime.combine(day, first.start, UTC), datetime.combine(day, first.end, UTC))
    return None


def _arrivals(config: Config, desks: list[Desk], opens: datetime, closes: datetime,
              rng: random.Random) -> list[tuple[datetime, str]]:
    served = {s for d in desks for s in d.services}
    services = [s for s in config.services if s.id in served]
    priority = [s for s in services if s.priority]
    ordinary = [s for s in services if not s.priority]
    weights = [(PRIORITY_SHARE / len(priority) if ordinary else 1 / len(priority)) if s.priority else
               ((1 - PRIORITY_SHARE) if priority else 1.0) / len(ordinary) for s in services]
    mean_min = sum(w * s.avg_service_min for w, s in zip(weights, services, strict=True))
    every_min = mean_min / max(1, len(desks)) / 1.1  # a little faster than the desks serve
    out = [(opens - timedelta(minutes=rng.uniform(0, 15)), rng.choices(services, weights)[0].id)
           for _ in range(ALREADY_WAITING_PER_DESK * len(desks))]
    at = opens
    while True:
        at += timedelta(minutes=rng.expovariate(1 / every_min))
        if at >= closes:
            break
        out.append((at, rng.choices(services, weights)[0].id))
    return sorted(out)


def _why(order: CallOrder, desk: DeskView, chosen: Waiting, now_iso: str, streak: int) -> str:
    rule = why_first(order, desk, chosen, now_iso=now_iso, streak=streak)
    if rule == "ratio":
        return f"ratio: {streak} priority calls in a row at this desk, an ordinary turn"
    if rule == "prefer":
        return f"prefers {chosen.service}"
    if rule == "long_wait":
        return f"long wait (over {order.long_wait_min:g} min)"
    if chosen.priority and any(w.issued_at < chosen.issued_at for w in order.waiting()
                               if w.id != chosen.id and can_call(desk, w)):
        return "priority"
    return "in order"


def sample_morning(config: Config, *, calls: int = 20, seed: int = SEED) -> list[SampleCall]:
    morning = _morning(config)
    if morning is None:
        return []
    weekday, opens, closes = morning
    desks = [d for d in config.desks if weekday in d.days]
    views = _views(config, desks)
    order = CallOrder(views, long_wait_min=config.calling.long_wait_min)
    rng = random.Random(seed)
    prefix = {s.id: s.prefix for s in config.services}
    priority = {s.id: s.priority for s in config.services}
    numbers: dict[str, int] = {}
    pending = _arrivals(config, desks, opens, closes, rng)
    free: list[tuple[datetime, int]] = [(opens, i) for i in range(len(views))]
    streaks = {d.id: 0 for d in views}
    out: list[SampleCall] = []
    while len(out) < calls and free:
        at, i = heapq.heappop(free)
        while pending and pending[0][0] <= at:
            issued, service = pending.pop(0)
            numbers[service] = numbers.get(service, 0) + 1
            code = f"{prefix[service]}{numbers[service]:03d}"
            order.add(Waiting(code, code, service, priority[service], issued.isoformat(timespec="microseconds")))
        desk = views[i]
        now_iso = at.isoformat(timespec="microseconds")
        chosen = order.next_for(desk, now_iso=now_iso, streak=streaks[desk.id])
        if chosen is None:
            if not pending:
                continue  # nobody left for this desk this morning
            heapq.heappush(free, (max(at + timedelta(minutes=1), pending[0][0]), i))
            continue
        why = _why(order, desk, chosen, now_iso, streaks[desk.id])
        order.remove(chosen.id)
        streaks[desk.id] = streaks[desk.id] + 1 if chosen.priority else 0
        out.append(SampleCall(at, desks[i].name, chosen.code, chosen.service, why))
        minutes = next(s.avg_service_min for s in config.services if s.id == chosen.service)
        heapq.heappush(free, (at + timedelta(minutes=minutes), i))
    return out


def rules_line(config: Config) -> str:
    rules = config.calling
    parts = []
    if rules.priority_ratio:
        parts.append(f"at most {rules.priority_ratio} priority calls in a row per desk while others wait")
    if rules.long_wait_min:
        parts.append(f"a wait over {rules.long_wait_min:g} min goes ahead of newer priority tickets")
    for d in config.desks:
        if d.priority_ratio is not None and d.priority_ratio != rules.priority_ratio:
            parts.append(f"desk {d.id}: ratio {d.priority_ratio or 'off'}")
        if d.prefer:
            parts.append(f"desk {d.id} prefers {', '.join(d.prefer)}")
    return "; ".join(parts) if parts else "none: priority first, then by the time each ticket was taken"


def explain(config: Config, *, calls: int = 20) -> str:
    """The text `check-config --explain` prints."""
    sample = sample_morning(config, calls=calls)
    morning = _morning(config)
    if morning is None or not sample:
        return "calling rules: no sample morning (the site opens no day with a desk)"
    weekday, opens, closes = morning
    lines = [f"calling rules: {rules_line(config)}",
             f"sample {WEEKDAYS[weekday]} {opens:%H:%M}-{closes:%H:%M} (seed {SEED}), the first {len(sample)} calls:"]
    width = max(len(c.desk) for c in sample)
    service_width = max(len(c.service) for c in sample)
    for c in sample:
        lines.append(f"  {c.at:%H:%M}  {c.desk:<{width}}  {c.code}  {c.service:<{service_width}}  {c.why}")
    return "\n".join(lines)
