"""Numbering, the service day across midnight and DST, refusals, voids and the outbox log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import rome

from config import load_config
from config.errors import ServiceClosed, TooSoon, UnknownService
from totem.clock import FrozenClock
from totem.issuing import Issuer
from totem.numbering import format_code, service_day
from totem.store import TicketStore


def make(path: Path, clock: FrozenClock) -> tuple[Issuer, TicketStore]:
    config = load_config(path)
    store = TicketStore.in_dir(config.totem.data_dir)
    return Issuer(config=config, store=store, clock=clock), store


def test_codes() -> None:
    assert format_code("A", 1) == "A001"
    assert format_code("A", 999) == "A999"
    assert format_code("A", 1000) == "A1000"  # never wraps within a day: no code twice
    with pytest.raises(ValueError, match="got 0"):
        format_code("A", 0)


def test_numbers_per_service_and_restart_each_day(open_site_path: Path) -> None:
    clock = FrozenClock(rome(2026, 12, 1, 23, 58))
    issuer, store = make(open_site_path, clock)
    with store:
        assert [issuer.issue("uffici").code for _ in range(3)] == ["A001", "A002", "A003"]
        assert issuer.issue("sanita").code == "E001"
        clock.set(rome(2026, 12, 2, 0, 1))
        assert issuer.issue("uffici").code == "A001"
        assert issuer.issue("uffici").number == 2


@pytest.mark.parametrize(("before", "after"), [
    # spring forward: 28 Mar 2027 02:00 -> 03:00 local (dates after the release: an earlier clock is refused)
    (datetime(2027, 3, 28, 0, 59, tzinfo=UTC), datetime(2027, 3, 28, 1, 1, tzinfo=UTC)),
    # fall back: 31 Oct 2027 03:00 -> 02:00 local, the hour 02:00-03:00 happens twice
    (datetime(2027, 10, 31, 0, 30, tzinfo=UTC), datetime(2027, 10, 31, 1, 30, tzinfo=UTC)),
])
def test_dst_changes_keep_one_service_day(open_site_path: Path, before: datetime, after: datetime) -> None:
    assert service_day(before, "Europe/Rome") == service_day(after, "Europe/Rome") == before.date()
    clock = FrozenClock(before)
    issuer, store = make(open_site_path, clock)
    with store:
        first = issuer.issue("uffici")
        clock.set(after)
        second = issuer.issue("uffici")
    assert (first.code, second.code) == ("A001", "A002")
    assert second.issued_at.utcoffset() != first.issued_at.utcoffset()


def test_day_rolls_at_local_midnight_not_utc(open_site_path: Path) -> None:
    clock = FrozenClock(datetime(2027, 6, 30, 21, 59, tzinfo=UTC))  # 23:59 in Rome (CEST)
    issuer, store = make(open_site_path, clock)
    with store:
        issuer.issue("uffici")
        clock.set(datetime(2027, 6, 30, 22, 1, tzinfo=UTC))  # 00:01 on 1 July in Rome, still 30 June UTC
        assert issuer.issue("uffici").code == "A001"


def test_refusals_say_why_and_when(site_path: Path) -> None:
    clock = FrozenClock(rome(2026, 12, 1, 13, 30))  # Tuesday lunch break
    issuer, store = make(site_path, clock)
    with store:
        with pytest.raises(ServiceClosed) as info:
            issuer.issue("uffici")
        assert info.value.reason == "break"
        assert info.value.next_opening == rome(2026, 12, 1, 14, 30)
        assert "14:30" in str(info.value)
        with pytest.raises(UnknownService, match="'ufficio'"):
            issuer.issue("ufficio")
        assert store.counts(rome(2026, 12, 1).date()) == {}
        assert store.backlog("hub") == 0


def test_anti_spam_interval(site_path: Path) -> None:
    clock = FrozenClock(rome(2026, 12, 1, 10, 0))
    issuer, store = make(site_path, clock)
    with store:
        issuer.issue("uffici")
        clock.advance(seconds=1.5)
        with pytest.raises(TooSoon) as info:
            issuer.issue("sanita")
        assert info.value.wait_s == pytest.approx(0.5)
        clock.advance(seconds=0.5)
        assert issuer.issue("sanita").code == "E001"
        clock.advance(seconds=-3600)  # the clock was corrected backwards: must not lock the totem
        assert issuer.issue("sanita").code == "E002"


def test_void_and_outbox_in_order(open_site_path: Path) -> None:
    clock = FrozenClock(rome(2026, 12, 1, 10, 0))
    issuer, store = make(open_site_path, clock)
    with store:
        a = issuer.issue("uffici")
        b = issuer.issue("appuntamento", lang="en")
        issuer.void(a, "printer: paper_out")
        issuer.void(a, "again")  # a second void changes nothing
        events = store.pending_events("http://hub")
        assert [(e.kind, e.ticket_id) for e in events] == [("issued", a.id), ("issued", b.id), ("void", a.id)]
        assert events[0].payload == {"id": a.id, "code": "A001", "service": "uffici", "number": 1,
                                     "issued_at": events[0].payload["issued_at"], "totem": "totem-1", "lang": "it"}
        assert events[2].payload == {"id": a.id, "reason": "printer: paper_out"}
        store.ack("http://hub", events[1].seq)
        assert store.backlog("http://hub") == 1
        assert store.backlog("http://other") == 3  # each target has its own cursor
        counts = store.counts(a.issued_at.date())
        assert counts["uffici"]["void"] == 1 and counts["appuntamento"]["pending"] == 1
        assert b.lang == "en"


def test_unknown_language_falls_back_to_default(open_site_path: Path) -> None:
    issuer, store = make(open_site_path, FrozenClock(rome(2026, 12, 1, 10, 0)))
    with store:
        assert issuer.issue("uffici", lang="xx").lang == "it"


def test_prune_keeps_recent_days_and_unacked_events(open_site_path: Path) -> None:
    clock = FrozenClock(rome(2027, 1, 1, 10, 0))
    issuer, store = make(open_site_path, clock)
    with store:
        old = issuer.issue("uffici")
        clock.set(rome(2027, 6, 1, 10, 0))
        issuer.issue("uffici")
        store.prune(keep_days=30, today=rome(2027, 6, 1).date(), targets=["hub"])
        assert store.ticket(old.id) is None
        assert len(store.pending_events("hub")) == 2  # nothing acknowledged: nothing dropped


def test_prune_drops_old_delivered_events_but_keeps_todays(open_site_path: Path) -> None:
    clock = FrozenClock(rome(2027, 1, 1, 10, 0))
    issuer, store = make(open_site_path, clock)
    with store:
        issuer.issue("uffici")
        clock.set(rome(2027, 6, 1, 10, 0))
        issuer.issue("uffici")
        last = store.pending_events("hub")[-1].seq
        store.ack("hub", last)  # both delivered
        store.prune(keep_days=30, today=rome(2027, 6, 1).date(), targets=["hub"])
        store.rewind("hub", since=rome(2027, 6, 1, 0, 0))  # a hub that lost its database asks again
        assert [e.payload["code"] for e in store.pending_events("hub")] == ["A001"]  # today's, not January's
