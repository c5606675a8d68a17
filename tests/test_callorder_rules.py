"""The calling rules' people-ahead ranges are honest (rule 7), pure: on many seeded mornings
(random queues, two desks with random ratios, streaks and preferences, a long wait or not,
the desks calling in a random interleaving as the clock moves on), every ticket's count told at
the start holds the truth the calls then showed: `certain <= called before it <= possible`, and
exact only when the range is one number. With the rules off the count is today's, unchanged."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from totem.callorder import BEFORE, MAYBE, RATIO, CallOrder, DeskView, Waiting, aged_before, can_call, rank

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MORNINGS = 400


def iso(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


def morning(seed: int) -> tuple[CallOrder, list[Waiting], list[DeskView], dict[str, int], random.Random]:
    rng = random.Random(seed)
    # Both desks serve every service (a desk serving only some is the order without rules, checked
    # by test_queue_truth): then every ticket called before T is one T waited for.
    desks = [DeskView("1", frozenset({"a", "b", "p"}), prefer=frozenset(rng.choice(((), ("a",)))),
                      ratio=rng.choice((0, 1, 2))),
             DeskView("2", frozenset({"a", "b", "p"}), prefer=frozenset(rng.choice(((), ("b",), ("p",)))),
                      ratio=rng.choice((0, 1, 2)))]
    order = CallOrder(desks, long_wait_min=rng.choice((0, 5, 10)))
    tickets = []
    for i in range(rng.randint(3, 14)):
        service = rng.choice("aabp")
        issued = START - timedelta(minutes=rng.uniform(0, 20))
        tickets.append(Waiting(f"t{i:02d}", f"{service.upper()}{i:02d}", service, service == "p", iso(issued)))
    for t in tickets:
        order.add(t)
    streaks = {d.id: rng.randint(0, 4) for d in desks}  # what each desk called before this morning's start
    return order, tickets, desks, streaks, rng


@pytest.mark.parametrize("chunk", range(4))
def test_every_count_told_holds_the_order_the_desks_then_called(chunk: int) -> None:
    ranged = 0
    for seed in range(chunk * MORNINGS // 4, (chunk + 1) * MORNINGS // 4):
        order, tickets, desks, streaks, rng = morning(seed)
        told = {t.id: order.ahead(t, now_iso=iso(START)) for t in tickets}
        now = START
        called: list[str] = []
        while len(order):
            now += timedelta(minutes=rng.uniform(0, 4))
            able = [(d, order.next_for(d, now_iso=iso(now), streak=streaks[d.id])) for d in desks]
            able = [(d, t) for d, t in able if t is not None]
            desk, ticket = rng.choice(able)
            streaks[desk.id] = streaks[desk.id] + 1 if ticket.priority else 0
            order.remove(ticket.id)
            called.append(ticket.id)
        for t in tickets:
            ahead = told[t.id]
            assert ahead is not None
            truth = called.index(t.id)
            assert ahead.certain <= truth <= ahead.possible, (seed, t, ahead, truth)
            assert ahead.exact == (ahead.certain == ahead.possible)
            ranged += not ahead.exact
    assert ranged, "the rules must make some counts a range"


def test_a_desk_never_calls_more_priority_in_a_row_than_its_ratio_while_an_ordinary_ticket_waits() -> None:
    for seed in range(200):
        order, _, desks, _, rng = morning(seed)
        streaks = {d.id: 0 for d in desks}
        while len(order):
            desk = rng.choice(desks)
            ticket = order.next_for(desk, streak=streaks[desk.id])
            if ticket is None:
                continue
            ordinary_waits = any(not w.priority and w.service in desk.services
                                 and (not desk.prefer or w.service in desk.prefer
                                      or not any(x.service in desk.prefer for x in order.waiting()))
                                 for w in order.waiting())
            if desk.ratio and ticket.priority and ordinary_waits:
                assert streaks[desk.id] < desk.ratio, (seed, desk, streaks)
            streaks[desk.id] = streaks[desk.id] + 1 if ticket.priority else 0
            order.remove(ticket.id)


def test_with_the_rules_off_the_order_and_the_counts_are_todays() -> None:
    for seed in range(100):
        _, tickets, _, _, _ = morning(seed)
        plain = CallOrder([DeskView("1", frozenset({"a", "p"})), DeskView("2", frozenset({"a", "b", "p"}))])
        for t in tickets:
            plain.add(t)
        assert not plain.rules
        for t in tickets:
            ahead = plain.ahead(t, now_iso=iso(START))
            assert ahead is not None
            earlier = [w for w in tickets if w.key < t.key]
            callers = [d for d in plain.desks if t.service in d.services]
            assert ahead.certain == sum(all(w.service in d.services for d in callers) for w in earlier)
            assert ahead.possible == sum(any(w.service in d.services for d in callers) for w in earlier)
        desk = plain.desks[0]
        assert plain.next_for(desk, now_iso=iso(START + timedelta(hours=3)), streak=9) == \
            min((t for t in tickets if t.service in desk.services), key=lambda t: t.key, default=None)


def test_the_grouped_count_is_the_count_ticket_by_ticket() -> None:
    """`ahead` counts the unconstrained tickets by runs of each sorted list (bisect); ranking each
    waiting ticket one by one with `rank` (transferred ones among them) gives the same numbers."""
    for seed in range(300):
        order, _, _, _, rng = morning(seed)
        for i in range(rng.randint(0, 3)):  # a few transferred tickets, pinned to a desk or away from one
            only = rng.choice(("1", "2", None))
            order.add(Waiting(f"x{i}", f"X{i}", rng.choice("abp"), rng.random() < 0.3,
                              iso(START - timedelta(minutes=rng.uniform(0, 20))), only, None if only else "1"))
        now = iso(START)
        aged = aged_before(now, order.long_wait_min)
        for t in order.waiting() + [Waiting("~new", "", s, s == "p", now) for s in "abp"]:
            callers = order.callers(t)
            certain = possible = 0
            turns = 0
            first = {d.id: 0 for d in callers}
            for x in order.waiting():
                if x.id == t.id:
                    continue
                ranks = {d.id: rank(d, x, t, aged=aged, ageing=bool(order.long_wait_min))
                         for d in callers if can_call(d, x)}
                first.update({d: first[d] + 1 for d, r in ranks.items() if x.priority and r in (BEFORE, MAYBE)})
                if ranks and len(ranks) == len(callers) and set(ranks.values()) == {BEFORE}:
                    certain += 1
                if any(r in (BEFORE, MAYBE) for r in ranks.values()):
                    possible += 1
                elif RATIO in ranks.values():
                    turns += 1
            bound = sum(first[d.id] // d.ratio + 1 for d in callers if d.ratio)
            ahead = order.ahead(t, now_iso=now)
            assert ahead is not None
            assert (ahead.certain, ahead.possible) == (certain, possible + min(turns, bound)), (seed, t)
