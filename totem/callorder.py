"""The call order: who each desk calls next, and who is ahead of a ticket. Defined once.

The hub keeps one `CallOrder` per service day and asks it everything that depends on
the order; the ticket, the totem's screen, the desk console and the call screen show
numbers derived from it, never from a second model. Pure Python: no I/O.

The rule, in a desk manager's words:
1. A desk calls only tickets of the services it serves (and a ticket transferred to a
   particular desk only at that desk; a ticket a desk transferred away is not handed
   straight back to that desk when another desk serves the new service).
2. Among those, priority services (appointments) first, then the earliest issue time.
   A transfer keeps the ticket's issue time and, unless the operator says otherwise,
   its priority, so the citizen keeps the place they had.

"People ahead" of a ticket T is the number of tickets already waiting when T is taken
that the rule will call before T for certain: the ones earlier in the order that every
desk able to call T can also call. Tickets taken later never count, even when they are
called first by rule (a later appointment, a desk that does not serve T's service).
When some desks that can call T serve other services too, some earlier tickets may or
may not be called before T (it depends on which desk gets there first): then the count
is a range (`certain` .. `possible`) and is shown as an estimate, never as exact.

Steps of `ahead(T)`:
1. the desks that can call T (by service and transfer constraints); none -> unknown;
2. for each waiting ticket earlier in the order: counted as certain when every one of
   those desks can call it, as possible when at least one can.

The calling rules an office may add (`[calling]` and `[[desks]]` in the site file, all off by
default: then the order is exactly the one above):
3. Long wait (`long_wait_min`): a ticket waiting longer than that goes ahead of priority
   tickets taken after it (never ahead of an older one). It then counts as an ordinary ticket
   again for rule 4: a long wait is not a priority.
4. Priority ratio (`priority_ratio`, per site, a desk may have its own): a desk that has made
   that many priority calls in a row calls the first ordinary ticket it can call, if one waits.
   The count is the desk's own ("this desk called 2 priority, the next is ordinary"), not the
   site's: each operator sees and can explain their own rhythm. It is read from the calls the
   hub recorded today at that desk (the latest ones, back to its last ordinary call), so a
   restart, an undo or a new day need no counter of their own. Any call of a priority
   ticket counts (a called-back or chosen one too); a call of an ordinary one starts again.
5. Preferred services (`prefer` of a desk): the desk calls its preferred services first, in
   the order above, and the others only when none of its preferred services waits. The ratio
   applies within what the desk is calling from.

People ahead with rules: a ticket is certainly ahead of T when every desk able to call T
would call it first whatever happens meanwhile; possibly ahead when some desk might. What
makes it uncertain, so the count is a range shown as an estimate:
- long wait: T ordinary and not yet waited long: a priority ticket taken after T is ahead
  now but may fall behind when T's wait gets long; T a priority: an ordinary ticket taken
  before T may get there first when its wait gets long. Once waited long, it is exact again;
- ratio: T ordinary: a priority ticket ahead may be passed when a desk's turn for an ordinary
  ticket comes; T a priority: ordinary tickets behind it may be called before it, at most one
  per `priority_ratio` priority calls ahead of T (plus one) per desk: only that many count;
- preference: a desk preferring T's service (and not the other's) calls T first; one preferring
  the other's (and not T's) calls it first, even when it was taken after T.

What the screens list: a service's queue in the order with rule 3 (the same at every desk;
`SQL_ORDER` is the order without it, for loading); rules 4 and 5 depend on the desk, so the
desk console also says what its next call would be and which rule puts it first (`why_first`).
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

# The same order as `sort_key`, for the database's ORDER BY (tests check they agree).
SQL_ORDER = "priority DESC, issued_at, id"


@dataclass(frozen=True)
class Waiting:
    """A ticket in the queue. `issued_at` is a UTC ISO string with microseconds (sortable)."""

    id: str
    code: str
    service: str
    priority: bool
    issued_at: str
    desk_only: str | None = None  # transferred to this desk: only it may call the ticket
    desk_not: str | None = None   # transferred away by this desk: it does not get it straight back

    @property
    def key(self) -> tuple[int, str, str]:
        return sort_key(self.priority, self.issued_at, self.id)

    @property
    def constrained(self) -> bool:
        return self.desk_only is not None or self.desk_not is not None


def sort_key(priority: bool, issued_at: str, ticket_id: str) -> tuple[int, str, str]:
    """Smaller is called first: priority, then issue time, then the id (a stable tie-break)."""
    return (0 if priority else 1, issued_at, ticket_id)


@dataclass(frozen=True)
class DeskView:
    id: str
    services: frozenset[str]
    prefer: frozenset[str] = frozenset()  # rule 5: called first
    ratio: int = 0  # rule 4: priority calls in a row before an ordinary one (0 = off)

    @property
    def has_rules(self) -> bool:
        return bool(self.prefer) or self.ratio > 0


BEFORE, AFTER, MAYBE, RATIO = "before", "after", "maybe", "ratio"


def aged_before(now_iso: str, long_wait_min: float) -> str:
    """Rule 3's line: a ticket issued before this instant (UTC ISO, as `issued_at`) has waited long.
    "" when the rule is off or no time is given: nobody has."""
    if not long_wait_min or not now_iso:
        return ""
    then = datetime.fromisoformat(now_iso) - timedelta(minutes=long_wait_min)
    return then.isoformat(timespec="microseconds")


def effective_key(ticket: Waiting, aged: str) -> tuple[int, str, str]:
    """The order with rule 3: an ordinary ticket that waited long sorts with the priority ones."""
    return (0 if ticket.priority or ticket.issued_at < aged else 1, ticket.issued_at, ticket.id)


def rank(desk: DeskView, other: Waiting, ticket: Waiting, *, aged: str, ageing: bool) -> str:
    """Will `desk` call `other` before `ticket` (both callable by it)? BEFORE whatever happens,
    AFTER whatever happens, MAYBE (long wait or ratio may decide either way), or RATIO (after,
    unless the desk's ratio brings this ordinary ticket in first: counted up to a bound)."""
    earlier = (other.issued_at, other.id) < (ticket.issued_at, ticket.id)
    return rank_of(desk, other.service, other.priority, earlier, other.issued_at < aged, ticket,
                   ticket_waited_long=ticket.issued_at < aged, ageing=ageing)


def rank_of(desk: DeskView, service: str, priority: bool, earlier: bool, waited_long: bool, ticket: Waiting, *,
            ticket_waited_long: bool, ageing: bool) -> str:
    """`rank` for any ticket of that service and kind, taken before `ticket` or not, waited long or not."""
    if desk.prefer:
        mine, theirs = ticket.service in desk.prefer, service in desk.prefer
        if theirs != mine:
            return BEFORE if theirs else AFTER
    if priority == ticket.priority:  # the same kind: by issue time, whatever the rules
        return BEFORE if earlier else AFTER
    if priority:  # a priority ticket against ordinary T
        if ticket_waited_long:  # T waited long: ahead of the newer priority ones, for good
            return (MAYBE if desk.ratio else BEFORE) if earlier else AFTER
        return MAYBE if desk.ratio or (ageing and not earlier) else BEFORE
    # an ordinary ticket against priority T
    if earlier and waited_long:
        return BEFORE  # waited long, taken before T: stays ahead
    if earlier and ageing:
        return MAYBE  # may wait long before T is called
    return RATIO if desk.ratio else AFTER


@dataclass(frozen=True)
class Ahead:
    """How many tickets will be called before one: `certain` <= truth <= `possible`."""

    certain: int
    possible: int
    desks: tuple[str, ...]  # the desks that can call it
    by_service: tuple[tuple[str, float], ...] = ()  # expected people ahead per service (for the wait)

    @property
    def exact(self) -> bool:
        return self.certain == self.possible

    @property
    def expected(self) -> float:
        return (self.certain + self.possible) / 2.0


def can_call(desk: DeskView, ticket: Waiting) -> bool:
    if ticket.service not in desk.services:
        return False
    if ticket.desk_only is not None and ticket.desk_only != desk.id:
        return False
    return ticket.desk_not != desk.id


def why_first(order: CallOrder, desk: DeskView, chosen: Waiting, *, now_iso: str, streak: int) -> str | None:
    """Which rule made `chosen` the desk's next call ahead of someone the plain order puts first:
    "ratio" (rule 4), "prefer" (rule 5), "long_wait" (rule 3), or None (the plain order)."""
    aged = aged_before(now_iso, order.long_wait_min)
    if desk.ratio and streak >= desk.ratio and order.next_for(desk, now_iso=now_iso) != chosen:
        return "ratio"
    others = [w for w in order.waiting() if w.id != chosen.id and can_call(desk, w)]
    if desk.prefer and chosen.service in desk.prefer and any(w.key < chosen.key for w in others):
        return "prefer"
    if chosen.issued_at < aged and any(w.priority and w.issued_at > chosen.issued_at for w in others):
        return "long_wait"
    return None


def _first_not_in(rows: list[tuple[tuple[int, str, str], Waiting]], start: int, skip: frozenset[str]
                  ) -> Waiting | None:
    return next((t for _, t in itertools.islice(rows, start, None) if t.id not in skip), None) if skip else \
        (rows[start][1] if start < len(rows) else None)


class CallOrder:
    """The waiting tickets of one service day, kept in call order per service.

    Unconstrained tickets sit in one sorted list per service (bisect: O(log n) counts);
    the few transferred with a desk constraint are kept apart and checked one by one.
    """

    def __init__(self, desks: Iterable[DeskView], *, long_wait_min: float = 0.0) -> None:
        self.desks = tuple(desks)
        self.long_wait_min = long_wait_min  # rule 3 (0 = off)
        self.rules = bool(long_wait_min) or any(d.has_rules for d in self.desks)
        self._sorted: dict[str, list[tuple[tuple[int, str, str], Waiting]]] = {}
        self._constrained: dict[str, Waiting] = {}
        self._by_id: dict[str, Waiting] = {}

    # -- changes -----------------------------------------------------------------------------

    def add(self, ticket: Waiting) -> None:
        if ticket.id in self._by_id:
            self.remove(ticket.id)
        self._by_id[ticket.id] = ticket
        if ticket.constrained:
            self._constrained[ticket.id] = ticket
        else:
            bisect.insort(self._sorted.setdefault(ticket.service, []), (ticket.key, ticket))

    def remove(self, ticket_id: str) -> Waiting | None:
        ticket = self._by_id.pop(ticket_id, None)
        if ticket is None:
            return None
        if ticket.constrained:
            del self._constrained[ticket_id]
        else:
            rows = self._sorted[ticket.service]
            i = bisect.bisect_left(rows, (ticket.key,))
            while rows[i][1].id != ticket_id:
                i += 1
            del rows[i]
        return ticket

    # -- questions ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self._by_id

    def get(self, ticket_id: str) -> Waiting | None:
        return self._by_id.get(ticket_id)

    def waiting(self) -> list[Waiting]:
        return list(self._by_id.values())

    def count(self, service: str) -> int:
        return len(self._sorted.get(service, ())) + sum(1 for t in self._constrained.values() if t.service == service)

    def listed(self, service: str, limit: int, *, now_iso: str = "") -> list[Waiting]:
        """The first `limit` waiting tickets of a service, in call order (with rule 3 at `now_iso`)."""
        rows = self._sorted.get(service, [])
        aged = aged_before(now_iso, self.long_wait_min)
        extra = [t for t in self._constrained.values() if t.service == service]
        if not aged:
            head = [t for _, t in rows[:limit]]
            return sorted(head + extra, key=lambda t: t.key)[:limit]
        first_normal = bisect.bisect_left(rows, ((1, "", ""),))
        n_aged = bisect.bisect_left(rows, ((1, aged, ""),), lo=first_normal) - first_normal
        older = heapq.merge(rows[:min(first_normal, limit)], rows[first_normal:first_normal + min(n_aged, limit)],
                            key=lambda row: row[0][1:])
        head = [t for _, t in older][:limit] + [t for _, t in rows[first_normal + n_aged:][:limit]]
        return sorted(head[:limit] + extra, key=lambda t: effective_key(t, aged))[:limit]

    def next_ageing(self, now_iso: str) -> str | None:
        """When the next waiting ticket crosses the long-wait line after `now_iso` (rule 3), as an
        ISO instant; None when nothing will (the rule off, or every ordinary ticket already there).
        Until then the order and every count stay as they are (a cached state stays true)."""
        aged = aged_before(now_iso, self.long_wait_min)
        if not aged:
            return None
        first: str | None = None
        for rows in self._sorted.values():
            i = bisect.bisect_left(rows, ((1, aged, ""),))
            if i < len(rows) and (first is None or rows[i][1].issued_at < first):
                first = rows[i][1].issued_at
        for t in self._constrained.values():
            if not t.priority and t.issued_at >= aged and (first is None or t.issued_at < first):
                first = t.issued_at
        if first is None:
            return None
        line = datetime.fromisoformat(first) + timedelta(minutes=self.long_wait_min)
        return line.isoformat(timespec="microseconds")

    def desk(self, desk_id: str) -> DeskView | None:
        return next((d for d in self.desks if d.id == desk_id), None)

    def next_for(self, desk: DeskView, *, skip: frozenset[str] = frozenset(), now_iso: str = "",
                 streak: int = 0) -> Waiting | None:
        """The ticket this desk calls next, or None when nobody it serves is waiting. `now_iso`:
        the time of the call (rule 3); `streak`: the desk's priority calls in a row (rule 4)."""
        aged = aged_before(now_iso, self.long_wait_min)
        heads: list[Waiting] = []  # per service its first priority and first ordinary ticket
        for service in desk.services:
            rows = self._sorted.get(service, [])
            first = _first_not_in(rows, 0, skip)
            if first is None:
                continue
            heads.append(first)
            if first.priority and self.rules:  # rules 3-4 may want the first ordinary ticket instead
                ordinary = _first_not_in(rows, bisect.bisect_left(rows, ((1, "", ""),)), skip)
                if ordinary is not None:
                    heads.append(ordinary)
        heads += [t for t in self._constrained.values() if t.id not in skip and can_call(desk, t)]
        if desk.prefer:  # rule 5: its preferred services while any of them waits
            heads = [t for t in heads if t.service in desk.prefer] or heads
        if not heads:
            return None
        best = min(heads, key=lambda t: effective_key(t, aged))
        if desk.ratio and streak >= desk.ratio and best.priority:  # rule 4: an ordinary ticket's turn
            ordinary = [t for t in heads if not t.priority]
            if ordinary:
                best = min(ordinary, key=lambda t: t.key)
        return best

    def callers(self, ticket: Waiting) -> tuple[DeskView, ...]:
        return tuple(d for d in self.desks if can_call(d, ticket))

    def ahead(self, ticket: Waiting, *, now_iso: str = "") -> Ahead | None:
        """People ahead of a ticket (waiting or about to be). None when no desk can call it."""
        desks = self.callers(ticket)
        if not desks:
            return None
        if self.rules:
            return self._ahead_by_rules(ticket, desks, now_iso)
        common = frozenset.intersection(*(d.services for d in desks))
        union = frozenset.union(*(d.services for d in desks))
        certain = possible = 0
        by_service: dict[str, float] = {}
        key = ticket.key
        for service in union:
            n = bisect.bisect_left(self._sorted.get(service, []), (key,))
            # Unconstrained tickets: every desk serving the service can call them.
            if service in common:
                certain += n
                by_service[service] = by_service.get(service, 0.0) + n
            else:
                by_service[service] = by_service.get(service, 0.0) + n / 2.0
            possible += n
        for other in self._constrained.values():
            if other.id == ticket.id or other.key >= key:
                continue
            able = [d for d in desks if can_call(d, other)]
            if not able:
                continue
            possible += 1
            if len(able) == len(desks):
                certain += 1
                by_service[other.service] = by_service.get(other.service, 0.0) + 1.0
            else:
                by_service[other.service] = by_service.get(other.service, 0.0) + 0.5
        return Ahead(certain, possible, tuple(d.id for d in desks),
                     tuple(sorted((s, n) for s, n in by_service.items() if n)))

    def behind(self, ticket: Waiting, *, issued_since: str) -> list[Waiting]:
        """Waiting tickets after `ticket` in the order and issued at or after `issued_since`: the
        ones whose people ahead may have grown when `ticket` arrived late (another totem's, or
        a backlog). With calling rules, every one issued since (a rule may put any of them behind)."""
        if self.rules:
            return [t for t in self._by_id.values() if t.issued_at >= issued_since and t.id != ticket.id]
        key = ticket.key
        out = [t for rows in self._sorted.values() for _, t in rows[bisect.bisect_left(rows, (key,)):]
               if t.issued_at >= issued_since and t.id != ticket.id]
        return out + [t for t in self._constrained.values()
                      if t.key > key and t.issued_at >= issued_since and t.id != ticket.id]

    def _ahead_by_rules(self, ticket: Waiting, desks: tuple[DeskView, ...], now_iso: str) -> Ahead:
        """`ahead` under rules 3-5 (module docstring): each waiting ticket ranked at each desk able
        to call T. The unconstrained ones by groups (a service's tickets of one kind, taken before
        T or not, waited long or not: each group a run of its sorted list, counted with bisect)."""
        aged = aged_before(now_iso, self.long_wait_min)
        t_long = ticket.issued_at < aged
        ageing = bool(self.long_wait_min)
        certain = possible = 0
        by_service: dict[str, float] = {}
        maybe_first: dict[str, int] = {d.id: 0 for d in desks}  # priority tickets a desk may call before T
        ratio_runs: list[tuple[list[tuple[tuple[int, str, str], Waiting]], int, int]] = []
        ratio_ones: list[Waiting] = []

        def tally(service: str, priority: bool, ranks: dict[str, str], n: int) -> str:
            nonlocal certain, possible
            for desk_id, r in ranks.items():
                if priority and r in (BEFORE, MAYBE):
                    maybe_first[desk_id] += n
            if len(ranks) == len(desks) and all(r == BEFORE for r in ranks.values()):
                certain += n
                possible += n
                by_service[service] = by_service.get(service, 0.0) + n
                return BEFORE
            if any(r in (BEFORE, MAYBE) for r in ranks.values()):
                possible += n
                by_service[service] = by_service.get(service, 0.0) + n / 2.0
                return MAYBE
            return RATIO if any(r == RATIO for r in ranks.values()) else AFTER

        for service, rows in self._sorted.items():
            able = [d for d in desks if service in d.services]
            if not able or not rows:
                continue
            normal = bisect.bisect_left(rows, ((1, "", ""),))
            for priority, lo, hi in ((True, 0, normal), (False, normal, len(rows))):
                cut = bisect.bisect_left(rows, ((0 if priority else 1, ticket.issued_at, ticket.id),), lo, hi)
                after = cut + 1 if cut < hi and rows[cut][1].id == ticket.id else cut  # T itself is neither
                line = bisect.bisect_left(rows, ((1, aged, ""),), lo, hi) if aged and not priority else lo
                runs = ((True, lo, min(line, cut), True), (True, max(line, lo), cut, False),
                        (False, after, max(line, after), True), (False, max(line, after), hi, False))
                for earlier, start, end, waited_long in runs:
                    if end <= start:
                        continue
                    ranks = {d.id: rank_of(d, service, priority, earlier, waited_long, ticket,
                                           ticket_waited_long=t_long, ageing=ageing) for d in able}
                    if tally(service, priority, ranks, end - start) == RATIO:
                        ratio_runs.append((rows, start, end))
        for other in self._constrained.values():
            if other.id == ticket.id:
                continue
            ranks = {d.id: rank(d, other, ticket, aged=aged, ageing=ageing) for d in desks if can_call(d, other)}
            if ranks and tally(other.service, other.priority, ranks, 1) == RATIO:
                ratio_ones.append(other)
        # Rule 4 for a priority T: each desk may bring in one ordinary ticket per `ratio` priority calls.
        bound = sum(maybe_first[d.id] // d.ratio + 1 for d in desks if d.ratio)
        merged = heapq.merge(*(rows[start:min(end, start + bound)] for rows, start, end in ratio_runs),
                             [(t.key, t) for t in sorted(ratio_ones, key=lambda t: t.key)])
        for _, other in itertools.islice(merged, bound):
            possible += 1
            by_service[other.service] = by_service.get(other.service, 0.0) + 0.5
        return Ahead(certain, possible, tuple(d.id for d in desks),
                     tuple(sorted((s, n) for s, n in by_service.items() if n)))

    def ahead_of_new(self, service: str, *, priority: bool, now_iso: str) -> Ahead | None:
        """People ahead of a ticket taken now: what the totem shows before the tap."""
        return self.ahead(Waiting("~new", "", service, priority, now_iso), now_iso=now_iso)
