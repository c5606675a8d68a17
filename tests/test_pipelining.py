"""Honest small answers (issue 24, point 5): 2,000 pipelined `GET /api/state` in one write
once returned 59 MB from one connection. Answers on one connection are paced, and counted:
the connection closes after `REQUESTS_PER_CONNECTION` of them."""

from __future__ import annotations

import socket
import time

import requests
from conftest import HUB_NOW

from display.connlimit import REQUESTS_PER_CONNECTION

PIPELINED = 2_000


def seed(hub, config) -> None:  # type: ignore[no-untyped-def]
    """A morning's queue: 20 tickets listed in each of 8 services (a state of tens of KB)."""
    services = [s for s in config.services][:8]
    events = [{"kind": "issued", "ticket": {"id": f"seed-{s.id}-{n:04d}", "code": f"{s.prefix}{n:03d}",
                                            "service": s.id, "number": n, "issued_at": HUB_NOW.isoformat(),
                                            "totem": "totem-1"}} for s in services for n in range(1, 21)]
    answer = requests.post(f"{hub.url}/api/events/batch", json={"events": events}, timeout=10,
                           headers={"Authorization": f"Bearer {config.hub.token}"})
    assert answer.ok and all(r["status"] == 201 for r in answer.json()["results"])


def test_2000_pipelined_state_requests_get_a_bounded_answer(hub, config) -> None:  # type: ignore[no-untyped-def]
    seed(hub, config)
    one = len(requests.get(f"{hub.url}/api/state", timeout=5).content) + 1000  # the body and its headers
    bound = REQUESTS_PER_CONNECTION * one
    assert PIPELINED * one > 2 * bound, "test setup: the state is too small to show the amplification"
    request = f"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:{hub.port}\r\n\r\n".encode()
    received = 0
    with socket.create_connection(("127.0.0.1", hub.port), timeout=10) as conn:
        conn.sendall(request * PIPELINED)  # one write, as the red team sent it
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                chunk = conn.recv(1 << 16)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break  # the hub closed the connection
            received += len(chunk)
    assert 0 < received <= bound, f"{received} bytes for {PIPELINED} pipelined requests (bound {bound:.0f})"
    assert requests.get(f"{hub.url}/api/state", timeout=5).ok  # everyone else is served as before
