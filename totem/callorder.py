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
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

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


class CallOrder:
    """The waiting tickets of one service day, kept in call order per service.

    Unconstrained tickets sit in one sorted list per service (bisect: O(log n) counts);
    the few transferred with a desk constraint are kept apart and checked one by one.
    """

    def __init__(self, desks: Iterable[DeskView]) -> None:
        self.desks = tuple(desks)
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

    def listed(self, service: str, limit: int) -> list[Waiting]:
        """The first `limit` waiting tickets of a service, in call order."""
        head = [t for _, t in self._sorted.get(service, ())[:limit]]
        extra = [t for t in self._constrained.values() if t.service == service]
        return sorted(head + extra, key=lambda t: t.key)[:limit]

    def desk(self, desk_id: str) -> DeskView | None:
        return next((d for d in self.desks if d.id == desk_id), None)

    def next_for(self, desk: DeskView, *, skip: frozenset[str] = frozenset()) -> Waiting | None:
        """The ticket this desk calls next, or None when nobody it serves is waiting."""
        best: Waiting | None = None
        for service in desk.services:
            for _, ticket in self._sorted.get(service, ()):
                if ticket.id not in skip:
                    if best is None or ticket.key < best.key:
                        best = ticket
                    break
        for ticket in self._constrained.values():
            if ticket.id not in skip and can_call(desk, ticket) and (best is None or ticket.key < best.key):
                best = ticket
        return best

    def callers(self, ticket: Waiting) -> tuple[DeskView, ...]:
        return tuple(d for d in self.desks if can_call(d, ticket))

    def ahead(self, ticket: Waiting) -> Ahead | None:
        """People ahead of a ticket (waiting or about to be). None when no desk can call it."""
        desks = self.callers(ticket)
        if not desks:
            return None
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
        a backlog)."""
        key = ticket.key
        out = [t for rows in self._sorted.values() for _, t in rows[bisect.bisect_left(rows, (key,)):]
               if t.issued_at >= issued_since and t.id != ticket.id]
        return out + [t for t in self._constrained.values()
                      if t.key > key and t.issued_at >= issued_since and t.id != ticket.id]

    def ahead_of_new(self, service: str, *, priority: bool, now_iso: str) -> Ahead | None:
        """People ahead of a ticket taken now: what the totem shows before the tap."""
        return self.ahead(Waiting("~new", "", service, priority, now_iso))
