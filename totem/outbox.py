"""Deliver every issued/void event to every push target, in order, at least once.

One thread per target with its own SQLite connection and HTTP session, so a stuck
target never delays another. Steps of one pass (`deliver`):
1. read the pending events (not yet acknowledged, not set aside);
2. send them: one `POST /api/tickets` for a single ticket, `POST /api/events/batch`
   for a backlog (a 1,000-event backlog is a handful of requests);
3. acknowledge in the store what the hub accepted (2xx for the event), then hand its
   answer (the people ahead of each ticket, the forecast) to the `HubView`;
4. an event the hub refuses as malformed (4xx for that event) is retried
   `SET_ASIDE_AFTER` times, then set aside (kept, shown in `totem status` and on the
   desk console, re-sendable with `totem resend`) so it never blocks the ones behind it.

Failure paths, each logged once per episode and retried with a backoff bounded by
`BACKOFF_CAP_S` (so a backlog reaches a hub that is back within about 2 s):
- the hub is unreachable or answers 5xx/401: nothing is acknowledged;
- the hub's answer is not what we expect: the events are acknowledged (the hub has them)
  and the answer is ignored;
- the store fails (disk full, database locked): nothing is acknowledged;
- any other exception: caught in `run`, which cannot end until `close()`.
While idle the thread follows the hub's forecast every `FOLLOW_S` and reports the
totem's health on change and every `heartbeat_s`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from datetime import datetime
from datetime import time as dt_time
from typing import Any
from zoneinfo import ZoneInfo

import requests

from config.model import Config
from totem import __version__
from totem.clock import Clock, SystemClock
from totem.hubclient import hub_session, json_object
from totem.hubview import HubView
from totem.numbering import service_day
from totem.standing import DeviceStanding, read_answer
from totem.store import Event, TicketStore

log = logging.getLogger(__name__)

BACKOFF_START_S = 0.25
BACKOFF_CAP_S = 2.0
CONNECT_TIMEOUT_S = 2.0
BATCH = 100            # events per batch request (the hub takes up to 200)
FOLLOW_S = 3.0         # the forecast is at most this old while the hub is up
SET_ASIDE_AFTER = 3    # refusals of one event before it is set aside
REFUSED = (400, 404, 409, 413, 422)


def event_request(base_url: str, event: Event) -> tuple[str, dict[str, Any]]:
    if event.kind == "issued":
        return f"{base_url}/api/tickets", event.payload
    return f"{base_url}/api/tickets/{event.ticket_id}/void", {"reason": event.payload.get("reason", "")}


def batch_item(event: Event) -> dict[str, Any]:
    if event.kind == "issued":
        return {"kind": "issued", "ticket": event.payload}
    return {"kind": "void", "id": event.ticket_id, "reason": str(event.payload.get("reason", ""))[:200]}


class PushFailed(Exception):
    """This pass stops here; the events from this one on are retried later."""


class TargetPusher:
    """Pushes one target's backlog. `run` loops until stopped; `deliver` does one pass."""

    def __init__(self, *, config: Config, target: str, clock: Clock, store: TicketStore,
                 view: HubView | None = None, standing: DeviceStanding | None = None) -> None:
        self.config = config
        self.standing = standing  # every heartbeat is a claim of this device's id (totem.standing)
        self.target = target
        self.clock = clock
        self.store = store
        self.view = view if view is not None else HubView()
        self.session = hub_session(config)
        self.timeout = (CONNECT_TIMEOUT_S, config.hub.push_timeout_s)
        self.wake_event = threading.Event()
        self.stop_event = threading.Event()
        self.backlog = store.backlog(target)
        self.set_aside = store.set_aside_count()
        self.last_error = ""
        self.health: dict[str, Any] = {"printer": "unknown", "version": __version__, "accepting": True,
                                       "fingerprint": config.fingerprint()}
        self._health_dirty = True
        self._health_sent_at = 0.0
        self._followed_at = -FOLLOW_S
        self._failing_since: float | None = None
        self._refusals: dict[int, int] = {}

    # -- delivery ----------------------------------------------------------------------------

    def deliver(self) -> bool:
        """Send pending events in order until none is left or sending fails. True if all went."""
        try:
            while not self.stop_event.is_set():
                events = self.store.pending_events(self.target, limit=BATCH)
                if not events:
                    self.backlog = 0
                    self._recovered()
                    return True
                if len(events) == 1:
                    self._send_one(events[0])
                else:
                    self._send_batch(events)
                self.backlog = self.store.backlog(self.target)
        except PushFailed as exc:
            self._failed(str(exc))
        return False

    def _post(self, url: str, body: dict[str, Any]) -> requests.Response:
        try:
            response = self.session.post(url, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            self.view.set_link(False)
            raise PushFailed(type(exc).__name__) from None
        if response.status_code >= 500 or response.status_code in (401, 403, 408, 429):
            self.view.set_link(response.status_code < 500)
            raise PushFailed(f"HTTP {response.status_code}: {response.text[:200]}")
        self.view.set_link(True)
        return response

    def _send_one(self, event: Event) -> None:
        url, body = event_request(self.target, event)
        response = self._post(url, body)
        answer = json_object(response)
        if response.status_code < 300:
            self.store.ack(self.target, event.seq)
            self._told(event, answer.get("position"), answer.get("services"))
            self._check_hub(answer.get("hub_id"))
        else:
            self._refused(event, f"HTTP {response.status_code}: {answer.get('error') or response.text[:200]}")

    def _send_batch(self, events: list[Event]) -> None:
        response = self._post(f"{self.target}/api/events/batch", {"events": [batch_item(e) for e in events]})
        if response.status_code == 404:  # a hub without the batch endpoint: one at a time
            self._send_one(events[0])
            return
        answer = json_object(response)
        results = answer.get("results")
        if response.status_code >= 300 or not isinstance(results, list) or len(results) != len(events):
            raise PushFailed(f"HTTP {response.status_code}: unusable batch answer")
        acked = 0
        for event, result in zip(events, results, strict=True):
            status = result.get("status") if isinstance(result, dict) else None
            if isinstance(status, int) and 200 <= status < 300:
                acked = event.seq
                continue
            if acked:
                self.store.ack(self.target, acked)
            self._refused(event, f"HTTP {status}: {result.get('error') if isinstance(result, dict) else result}")
            return
        self.store.ack(self.target, events[-1].seq)
        self._check_hub(answer.get("hub_id"))
        for event, result in zip(events, results, strict=True):
            self._told(event, result.get("position"), None)
        self._told(events[-1], None, answer.get("services"))

    def _check_hub(self, hub_id: Any) -> bool:
        """A hub whose database is new (restored, replaced, deleted) gets today's events again.
        True when events were put back in line."""
        if not isinstance(hub_id, str) or not 8 <= len(hub_id) <= 64:
            return False
        key = f"hub_id {self.target}"
        known = self.store.meta(key)
        if known == hub_id:
            return False
        self.store.set_meta(key, hub_id)
        if known is None:
            return False
        tz = ZoneInfo(self.config.site.timezone)
        today = service_day(self.clock.now(), tz)
        pending = self.store.rewind(self.target, since=datetime.combine(today, dt_time(0), tzinfo=tz))
        log.warning("hub at %s has a new database: sending today's events again (%d pending)", self.target, pending)
        self.backlog = pending
        return True

    def _refused(self, event: Event, reason: str) -> None:
        """The hub answered that this one event is wrong: retry a few times, then set it aside."""
        n = self._refusals.get(event.seq, 0) + 1
        self._refusals[event.seq] = n
        if n < SET_ASIDE_AFTER:
            raise PushFailed(f"{event.kind} {event.payload.get('code', event.ticket_id)} refused ({reason})")
        self.store.set_aside(self.target, event.seq, reason=reason, at=self.clock.now())
        self._refusals.pop(event.seq, None)
        self.set_aside = self.store.set_aside_count()
        log.error("event %d (%s %s) set aside after %d refusals: %s; later events go on (totem resend)",
                  event.seq, event.kind, event.payload.get("code", event.ticket_id), n, reason)

    def _told(self, event: Event, position: Any, services: Any) -> None:
        if event.kind == "issued" and position is not None:
            self.view.set_position(event.ticket_id, position)
        if services is not None:
            self.view.set_forecast(services, day=service_day(self.clock.now(), self.config.site.timezone),
                                   at=self.clock.now())

    def _failed(self, reason: str) -> None:
        self.last_error = reason
        try:
            self.backlog = self.store.backlog(self.target)
        except Exception:  # the store itself may be what fails; the count can wait
            log.debug("backlog unknown", exc_info=True)
        if self._failing_since is None:
            self._failing_since = time.monotonic()
            log.warning("push to %s failed (%s); %d event(s) kept for retry", self.target, reason, self.backlog)

    def _recovered(self) -> None:
        if self._failing_since is not None:
            log.info("push to %s works again", self.target)
            self._failing_since = None
        self.last_error = ""

    # -- following the hub -------------------------------------------------------------------

    def follow(self) -> None:
        """Fetch the hub's forecast (what a ticket taken now would be told) when it is due."""
        if time.monotonic() - self._followed_at < FOLLOW_S:
            return
        self._followed_at = time.monotonic()
        sent = self.clock.now()
        try:
            response = self.session.get(f"{self.target}/api/forecast", timeout=self.timeout)
        except requests.RequestException:
            self.view.set_link(False)
            return
        self.view.set_link(response.status_code < 500)
        if response.status_code == 200:
            answer = json_object(response)
            self.view.set_hub_clock(answer.get("now"), sent=sent, received=self.clock.now())
            if self._check_hub(answer.get("hub_id")):
                self.wake_event.set()
            self._told(Event(0, "void", "", {}), None, answer.get("services"))

    def set_health(self, **health: Any) -> None:
        if any(self.health.get(k) != v for k, v in health.items()):
            self.health.update(health)
            self._health_dirty = True
            self.wake_event.set()

    def send_health(self) -> None:
        due = time.monotonic() - self._health_sent_at >= self.config.hub.heartbeat_s
        if not (self._health_dirty or due):
            return
        body = {**self.health, "backlog": self.backlog, "set_aside": self.set_aside,
                **(self.standing.identity() if self.standing is not None else {})}
        try:
            response = self.session.post(f"{self.target}/api/totems/{self.config.totem.id}/status", json=body,
                                         timeout=self.timeout)
            ok, refused = read_answer(response.status_code, json_object(response))
        except requests.RequestException:
            ok, refused = False, None
        if ok and self.standing is not None:
            self.standing.answered(self.store, refused=refused)
        self._health_sent_at = time.monotonic()
        if ok:
            self._health_dirty = False

    def run(self) -> None:
        backoff = BACKOFF_START_S
        episode: str | None = None
        if self.standing is not None:  # first of all, claim this device's id (a second Pi with it stops at once)
            with contextlib.suppress(Exception):
                self.send_health()
        while not self.stop_event.is_set():
            try:
                ok = self.deliver()
                if ok:
                    self.follow()
                self.send_health()
                episode = None
            except Exception as exc:  # the pusher must outlive any fault: log once, back off, retry
                ok = False
                kind = type(exc).__name__
                if episode != kind:
                    log.exception("push to %s: unexpected %s; retrying", self.target, kind)
                    episode = kind
                self._failed(kind)
            if ok:
                backoff = BACKOFF_START_S
                wait = min(self.config.hub.heartbeat_s, FOLLOW_S)
            else:
                wait = backoff
                backoff = min(BACKOFF_CAP_S, backoff * 2)
            self.wake_event.wait(wait)
            self.wake_event.clear()

    def close(self) -> None:
        self.session.close()


class OutboxPusher:
    """One TargetPusher thread per push target."""

    def __init__(self, config: Config, *, clock: Clock | None = None, view: HubView | None = None,
                 standing: DeviceStanding | None = None) -> None:
        from totem.wiring import push_targets

        self.config = config
        self.clock = clock or SystemClock()
        self.view = view if view is not None else HubView()
        self._stores = [TicketStore.in_dir(config.totem.data_dir) for _ in push_targets(config)]
        self.pushers = [TargetPusher(config=config, target=t, clock=self.clock, store=s, view=self.view,
                                     standing=standing)
                        for t, s in zip(push_targets(config), self._stores, strict=True)]
        self._threads = [threading.Thread(target=p.run, name=f"outbox-{i}", daemon=True)
                         for i, p in enumerate(self.pushers)]

    @classmethod
    def start(cls, config: Config, *, clock: Clock | None = None, view: HubView | None = None,
              standing: DeviceStanding | None = None) -> OutboxPusher:
        pusher = cls(config, clock=clock, view=view, standing=standing)
        for thread in pusher._threads:
            thread.start()
        return pusher

    def wake(self) -> None:
        for pusher in self.pushers:
            pusher.wake_event.set()

    def backlog(self) -> int:
        return max((p.backlog for p in self.pushers), default=0)

    def alive(self) -> bool:
        return all(t.is_alive() for t in self._threads)

    def set_health(self, **health: Any) -> None:
        for pusher in self.pushers:
            pusher.set_health(**health)

    def close(self) -> None:
        for pusher in self.pushers:
            pusher.stop_event.set()
            pusher.wake_event.set()
        for pusher in self.pushers:
            pusher.session.close()  # ends a request in flight sooner
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=2.0)
        for pusher, store in zip(self.pushers, self._stores, strict=True):
            pusher.close()
            store.close()

    def __enter__(self) -> OutboxPusher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def deliver_once(config: Config, store: TicketStore, *, clock: Clock | None = None,
                 view: HubView | None = None) -> int:
    """One bounded delivery pass (used by `totem issue`); returns the backlog left."""
    from totem.wiring import push_targets

    left = 0
    for target in push_targets(config):
        pusher = TargetPusher(config=config, target=target, clock=clock or SystemClock(), store=store, view=view)
        try:
            pusher.deliver()
            left = max(left, pusher.backlog)
        finally:
            pusher.close()
    return left
