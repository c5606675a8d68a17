"""Lockout records are bounded in number and time (issue 24, finding 4: 300,000 unauthenticated
unlock posts for unknown desk ids added 42 MB to the hub, never freed).

Through the HTTP API: a bounded flood of unlock posts, each for a desk id the site file does
not have, on keep-alive connections to a real hub on 127.0.0.1. The records stay under
`MAX_RECORDS` and the memory the flood leaves behind stays small; the full 300,000-post run,
with the hub's RSS before and after, is `tests/bench/bench_lockout_flood.py`.
"""

from __future__ import annotations

import gc
import http.client
import json
import logging
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from display.lockout import MAX_RECORDS, GuardBook

FLOOD = 3 * MAX_RECORDS


def flood(port: int, n: int, *, start: int = 0) -> dict[int, int]:
    """`n` unlock posts for unknown desk ids on one keep-alive connection; the statuses seen."""
    seen: dict[int, int] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = json.dumps({"pin": "1234"})
    try:
        for i in range(start, start + n):
            conn.request("POST", f"/desk/x{i}/unlock", body=body, headers={
                "Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}"})
            response = conn.getresponse()
            response.read()
            seen[response.status] = seen.get(response.status, 0) + 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    finally:
        conn.close()
    return seen


@pytest.fixture
def quiet() -> Iterator[None]:
    """pytest keeps every log record it captures: the hub's "wrong PIN" lines (capped by
    totem.logs in production) would be counted as the hub's memory."""
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def test_an_unknown_desk_flood_leaves_the_lockout_records_bounded(hub, quiet) -> None:  # type: ignore[no-untyped-def]
    flood(hub.port, 200)  # warm up: the connection, the route, the first records
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        seen = flood(hub.port, FLOOD, start=200)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert sum(seen.values()) == FLOOD and not set(seen) - {401, 403, 429}, seen  # refused, never a 5xx
    assert len(hub.hub.sessions._guards) <= MAX_RECORDS
    # 3,072 posts: bounded at about MAX_RECORDS records (~200 B each) whatever the flood's length
    assert grown < 1_000_000, f"the flood left {grown} bytes behind"


@dataclass
class _Guard:
    locked_until: float = 0.0


def test_the_records_are_forgotten_in_time_and_a_locked_console_is_never_evicted() -> None:
    now = [0.0]
    book: GuardBook[_Guard] = GuardBook(max_records=4, forget_s=100.0, clock=lambda: now[0])
    book.setdefault("1", _Guard(locked_until=50.0))  # a real desk, locked
    for i in range(10):  # a flood of unknown consoles
        book.setdefault(f"?x{i}", _Guard())
    assert "1" in book and len(book) == 4
    book.setdefault("2", _Guard())
    book.setdefault("3", _Guard())
    book.setdefault("reception", _Guard())  # full of known ones: the oldest unlocked goes, never "1"
    assert "1" in book and len(book) == 4 and "?x9" not in book
    now[0] = 160.0  # all calm for longer than forget_s, "1" no longer locked
    book.setdefault("?y", _Guard())
    assert list(book) == ["?y"]
