"""The hub's core: the queue store on its database thread, group commits of incoming
tickets, the state every screen and console shows (built once per change, beside the
commits), and the events that tell listeners about changes.

The HTTP routes are in `display.routes`, the server and its periodic work in `display.server`.
Writes need the bearer token (constant-time compare) or, for desk actions, the desk's
session cookie.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from config.model import Config, Desk
from display import appointments, hold, listings, visits
from display.broker import Broker
from display.calendar_poller import CalendarPoller
from display.checkin_brake import CheckInBrake
from display.connlimit import StreamCap
from display.consoles import COOKIE_MAX_AGE_S, Device, DeviceRegistry, cookie_name
from display.desk_requests import DeskRequests
from display.queue import QueueStore
from display.reception import ReceptionIssuer
from display.sessions import DeskSessions
from display.undo import UNDO_WINDOW_S
from totem.clock import Clock
from totem.diskspace import DiskGuard, is_disk_full

log = logging.getLogger(__name__)


def require_same_origin(request: web.Request, *, json_body: bool = True) -> None:
    """Cookie-authenticated writes, unlocks and pairings: a JSON body and an Origin (or Referer)
    of this very hub. A page on another site can send neither (a cross-site JSON request needs
    CORS, which the hub never grants), so SameSite is not the only guard. `json_body` False:
    the reports' HTML form (the Origin check alone; a browser sends its form's Origin as "null"
    under the hub's no-referrer policy, and then its Sec-Fetch-Site must say same-origin)."""
    if json_body and request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text=json.dumps({"error": "desk actions need a JSON body"}),
                                           content_type="application/json")
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    if not json_body and source in ("", "null") and request.headers.get("Sec-Fetch-Site") == "same-origin":
        return  # a form the hub's own page posted: under Referrer-Policy no-referrer its Origin is "null"
    parts = urlsplit(source)
    if source == "null" or f"{parts.scheme}://{parts.netloc}" != f"{request.scheme}://{request.host}":
        raise web.HTTPForbidden(text=json.dumps({"error": "cross-site request refused"}),
                                content_type="application/json")

QUEUE_LISTED = 20  # tickets listed per service in the state (the count is always complete)
STATE_COALESCE_S = 0.05  # a burst of changes sends one state event
STATE_TTL_S = 1.0  # a cached state is rebuilt at least this often ("seen N s ago")
INGEST_BATCH = 200


HUB_KEY: web.AppKey[Hub] = web.AppKey("hub")  # the Hub in the aiohttp application (routes, report_routes)

