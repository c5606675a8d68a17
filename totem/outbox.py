"""Deliver every issued/void event to every push target, in order, at least once.

One thread per target with its own SQLite connection and HTTP session, so a stuck
target never delays another. An event is acknowledged in the store only after the
target answered 2xx; after a crash or a reboot the thread starts again from the last
acknowledged event. The hub de-duplicates by ticket id. Failures back off
exponentially up to a cap; a new ticket wakes the thread at once.
The hub's answer (its queue snapshot) is saved for the estimate on the next tickets,
and the totem's health is reported on change and as a heartbeat.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, datetime
from typing import Any

import requests

from config.model import Config
from totem import __version__
from totem.clock import Clock, SystemClock
from totem.numbering import service_day
from totem.store import Event, TicketStore

log = logging.getLogger(__name__)

BACKOFF_START_S = 0.5
BACKOFF_CAP_S = 30.0
CONNECT_TIMEOUT_S = 2.0
BATCH = 200


def event_request(base_url: str, event: Event) -> tuple[str, dict[str, Any]]:
    if event.kind == "issued":
        return f"{base_url}/api/tickets", event.payload
    return f"{base_url}/api/tickets/{event.ticket_id}/void", {"reason": event.payload.get("reason", "")}


class TargetPusher:
    """Pushes one target's backlog. `run` loops until stopped; `deliver` does one pass."""

    def __init__(self, *, config: Config, target: str, clock: Clock, store: TicketStore) -> None:
        self.config = config
        self.target = target
        self.clock = clock
        self.store = store
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {config.hub.token}"
        self.timeout = (CONNECT_TIMEOUT_S, config.hub.push_timeout_s)
        self.wake_event = threading.Event()
        self.stop_event = threading.Event()
        self.backlog = store.backlog(target)
        self.health: dict[str, Any] = {"printer": "unknown", "version": __version__, "accepting": True}
        self._health_dirty = True
        self._health_sent_at = 0.0
        self._failing_since: float | None = None

    def deliver(self) -> bool:
        """Send pending events in order until none is left or one fails. True if all went."""
        while not self.stop_event.is_set():
            events = self.store.pending_events(self.target, limit=BATCH)
            if not events:
                self.backlog = 0
                return True
            for event in events:
                if self.stop_event.is_set():
                    return False
                url, body = event_request(self.target, event)
                try:
                    response = self.session.post(url, json=body, timeout=self.timeout)
                except requests.RequestException as exc:
                    self._failed(f"{type(exc).__name__}")
                    return False
                if response.status_code >= 300:
                    # 4xx never goes away by itself but skipping would lose the event: keep it, say why.
                    self._failed(f"HTTP {response.status_code}: {response.text[:200]}")
                    return False
                snapshot = self._snapshot(response) if event.kind == "issued" else None
                self.store.ack(self.target, event.seq, snapshot=snapshot)  # one fsync for both
                self.backlog = max(0, self.backlog - 1)
                if self._failing_since is not None:
                    log.info("push to %s works again", self.target)
                    self._failing_since = None
            self.backlog = self.store.backlog(self.target)
        return False

    def _failed(self, reason: str) -> None:
        self.backlog = self.store.backlog(self.target)
        if self._failing_since is None:
            self._failing_since = time.monotonic()
            log.warning("push to %s failed (%s); %d event(s) kept for retry", self.target, reason, self.backlog)

    def _snapshot(self, response: requests.Response) -> tuple[date, dict[str, tuple[int, float | None]],
                                                              datetime] | None:
        """The hub's per-service queue from its answer, if it is about today."""
        now = self.clock.now()
        today = service_day(now, self.config.site.timezone)
        try:
            services = response.json().get("services", {})
            snap = {sid: (int(v["waiting"]), v.get("avg_service_min")) for sid, v in services.items()
                    if v.get("service_day") == today.isoformat()}
        except (ValueError, KeyError, TypeError, AttributeError):
            log.debug("hub answer without a usable snapshot", exc_info=True)
            return None
        return (today, snap, now) if snap else None

    def set_health(self, **health: Any) -> None:
        if any(self.health.get(k) != v for k, v in health.items()):
            self.health.update(health)
            self._health_dirty = True
            self.wake_event.set()

    def send_health(self) -> None:
        due = time.monotonic() - self._health_sent_at >= self.config.hub.heartbeat_s
        if not (self._health_dirty or due):
            return
        body = {**self.health, "backlog": self.backlog}
        try:
            response = self.session.post(f"{self.target}/api/totems/{self.config.totem.id}/status", json=body,
                                         timeout=self.timeout)
            ok = response.status_code < 300
        except requests.RequestException:
            ok = False
        self._health_sent_at = time.monotonic()
        if ok:
            self._health_dirty = False

    def run(self) -> None:
        backoff = BACKOFF_START_S
        while not self.stop_event.is_set():
            ok = self.deliver()
            self.send_health()
            if ok:
                backoff = BACKOFF_START_S
                wait = self.config.hub.heartbeat_s
            else:
                wait = backoff
                backoff = min(BACKOFF_CAP_S, backoff * 2)
            self.wake_event.wait(wait)
            self.wake_event.clear()

    def close(self) -> None:
        self.session.close()


class OutboxPusher:
    """One TargetPusher thread per push target."""

    def __init__(self, config: Config, *, clock: Clock | None = None) -> None:
        from totem.wiring import push_targets

        self.config = config
        self.clock = clock or SystemClock()
        self._stores = [TicketStore.in_dir(config.totem.data_dir) for _ in push_targets(config)]
        self.pushers = [TargetPusher(config=config, target=t, clock=self.clock, store=s)
                        for t, s in zip(push_targets(config), self._stores, strict=True)]
        self._threads = [threading.Thread(target=p.run, name=f"outbox-{i}", daemon=True)
                         for i, p in enumerate(self.pushers)]

    @classmethod
    def start(cls, config: Config, *, clock: Clock | None = None) -> OutboxPusher:
        pusher = cls(config, clock=clock)
        for thread in pusher._threads:
            thread.start()
        return pusher

    def wake(self) -> None:
        for pusher in self.pushers:
            pusher.wake_event.set()

    def backlog(self) -> int:
        return max((p.backlog for p in self.pushers), default=0)

    def set_health(self, **health: Any) -> None:
        for pusher in self.pushers:
            pusher.set_health(**health)

    def close(self) -> None:
        for pusher in self.pushers:
            pusher.stop_event.set()
            pusher.wake_event.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=self.config.hub.push_timeout_s + CONNECT_TIMEOUT_S + 2)
        for pusher, store in zip(self.pushers, self._stores, strict=True):
            pusher.close()
            store.close()

    def __enter__(self) -> OutboxPusher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def deliver_once(config: Config, store: TicketStore, *, clock: Clock | None = None) -> int:
    """One bounded delivery pass (used by `totem issue`); returns the backlog left."""
    from totem.wiring import push_targets

    left = 0
    for target in push_targets(config):
        pusher = TargetPusher(config=config, target=target, clock=clock or SystemClock(), store=store)
        try:
            pusher.deliver()
            left = max(left, pusher.backlog)
        finally:
            pusher.close()
    return left
