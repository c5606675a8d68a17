"""The push never dies and never blocks: a hub that answers nonsense, refuses one ticket,
or vanishes cannot stop the tickets behind. A real HTTP server on 127.0.0.1 plays the hub."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import rome, write_site

from config import load_config
from config.model import Config
from totem.clock import FrozenClock
from totem.hubview import HubView
from totem.issuing import Issuer
from totem.outbox import SET_ASIDE_AFTER, OutboxPusher
from totem.store import TicketStore

NOW = rome(2026, 12, 1, 10, 0)


class FakeHub:
    """Answers each ticket with `answer(ticket)` -> (status, body); records what arrived."""

    def __init__(self, answer: Callable[[dict[str, Any]], tuple[int, Any]], port: int = 0) -> None:
        self.received: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _reply(self, status: int, body: Any) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._reply(200, {"services": {"uffici": {"ahead": "abc"}}})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path == "/api/tickets":
                    status, out = answer(body)
                    if status < 300:
                        fake.received.append(body["code"])
                    self._reply(status, out)
                elif self.path == "/api/events/batch":
                    results = []
                    for item in body["events"]:
                        status, out = answer(item["ticket"]) if item["kind"] == "issued" else (200, {})
                        if status < 300 and item["kind"] == "issued":
                            fake.received.append(item["ticket"]["code"])
                        results.append({"status": status, **(out if isinstance(out, dict) else {})})
                    self._reply(200, {"results": results})
                else:
                    self._reply(200, {"ok": True})

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def config_for(tmp_path: Path, url: str) -> Config:
    return load_config(write_site(tmp_path, always_open=True, extra={
        "min_interval_s = 2": "min_interval_s = 0", 'url = "http://127.0.0.1:8080"': f'url = "{url}"'}))


def wait_for(condition: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


BAD_ANSWERS: list[Any] = [b"not json", [1, 2], {"position": {"ahead": 1e999}}, {"position": {"ahead": "abc"}},
                          {"services": {"uffici": {"waiting": 1e999, "avg_service_min": "abc"}}},
                          {"position": "x", "services": []}]


@pytest.mark.parametrize("answer", BAD_ANSWERS, ids=range(len(BAD_ANSWERS)))
def test_nothing_the_hub_answers_breaks_issuing_or_the_push(tmp_path: Path, clock: FrozenClock, answer: Any) -> None:
    with FakeHub(lambda t: (201, answer)) as hub:
        config = config_for(tmp_path, hub.url)
        view = HubView()
        with TicketStore.in_dir(config.totem.data_dir) as store, OutboxPusher.start(config, clock=clock,
                                                                                   view=view) as outbox:
            issuer = Issuer(config=config, store=store, clock=clock, view=view)
            for _ in range(3):
                ticket = issuer.issue("uffici")
                assert ticket.estimate is not None and ticket.estimate.exact is False  # nothing invented
                outbox.wake()
            assert wait_for(lambda: len(hub.received) == 3), hub.received
            assert wait_for(lambda: outbox.backlog() == 0) and outbox.alive()


def test_a_refused_ticket_is_set_aside_and_never_blocks_the_rest(tmp_path: Path, clock: FrozenClock) -> None:
    refuse = {"A002"}
    with FakeHub(lambda t: (400, {"error": "service: unknown"}) if t["code"] in refuse else (201, {})) as hub:
        config = config_for(tmp_path, hub.url)
        with TicketStore.in_dir(config.totem.data_dir) as store:
            issuer = Issuer(config=config, store=store, clock=clock)
            for _ in range(5):
                issuer.issue("uffici")
            with OutboxPusher.start(config, clock=clock) as outbox:
                assert wait_for(lambda: hub.received == ["A001", "A003", "A004", "A005"]), hub.received
                assert wait_for(lambda: outbox.backlog() == 0) and outbox.alive()
            [(_, event, reason)] = store.set_aside_events()
            assert event.payload["code"] == "A002" and "400" in reason
            assert SET_ASIDE_AFTER == 3
            refuse.clear()  # the technician fixed the hub's site file
            assert store.resend_set_aside() == 1 and store.set_aside_count() == 0
            with OutboxPusher.start(config, clock=clock):
                assert wait_for(lambda: "A002" in hub.received)


def test_the_push_outlives_a_failing_store(tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database write lock held too long, a full disk: logged, retried, and the thread lives on."""
    with FakeHub(lambda t: (201, {})) as hub:
        config = config_for(tmp_path, hub.url)
        # nothing to send when the pusher starts: no race with the patch below
        with TicketStore.in_dir(config.totem.data_dir) as store, OutboxPusher.start(config, clock=clock) as outbox:
            pusher_store = outbox.pushers[0].store
            real_ack = pusher_store.ack
            failures = {"left": 3}

            def flaky_ack(target: str, seq: int) -> None:
                if failures["left"]:
                    failures["left"] -= 1
                    raise OSError(28, "No space left on device")
                real_ack(target, seq)

            monkeypatch.setattr(pusher_store, "ack", flaky_ack)
            Issuer(config=config, store=store, clock=clock).issue("uffici")
            outbox.wake()
            assert wait_for(lambda: failures["left"] == 0 and outbox.backlog() == 0)
            assert outbox.alive()


def test_tickets_reach_a_hub_that_returns_within_3_s(tmp_path: Path, clock: FrozenClock) -> None:
    """The backoff is bounded: after minutes of failures the backlog still goes within ~2 s."""
    import socket

    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]  # nothing listens here until the hub comes back
    config = config_for(tmp_path, f"http://127.0.0.1:{port}")
    with TicketStore.in_dir(config.totem.data_dir) as store, OutboxPusher.start(config, clock=clock) as outbox:
        issuer = Issuer(config=config, store=store, clock=clock)
        for _ in range(10):
            issuer.issue("uffici")
            outbox.wake()
        time.sleep(6)  # long enough for the backoff to reach its cap
        with FakeHub(lambda t: (201, {}), port=port) as hub:
            # the deadline is a safety net; bench_lan measures the catch-up time (target < 3 s)
            assert wait_for(lambda: outbox.backlog() == 0, timeout_s=10)
            assert len(hub.received) == 10