class Hub:
    def __init__(self, *, config: Config, store: QueueStore, clock: Clock) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.broker = Broker()
        self.disk = DiskGuard(store.path.parent, reserve_bytes=round(config.hub.disk_reserve_mb * 1e6))
        self._disk_shown = False  # what the consoles were last told
        self.streams = StreamCap(config.hub.max_streams_per_address)
        self.fingerprint = config.fingerprint()
        self.desk_requests = DeskRequests(store)  # each click done once
        self.sessions = DeskSessions(config.hub.token, lifetime_s=config.hub.session_hours * 3600,
                                     data_dir=config.hub.data_dir)
        self.consoles = DeviceRegistry(config.hub.data_dir)  # paired consoles (display.consoles)
        self._state_pending = False
        self._version = 0
        self._state_cache: str | None = None
        self._state_version = -1
        self._state_day = ""
        self._state_bytes: tuple[str | None, bytes] = (None, b"")
        self._state_built_at = 0.0
        self._state_until: datetime | None = None  # a long wait changes the order then (calling rules)
        self._state_building: asyncio.Task[str] | None = None
        # One thread owns the SQLite connection: the event loop never waits for a disk write.
        self._db_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-db")
        # States are built here, beside (not behind) the group commits: a reader never waits for an fsync.
        self._state_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-state")
        self.reception: ReceptionIssuer | None = None  # [reception]: tickets issued at the entrance
        self.call_screen: bool | None = None  # the call screen runs in this process (None: not said, e.g. tests)
        self.calendar: CalendarPoller | None = None  # [calendar]: the online booking's appointments, read in
        self.checkin_brake = CheckInBrake()  # when each appointment number is compared (per address, global)
        self._loop: asyncio.AbstractEventLoop | None = None  # set at start, for the reception's worker thread
        self._ingest_queue: asyncio.Queue[tuple[dict[str, Any], asyncio.Future[tuple[bool, Any, Any]]]] | None = None
        self._batcher: asyncio.Task[None] | None = None
        self._reception_lock: asyncio.Lock | None = None

    def reception_lock(self) -> asyncio.Lock:
        """The reception's issues, one at a time (made on the event loop, where it is used)."""
        if self._reception_lock is None:
            self._reception_lock = asyncio.Lock()
        return self._reception_lock

    async def db(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._db_thread, partial(fn, *args, **kwargs))

    async def ingest(self, ticket: dict[str, Any]) -> tuple[bool, dict[str, Any], dict[str, Any]]:
        """Queue a ticket for the next group commit; returns (created, its position, the
        per-service forecast) once it is durably stored."""
        if self._ingest_queue is None:
            self._ingest_queue = asyncio.Queue()
            self._batcher = asyncio.get_running_loop().create_task(self._commit_batches())
        future: asyncio.Future[tuple[bool, Any, Any]] = asyncio.get_running_loop().create_future()
        await self._ingest_queue.put((ticket, future))
        return await future

    async def _commit_batches(self) -> None:
        assert self._ingest_queue is not None
        while True:
            batch = [await self._ingest_queue.get()]
            while not self._ingest_queue.empty() and len(batch) < INGEST_BATCH:
                batch.append(self._ingest_queue.get_nowait())
            groups = [batch]
            while groups:
                group = groups.pop(0)
                try:
                    results, forecast, moved = await self.db(self._commit, [t for t, _ in group])
                except Exception as exc:
                    if len(group) > 1:  # one bad ticket never fails its neighbours: commit them one by one
                        groups[:0] = [[item] for item in group]
                        continue
                    if is_disk_full(exc):
                        self.disk.failed()  # the next request reads the free space again (and is refused)
                    log.error("ticket %s could not be stored: %s", group[0][0].get("id"), exc)
                    if not group[0][1].done():
                        group[0][1].set_exception(exc)
                    continue
                if moved and self.broker.subscribers:  # the totems that printed them correct their screens
                    self.broker.publish("moved", {"tickets": moved})
                for (_, future), (was_new, position) in zip(group, results, strict=True):
                    if not future.done():
                        future.set_result((was_new, position, forecast))

    def _commit(self, tickets: list[dict[str, Any]]
                ) -> tuple[list[tuple[bool, dict[str, Any]]], dict[str, Any], list[dict[str, Any]]]:
        """On the DB thread: one transaction for the batch, one forecast shared by its answers,
        and the recent tickets of other totems the batch went ahead of."""
        now = self.clock.now()
        results = self.store.ingest_many(tickets, now=now)
        return results, self.store.forecast(now=now), self.store.moved

    def ingest_from_thread(self, ticket: dict[str, Any]) -> dict[str, Any]:
        """`ingest` for a worker thread (the reception's): blocks until stored; the ticket's position."""
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(self.ingest(ticket), self._loop)
        return future.result(timeout=30)[1]

    def void_from_thread(self, ticket_id: str) -> bool:
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(self.db(self.store.void, ticket_id, now=self.clock.now()),
                                                  self._loop)
        return bool(future.result(timeout=30))

    async def deliver_reception(self) -> None:
        if self.reception is not None:
            self._loop = asyncio.get_running_loop()
            if await asyncio.to_thread(self.reception.deliver, self.ingest_from_thread, self.void_from_thread):
                self.changed()

    def disk_full(self) -> bool:
        """The disk guard's verdict; when it flips, every console is told (the state changes)."""
        full = self.disk.full()
        if full != self._disk_shown:
            self._disk_shown = full
            self.changed()
        return full

    def close(self) -> None:
        if self._batcher is not None:
            self._batcher.cancel()
        self._state_thread.shutdown(wait=True)
        self._db_thread.shutdown(wait=True)

    # -- auth --------------------------------------------------------------------------------

    def bearer_ok(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), self.config.hub.token.encode())

    def require_token(self, request: web.Request) -> None:
        if not self.bearer_ok(request):
            raise web.HTTPUnauthorized(text=json.dumps({"error": "missing or wrong bearer token"}),
                                       content_type="application/json")

    def require_desk(self, request: web.Request, desk_id: str) -> Desk:
        """The desk, if this request may act on it: the bearer token, or the desk's session
        cookie on a same-origin JSON request (CSRF). An unknown desk looks exactly like a
        locked one (no enumeration)."""
        desk = self.config.desk(desk_id)
        self.require_session(request, session=desk_id, pin=desk.pin if desk else None,
                             cookie=DeskSessions.cookie_name(desk_id), what="desk", role="desk", target=desk_id)
        assert desk is not None
        return desk

    def paired(self, request: web.Request, role: str, target: str = "") -> Device | None:
        """The paired device this browser is for this console (its device cookie), or None."""
        return self.consoles.device(request.cookies.get(cookie_name(role, target)), role, target)

    def require_paired(self, request: web.Request, role: str, target: str = "") -> Device:
        """Unlocks start here, before any PIN is read: an unpaired browser cannot even try."""
        device = self.paired(request, role, target)
        if device is None:
            raise web.HTTPForbidden(text=json.dumps({"error": "this browser is not paired to this console: a "
                                                              "technician pairs it once (totem-display pair)",
                                                     "reason": "unpaired"}), content_type="application/json")
        return device

    def require_session(self, request: web.Request, *, session: str, pin: str | None, cookie: str,
                        what: str, role: str, target: str = "") -> None:
        """A console's right to act (a desk's, the reception's): the bearer token, or the session
        cookie its PIN gave on this paired device, on a same-origin JSON request for writes (CSRF).
        `pin` None: a console the site file does not have, which looks exactly like a locked one
        (no enumeration). The 401 says whether this browser is paired (the page asks for pairing)."""
        if pin is not None and self.bearer_ok(request):
            return
        device = self.paired(request, role, target)
        if pin is None or device is None or not self.sessions.valid(session, pin, request.cookies.get(cookie),
                                                                     device.id):
            raise web.HTTPUnauthorized(text=json.dumps({"error": f"{what} locked: unlock it with its PIN",
                                                        "paired": device is not None}),
                                       content_type="application/json")
        if request.method != "GET":
            require_same_origin(request)

    def unlock(self, request: web.Request, *, session: str, given: str, pin: str | None, cookie: str,
               label: str, answer: dict[str, Any], device: Device) -> web.Response:
        """A PIN typed on a paired console (the caller checked Origin, content type and pairing
        before reading the body). The lockout check, the comparison and the count happen here
        with no await in between, so concurrent guesses are counted before any is compared (at
        most 5 per lockout window per paired device). `pin` None: an unknown console, treated
        as one with a PIN nobody knows."""
        result = self.sessions.try_pin(session if pin is not None else f"?{session}", given,
                                       pin if pin is not None else secrets.token_hex(8), device=device.id)
        if result.locked_for_s:
            if result.just_locked:  # once per lockout, not once per guess (an attack cannot fill the log)
                log.warning("%s: device %s locked for %.0f s after repeated wrong PINs", label, device.id,
                            result.locked_for_s)
            return web.json_response({"error": f"too many wrong PINs; retry in {result.locked_for_s:.0f} s",
                                      "retry_after_s": round(result.locked_for_s)}, status=429,
                                     headers={"Retry-After": str(round(result.locked_for_s))})
        if not result.ok or pin is None:
            log.warning("%s: wrong PIN on device %s (%d more before the lockout)", label, device.id, result.left)
            return web.json_response({"error": "wrong PIN", "attempts_left": result.left}, status=401)
        response = web.json_response({"ok": True, **answer})
        # Browsers cap a cookie's life (Chrome: 400 days): each unlock renews the device credential's.
        device_cookie = cookie_name(device.role, device.target)
        response.set_cookie(device_cookie, request.cookies.get(device_cookie, ""), httponly=True, samesite="Strict",
                            path="/", max_age=COOKIE_MAX_AGE_S, secure=request.secure)
        response.set_cookie(cookie, self.sessions.issue(session, pin, device.id), httponly=True, samesite="Strict",
                            path="/", max_age=round(self.sessions.lifetime_s), secure=request.secure)
        return response

    # -- state -------------------------------------------------------------------------------

    def _state_reading(self) -> dict[str, Any]:
        """On the state thread: the state through the store's read-only connection."""
        with self.store.reading():
            return self.state()

    def state(self) -> dict[str, Any]:
        """Today's queue, calls, desks and totems. Everything listed comes from the call order."""
        now = self.clock.now()
        store = self.store
        day = store.sync(now)
        until = store.order.next_ageing(now.astimezone(UTC).isoformat(timespec="microseconds"))
        self._state_until = datetime.fromisoformat(until) if until else None
        live = store.live(now=now)
        forecast = live["services"]
        services = []
        known = [(s.id, s.prefix, s.labels, s.priority, s.colour, s.avg_service_min) for s in self.config.services]
        unknown = [(sid, "?", {lang: sid for lang in self.config.site.languages}, False, "#555555", None)
                   for sid in store.extra_services()]
        for sid, prefix, labels, priority, colour, configured in known + unknown:
            listed = store.waiting(sid, now=now, limit=QUEUE_LISTED)
            booked = appointments.notes(store.reader(), [t.id for t in listed if t.priority]) if priority else {}
            told = forecast.get(sid, {})
            measured = told.get("avg_service_min")
            services.append({"id": sid, "prefix": prefix, "label": labels, "priority": priority, "colour": colour,
                             "known": configured is not None, "waiting": store.waiting_count(sid, now=now),
                             "avg_service_min": measured or configured, "measured": measured is not None,
                             "ahead_now": told.get("ahead"), "ahead_exact": told.get("exact"),
                             "wait_low_min": told.get("wait_low_min"), "wait_high_min": told.get("wait_high_min"),
                             "queue": [{"code": t.code, "issued_at": t.issued_at, "priority": t.priority,
                                        "flags": t.as_json()["flags"],
                                        **({"appointment": {"time": booked[t.id][0], "service": booked[t.id][1]}}
                                           if t.id in booked else {})} for t in listed]})
        desks = []
        held = hold.held_at_desks(store.reader(), day)  # turns held by each desk ("Sospendi")
        for d in self.config.desks:
            current = store.current(d.id, now=now)
            desks.append({"id": d.id, "name": d.name, "services": list(d.services) + store.extra_services(),
                          "current": current.as_json(public=True) if current else None,
                          "paused": d.id in store.paused, "held": held.get(d.id, []),
                          "contacts": visits.today_at_desk(store.reader(), day, d.id),
                          **({"next": store.next_up(d.id, now=now)} if store.order.rules else {})})  # issue 23
        totems = []
        stale_after = 2.5 * self.config.hub.heartbeat_s
        reception = self.config.reception.issuer if self.config.reception is not None else None
        for totem_id, health, seen_at in listings.totems(store.reader()):
            if totem_id == reception:  # a web page on this hub, not a device: never a broken totem (issue 19)
                continue
            ago = (now - datetime.fromisoformat(seen_at)).total_seconds()
            totems.append({"id": totem_id, **health, "seen_s_ago": round(ago), "reachable": ago <= stale_after})
        desk_names = {d.id: d.name for d in self.config.desks}
        calls = [{**{k: v for k, v in c.items() if k != "id"},  # ids stay off the public state
                  "desk_name": desk_names.get(str(c["desk"]), str(c["desk"]))}
                 for c in listings.last_calls(store.reader(), day, limit=5)]
        flagged = [{**t.as_json(public=True), "totem": t.totem} for t in listings.flagged(store.reader(), day)]
        noshows = [{"code": t.code, "service": t.service_id} for t in listings.noshows(store.reader(), day)]
        return {"now": now.isoformat(), "service_day": day, "fingerprint": self.fingerprint, "live": live,
                "services": services, "desks": desks, "calls": calls,
                "totems": totems, "counts": store.counts(day), "flagged": flagged, "noshows": noshows,
                "message": self.config.hub.message, "undo_window_s": UNDO_WINDOW_S, "disk": self.disk.as_json(),
                "site": {"name": self.config.site.name, "desk_name": self.config.site.desk_name}}

    def changed(self, call: dict[str, Any] | None = None) -> None:
        """Calls go out at once; state events are coalesced, and built only for listeners."""
        self._version += 1  # the cached state is out of date
        if not self.broker.subscribers:
            return
        if call is not None:
            self.broker.publish("call", call)
        if not self._state_pending:
            self._state_pending = True
            asyncio.get_running_loop().call_later(STATE_COALESCE_S, self._publish_state)

    def _publish_state(self) -> None:
        asyncio.get_running_loop().create_task(self._publish_state_async())

    async def _publish_state_async(self) -> None:
        self._state_pending = False
        if self.broker.subscribers:
            self.broker.publish("state", await self.state_json())

    async def state_bytes(self) -> bytes:
        text = await self.state_json()
        if self._state_bytes[0] is not text:
            self._state_bytes = (text, text.encode())
        return self._state_bytes[1]

    async def state_json(self) -> str:
        """The state as JSON, built at most once per change (and per `STATE_TTL_S`, since it
        shows how long ago each totem was seen). One build at a time: readers arriving during
        a build wait for the next one, which they share, so every reader sees every change
        acknowledged before it asked, and 100 readers cost one build (under a millisecond
        with 10,000 waiting), not 100."""
        loop = asyncio.get_running_loop()
        wanted = self._version
        while True:
            if self._state_cache is not None and self._state_version >= wanted \
                    and loop.time() - self._state_built_at < STATE_TTL_S \
                    and self._state_day == self.store.day(self.clock.now()) \
                    and (self._state_until is None or self.clock.now() <= self._state_until):
                # (at midnight the state empties; after a ticket's long-wait line the order changes: issue 23)
                return self._state_cache
            building = self._state_building
            mine = building is None
            if building is None:
                building = self._state_building = loop.create_task(self._build_state())
            text = await asyncio.shield(building)
            if mine:  # begun after this reader asked: it holds every change before, whatever the cache says
                return text

    async def _build_state(self) -> str:
        version = self._version
        try:
            day = self.store.day(self.clock.now())
            loop = asyncio.get_running_loop()
            text = json.dumps(await loop.run_in_executor(self._state_thread, self._state_reading),
                              separators=(",", ":"))
            if version >= self._state_version:
                self._state_cache, self._state_version, self._state_day = text, version, day
                self._state_built_at = asyncio.get_running_loop().time()
            return text
        finally:
            if self._state_building is asyncio.current_task():
                self._state_building = None
