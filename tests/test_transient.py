"""Transient is not permanent (issue 24): a hub that cannot store now (5xx, a per-event 500
inside the batch reply, an answer that is not the hub's) is retried for ever, never set aside;
only the hub's own well-formed refusal of one event sets it aside."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from conftest import rome
from test_outbox_resilience import FakeHub, config_for, wait_for

from totem.clock import FrozenClock
from totem.issuing import Issuer
from totem.outbox import SET_ASIDE_AFTER, OutboxPusher
from totem.store import TicketStore

NOW = rome(2026, 12, 1, 10, 0)


class Outage:
    """Answers `answer` for the first `n` answers, then 201."""

    def __init__(self, n: int, answer: tuple[int, Any]) -> None:
        self.left = n
        self.answer = answer

    def __call__(self, ticket: dict[str, Any]) -> tuple[int, Any]:
        if self.left > 0:
            self.left -= 1
            return self.answer
        return 201, {}


def _push_through(tmp_path: Path, outage: Outage, tickets: int) -> tuple[list[str], int]:
    clock = FrozenClock(NOW)
    with FakeHub(outage) as hub:
        config = config_for(tmp_path, hub.url)
        with TicketStore.in_dir(config.totem.data_dir) as store:
            issuer = Issuer(config=config, store=store, clock=clock)
            for _ in range(tickets):
                issuer.issue("uffici")
            with OutboxPusher.start(config, clock=clock) as outbox:
                assert wait_for(lambda: outage.left == 0 and outbox.backlog() == 0, timeout_s=30), \
                    (outage.left, outbox.backlog(), store.set_aside_count())
            return sorted(set(hub.received)), store.set_aside_count()  # the hub de-duplicates by id


def test_a_per_event_500_in_the_batch_reply_is_retried_never_set_aside(tmp_path: Path) -> None:
    """The red-team's case: the hub's disk full, each event answered {"status": 500} in the batch."""
    outage = Outage(4 * SET_ASIDE_AFTER, (500, {"error": "could not be stored"}))
    received, aside = _push_through(tmp_path, outage, 5)
    assert received == ["A001", "A002", "A003", "A004", "A005"] and aside == 0


def test_a_single_ticket_answered_503_or_a_proxys_404_is_retried_never_set_aside(tmp_path: Path) -> None:
    for i, answer in enumerate([(503, {"error": "disco pieno", "reason": "disk_full"}),
                                (404, b"<html>not found</html>")]):
        outage = Outage(2 * SET_ASIDE_AFTER, answer)
        received, aside = _push_through(tmp_path / str(i), outage, 1)
        assert received == ["A001"] and aside == 0, answer


def test_a_well_formed_refusal_is_still_set_aside(tmp_path: Path) -> None:
    outage = Outage(10 ** 6, (400, {"error": "service: unknown", "field": "service"}))
    clock = FrozenClock(NOW)
    with FakeHub(outage) as hub:
        config = config_for(tmp_path, hub.url)
        with TicketStore.in_dir(config.totem.data_dir) as store:
            Issuer(config=config, store=store, clock=clock).issue("uffici")
            with OutboxPusher.start(config, clock=clock) as outbox:
                assert wait_for(lambda: store.set_aside_count() == 1 and outbox.backlog() == 0, timeout_s=20)
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline and outbox.pushers[0].set_aside != 1:
                    time.sleep(0.02)
                assert outbox.pushers[0].set_aside == 1  # reported in the totem's health to the consoles
