"""The hub's reader of the online booking's calendar (issue 23, point 3): a background thread.

Steps of each poll (every `calendar.poll_s`, or at once when `poll_now` asks):
1. fetch the calendar (display.calendar_fetch) on this thread: the event loop, the UI and the
   HTTP answers never wait for the booking server;
2. turn its events into bookings (display.calendar_events.bookings), still on this thread; a
   document unchanged since the last read (same bytes) is not parsed again;
3. merge them into the appointments on the hub's database thread, in one transaction, and tell
   the consoles (`Hub.changed`).
A failed fetch or an unreadable answer changes nothing (no appointment is ever deleted or
cancelled by a failure): it is logged once when it starts and once when it ends, and shown on
the fleet page as a fault of the device "calendar" (`status`). `poll_now` (the technician's
`POST /api/calendar/poll`, and the tests) waits for a poll that starts after it was asked.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from config.model import CalendarSettings
from display import calendar_events
from display.calendar_fetch import CalendarUnavailable, fetch
from display.queue import QueueStore
from totem.clock import Clock

log = logging.getLogger(__name__)

POLL_NOW_TIMEOUT_S = 60.0
SKIP_WORDS = {"no_code": "without an 11-digit booking code", "no_service": "whose service matches no rule",
              "no_time": "without a time (all-day)", "recurring": "recurring", "no_uid": "without a UID",
              "unreadable": "unreadable"}


class Hub(Protocol):  # what the poller uses of display.hub.Hub (which holds the poller)
    clock: Clock
    store: QueueStore

    async def db(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any: ...
    def changed(self, call: dict[str, Any] | None = None) -> None: ...


class CalendarPoller:
    def __init__(self, *, hub: Hub, settings: CalendarSettings, loop: asyncio.AbstractEventLoop,
                 fetcher: Callable[..., list[bytes]] = fetch) -> None:
        self.hub = hub
        self.settings = settings
        self._loop = loop
        self._fetch = fetcher
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._done = threading.Condition()
        self._started = 0  # polls begun
        self._completed = 0  # polls finished (well or not)
        self._thread = threading.Thread(target=self._run, name="calendar", daemon=True)
        self.last_ok_at: str | None = None
        self.last_error: str | None = None
        self.failing_since: str | None = None
        self.last_merge: dict[str, int] = {}
        self.skipped: dict[str, int] = {}
        self.events_read = 0  # VEVENTs in the last good read (CalDAV: from yesterday on)
        self.timing_s: dict[str, float] = {}  # the last good read: fetch, parse, merge
        self._parsed: dict[bytes, calendar_events.Parsed] = {}  # document hash -> its bookings (last read)

    def start(self) -> CalendarPoller:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=READ_JOIN_S)

    def poll_now(self, timeout_s: float = POLL_NOW_TIMEOUT_S) -> dict[str, Any]:
        """Poll at once and wait for that poll (one that began after this call) to finish."""
        with self._done:
            wanted = self._started + 1
            self._wake.set()
            self._done.wait_for(lambda: self._completed >= wanted or self._stop.is_set(), timeout=timeout_s)
        return self.status()

    def status(self) -> dict[str, Any]:
        return {"url": self.settings.url, "kind": self.settings.kind, "poll_s": self.settings.poll_s,
                "last_ok_at": self.last_ok_at, "last_error": self.last_error, "failing_since": self.failing_since,
                "polls": self._completed, "events_read": self.events_read,
                "timing_s": dict(self.timing_s), "merged": dict(self.last_merge),
                "skipped": dict(self.skipped)}

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._done:
                self._started += 1
                self._wake.clear()
            try:
                self._poll()
            finally:
                with self._done:
                    self._completed += 1
                    self._done.notify_all()
            self._wake.wait(self.settings.poll_s)

    def _poll(self) -> None:
        now = self.hub.clock.now()
        try:
            t0 = time.perf_counter()
            documents = self._fetch(self.settings, since=now - timedelta(days=1))  # yesterday on: what can change
            t1 = time.perf_counter()
            parsed = self._parse(documents)
            t2 = time.perf_counter()
            merged = asyncio.run_coroutine_threadsafe(self.hub.db(self._merge, parsed.bookings, now),
                                                      self._loop).result(timeout=POLL_NOW_TIMEOUT_S)
            self.timing_s = {"fetch": round(t1 - t0, 3), "parse": round(t2 - t1, 3),
                             "merge": round(time.perf_counter() - t2, 3)}
        except CalendarUnavailable as exc:
            self._failed(str(exc), now)
            return
        except Exception as exc:  # a database or parsing fault: the next poll tries again
            log.exception("calendar poll failed")
            self._failed(f"{type(exc).__name__}: {exc}", now)
            return
        if self.last_error is not None:
            log.info("calendar readable again (%s)", self.settings.url)
        self.last_ok_at, self.last_error, self.failing_since = now.isoformat(), None, None
        self.last_merge, self.skipped = merged.as_json(), parsed.skipped
        self.events_read = len(parsed.bookings) + sum(parsed.skipped.values())
        changed = merged.created + merged.moved + merged.cancelled + merged.reopened
        if changed:
            log.info("calendar: %d new, %d moved, %d cancelled, %d opened again", merged.created, merged.moved,
                     merged.cancelled, merged.reopened)
            self._loop.call_soon_threadsafe(self.hub.changed)
        if parsed.skipped:
            log.debug("calendar: events skipped %s", parsed.skipped)

    def _parse(self, documents: list[bytes]) -> calendar_events.Parsed:
        """The bookings of these documents; a document read unchanged at the last poll is not parsed
        again (parsing is most of a poll's work: about 1 ms per event here)."""
        cache: dict[bytes, calendar_events.Parsed] = {}
        out = calendar_events.Parsed()
        for document in documents:
            key = hashlib.sha256(document).digest()
            one = cache.get(key) or self._parsed.get(key) or calendar_events.bookings([document], self.settings,
                                                                                       self.hub.store.tz)
            cache[key] = one
            out.bookings.extend(one.bookings)
            for reason, n in one.skipped.items():
                out.skipped[reason] = out.skipped.get(reason, 0) + n
        self._parsed = cache  # only what the calendar holds now: memory stays bounded
        return out

    def _failed(self, message: str, now: datetime) -> None:
        if message != self.last_error:
            log.warning("calendar not read: %s (appointments kept as they are)", message)
        self.last_error = message
        self.failing_since = self.failing_since or now.isoformat()

    def _merge(self, found: list[calendar_events.Booking], now: datetime) -> calendar_events.Merged:
        with self.hub.store.transaction() as db:
            return calendar_events.merge(db, found, today=now.astimezone(self.hub.store.tz).date(), now=now)


READ_JOIN_S = 30.0


def fault(status: dict[str, Any] | None, now: datetime) -> tuple[str | None, list[str]]:
    """The fleet page's verdict on the calendar: (fault or None, warnings)."""
    if status is None:
        return None, []
    warnings = [f"{n} event(s) {SKIP_WORDS.get(k, k)}: not imported" for k, n in sorted(status["skipped"].items())]
    merged = status["merged"]
    if merged.get("conflicts"):
        warnings.append(f"{merged['conflicts']} event(s) whose code is already another appointment's: not imported")
    if merged.get("over_limit"):
        warnings.append(f"{merged['over_limit']} event(s) over the open appointments' limit: not imported")
    if status["last_error"]:
        since = status["failing_since"]
        minutes = round((now - datetime.fromisoformat(since)).total_seconds() / 60) if since else 0
        return (f"booking calendar not read for {minutes} min: {status['last_error']}; appointments already "
                "imported are kept"), warnings
    return None, warnings
