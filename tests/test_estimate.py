"""The estimate printed on a ticket: from the hub's snapshot when fresh, else local."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from conftest import rome

from config import load_config
from totem.clock import FrozenClock
from totem.estimate import Snapshot, estimate, wait_range
from totem.issuing import Issuer
from totem.store import TicketStore

NOW = rome(2026, 12, 1, 10, 0)


def test_wait_range_is_a_range_in_five_minutes() -> None:
    assert wait_range(0, 15, 1, spread=0.3) == (0, 10)
    low, high = wait_range(4, 15, 1, spread=0.3)
    assert (low, high) == (45, 90)
    assert low % 5 == 0 and high % 5 == 0 and low < 4 * 15 < high
    assert wait_range(4, 15, 2, spread=0.3)[1] < high  # two desks halve the wait


def test_fresh_hub_snapshot_wins() -> None:
    snap = Snapshot(waiting=3, avg_service_min=10.0, received_at=NOW - timedelta(minutes=2))
    est = estimate(now=NOW, avg_service_min=15, desks=1, snapshot=snap, issued_since_snapshot=1,
                   issued_before_today=50, first_issued_today=NOW - timedelta(hours=1))
    assert est is not None and (est.people_ahead, est.source) == (4, "hub")


def test_stale_snapshot_falls_back_to_local() -> None:
    snap = Snapshot(waiting=3, avg_service_min=10.0, received_at=NOW - timedelta(minutes=40))
    est = estimate(now=NOW, avg_service_min=15, desks=1, snapshot=snap, issued_since_snapshot=0,
                   issued_before_today=6, first_issued_today=NOW - timedelta(minutes=30))
    assert est is not None and est.source == "local"
    assert est.people_ahead == 4  # 6 issued, about 2 served in 30 min at 15 min each


def test_no_desk_means_no_estimate() -> None:
    assert estimate(now=NOW, avg_service_min=15, desks=0, snapshot=None, issued_since_snapshot=0,
                    issued_before_today=0, first_issued_today=None) is None


def test_issuer_estimate_uses_store(open_site_path: Path) -> None:
    config = load_config(open_site_path)
    clock = FrozenClock(NOW)
    with TicketStore.in_dir(config.totem.data_dir) as store:
        issuer = Issuer(config=config, store=store, clock=clock)
        first = issuer.issue("uffici")
        assert first.estimate is not None and first.estimate.people_ahead == 0
        second = issuer.issue("uffici")
        assert second.estimate is not None and second.estimate.people_ahead == 1
        store.save_snapshot(NOW.date(), {"uffici": (7, 12.0)}, received_at=clock.now())
        clock.advance(seconds=10)
        third = issuer.issue("uffici")
        assert third.estimate is not None and (third.estimate.people_ahead, third.estimate.source) == (7, "hub")
