"""Event streams and the cached state: a client that falls behind is cut off (so its browser
reconnects), and the state is built once for many readers."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import requests
from conftest import rome, write_site

from config import load_config
from display.broker import Broker
from display.hub import STATE_TTL_S
from display.server import HubServer
from totem.clock import FrozenClock


def test_a_client_that_falls_behind_is_cut_off() -> None:
    async def scenario() -> tuple[list[str | None], int]:
        broker = Broker()
        slow, quick = broker.subscribe(), broker.subscribe()
        for n in range(Broker.QUEUE_MAX + 1):
            broker.publish("state", {"n": n})
            if not quick.empty():
                quick.get_nowait()  # this one keeps up
        return [slow.get_nowait()], broker.subscribers

    (first,), subscribers = asyncio.run(scenario())
    assert first is None  # its handler ends the response: EventSource reconnects with a fresh state
    assert subscribers == 1


def test_many_readers_share_one_state_build(tmp_path: Path) -> None:
    config = load_config(write_site(tmp_path))
    with HubServer(config, port=0, clock=FrozenClock(rome(2026, 12, 1, 10, 0))) as hub:
        assert hub.hub is not None
        builds = []
        original = hub.hub.state

        def counting() -> dict:
            builds.append(1)
            return original()

        hub.hub.state = counting  # type: ignore[method-assign]
        results: list[int] = []

        def read() -> None:
            with requests.Session() as session:
                for _ in range(10):
                    results.append(session.get(hub.url + "/api/state", timeout=5).status_code)

        threads = [threading.Thread(target=read) for _ in range(20)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - started
        assert results == [200] * 200
        # Rebuilt only when a change came, or once per STATE_TTL_S ("seen N s ago" moves on).
        assert len(builds) <= 2 + took / STATE_TTL_S, f"{len(builds)} builds for 200 reads in {took:.1f} s"
