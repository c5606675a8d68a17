"""The hub: HTTP API of DESIGN.md, the desk console, and live updates over server-sent events.

aiohttp serves everything on one asyncio loop; SQLite calls are short (one fsync'd
transaction) and run on that loop. Writes need the bearer token (constant-time compare)
or, for desk actions, the desk's session cookie.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from aiohttp import web

from config.model import Config
from display import validation
from display.queue import QueueStore
from display.sessions import DeskSessions
from display.validation import BadRequest
from totem import __version__
from totem.clock import Clock, SystemClock

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY_BYTES = 16 * 1024
BATCH_MAX_BYTES = 256 * 1024
BATCH_MAX_EVENTS = 200
KEEPALIVE_S = 15.0
QUEUE_LISTED = 20  # tickets listed per service in the state (the count is always complete)
STATE_COALESCE_S = 0.05  # a burst of changes sends one state event
STATE_TTL_S = 1.0  # a cached state is rebuilt at least this often ("seen N s ago")
INGEST_BATCH = 200
REFRESH_S = 15.0  # listeners get the state at least this often ("totem unreachable for N minutes")
PRUNE_EVERY_S = 6 * 3600.0
HUB_KEY: web.AppKey[Hub] = web.AppKey("hub")


class Broker:
    """Fan-out of server-sent events to every open stream.

    A client that falls `QUEUE_MAX` events behind is cut off: its queue is emptied and a
    `None` tells its handler to end the response, so the browser's EventSource reconnects
    and starts again from a fresh state, instead of a console frozen while it looks "connected".
    """

    QUEUE_MAX = 100

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[str | None]] = set()
        self.dropped = 0

    def subscribe(self) -> asyncio.Queue[str | None]:
        queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=self.QUEUE_MAX)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str | None]) -> None:
        self._queues.discard(queue)

    def publish(self, event: str, data: dict[str, Any] | str) -> None:
        payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
        message = f"event: {event}\ndata: {payload}\n\n"
        for queue in list(self._queues):
            if queue.full():  # a stuck client: end its stream rather than grow without bound
                self._queues.discard(queue)
                self.dropped += 1
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(None)
                continue
            queue.put_nowait(message)

    def close_all(self) -> None:
        """End every stream (the hub is stopping)."""
        for queue in list(self._queues):
            while not queue.empty():
                queue.get_nowait()
            queue.put_nowait(None)
        self._queues.clear()

    @property
    def subscribers(self) -> int:
        return len(self._queues)


class Hub:
    def __init__(self, *, config: Config, store: QueueStore, clock: Clock) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.broker = Broker()
        self.fingerprint = config.fingerprint()
        self.sessions = DeskSessions(config.hub.token)
        self._state_pending = False
        self._version = 0
        self._state_cache: str | None = None
        self._state_version = -1
        self._state_day = ""
        self._state_bytes: tuple[str | None, bytes] = (None, b"")
        self._state_built_at = 0.0
        self._state_building: asyncio.Task[str] | None = None
        # One thread owns the SQLite connection: the event loop never waits for a disk write.
        self._db_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-db")
        self._ingest_queue: asyncio.Queue[tuple[dict[str, Any], asyncio.Future[tuple[bool, Any, Any]]]] | None = None
        self._batcher: asyncio.Task[None] | None = None

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
                    results, forecast = await self.db(self._commit, [t for t, _ in group])
                except Exception as exc:
                    if len(group) > 1:  # one bad ticket never fails its neighbours: commit them one by one
                        groups[:0] = [[item] for item in group]
                        continue
                    log.error("ticket %s could not be stored: %s", group[0][0].get("id"), exc)
                    if not group[0][1].done():
                        group[0][1].set_exception(exc)
                    continue
                for (_, future), (was_new, position) in zip(group, results, strict=True):
                    if not future.done():
                        future.set_result((was_new, position, forecast))

    def _commit(self, tickets: list[dict[str, Any]]) -> tuple[list[tuple[bool, dict[str, Any]]], dict[str, Any]]:
        """On the DB thread: one transaction for the batch, one forecast shared by its answers."""
        now = self.clock.now()
        return self.store.ingest_many(tickets, now=now), self.store.forecast(now=now)

    def close(self) -> None:
        if self._batcher is not None:
            self._batcher.cancel()
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

    def require_desk(self, request: web.Request, desk_id: str) -> None:
        if self.bearer_ok(request):
            return
        if not self.sessions.valid(desk_id, request.cookies.get(DeskSessions.cookie_name(desk_id))):
            raise web.HTTPUnauthorized(text=json.dumps({"error": "desk locked: unlock it with its PIN"}),
                                       content_type="application/json")

    # -- state -------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Today's queue, calls, desks and totems. Everything listed comes from the call order."""
        now = self.clock.now()
        store = self.store
        day = store.sync(now)
        forecast = store.forecast(now=now)
        services = []
        known = [(s.id, s.prefix, s.labels, s.priority, s.colour, s.avg_service_min) for s in self.config.services]
        unknown = [(sid, "?", {lang: sid for lang in self.config.site.languages}, False, "#555555", None)
                   for sid in store.extra_services()]
        for sid, prefix, labels, priority, colour, configured in known + unknown:
            listed = store.waiting(sid, now=now, limit=QUEUE_LISTED)
            told = forecast.get(sid, {})
            measured = told.get("avg_service_min")
            services.append({"id": sid, "prefix": prefix, "label": labels, "priority": priority, "colour": colour,
                             "known": configured is not None, "waiting": store.waiting_count(sid, now=now),
                             "avg_service_min": measured or configured, "measured": measured is not None,
                             "ahead_now": told.get("ahead"), "ahead_exact": told.get("exact"),
                             "wait_low_min": told.get("wait_low_min"), "wait_high_min": told.get("wait_high_min"),
                             "queue": [{"code": t.code, "issued_at": t.issued_at, "priority": t.priority,
                                        "flags": t.as_json()["flags"]} for t in listed]})
        desks = []
        for d in self.config.desks:
            current = store.current(d.id, now=now)
            desks.append({"id": d.id, "name": d.name, "services": list(d.services) + store.extra_services(),
                          "current": current.as_json() if current else None})
        totems = []
        stale_after = 2.5 * self.config.hub.heartbeat_s
        for totem_id, health, seen_at in store.totems():
            ago = (now - datetime.fromisoformat(seen_at)).total_seconds()
            totems.append({"id": totem_id, **health, "seen_s_ago": round(ago), "reachable": ago <= stale_after})
        desk_names = {d.id: d.name for d in self.config.desks}
        calls = [{**c, "desk_name": desk_names.get(str(c["desk"]), str(c["desk"]))}
                 for c in store.last_calls(now=now, limit=5)]
        flagged = [{**t.as_json(), "totem": t.totem} for t in store.flagged(now=now)]
        return {"now": now.isoformat(), "service_day": day, "fingerprint": self.fingerprint,
                "services": services, "desks": desks, "calls": calls,
                "totems": totems, "counts": store.counts(day), "flagged": flagged, "message": self.config.hub.message,
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
                    and self._state_day == self.store.day(self.clock.now()):  # at midnight the state empties
                return self._state_cache
            if self._state_building is None:
                self._state_building = loop.create_task(self._build_state())
            await asyncio.shield(self._state_building)

    async def _build_state(self) -> str:
        version = self._version
        try:
            day = self.store.day(self.clock.now())
            text = json.dumps(await self.db(self.state), separators=(",", ":"))
            if version >= self._state_version:
                self._state_cache, self._state_version, self._state_day = text, version, day
                self._state_built_at = asyncio.get_running_loop().time()
            return text
        finally:
            if self._state_building is asyncio.current_task():
                self._state_building = None


async def _json(request: web.Request, *, limit: int = MAX_BODY_BYTES) -> Any:
    raw = await request.read()
    if len(raw) > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(raw))
    try:
        return json.loads(raw.decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise BadRequest("body", f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except UnicodeDecodeError:
        raise BadRequest("body", "not UTF-8") from None
    except RecursionError:
        raise BadRequest("body", "nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise BadRequest("body", f"not acceptable JSON ({str(exc)[:80]})") from None


@web.middleware
async def errors(request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
    try:
        return await handler(request)
    except BadRequest as exc:
        return web.json_response({"error": str(exc), "field": exc.field}, status=400)
    except web.HTTPRequestEntityTooLarge as exc:
        return web.json_response({"error": f"body too large ({exc.text or 'over the limit'})"}, status=413)


def _hub(request: web.Request) -> Hub:
    return request.app[HUB_KEY]


async def post_ticket(request: web.Request) -> web.Response:
    hub = _hub(request)
    hub.require_token(request)
    body = validation.ticket(await _json(request), hub.config)
    created, position, forecast = await hub.ingest(body)
    if created:
        log.info("ticket %s (%s) from %s", body["code"], body["service"], body["totem"])
        hub.changed()
    return web.json_response({"created": created, "position": position, "services": forecast,
                              "hub_id": hub.store.hub_id}, status=201 if created else 200)


async def post_batch(request: web.Request) -> web.Response:
    """A totem's backlog in one request: issued and void events in order, one result each.
    A malformed event gets its own 400 and never fails the others."""
    hub = _hub(request)
    hub.require_token(request)
    body = validation.expect_object(await _json(request, limit=BATCH_MAX_BYTES))
    items = body.get("events")
    if not isinstance(items, list) or not 1 <= len(items) <= BATCH_MAX_EVENTS:
        raise BadRequest("events", f"must be a list of 1-{BATCH_MAX_EVENTS} events", type(items).__name__)
    results: list[dict[str, Any]] = [{}] * len(items)
    pending: list[tuple[int, dict[str, Any]]] = []

    async def flush() -> None:
        outcomes = await asyncio.gather(*(hub.ingest(t) for _, t in pending), return_exceptions=True)
        for (i, _), outcome in zip(pending, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                results[i] = {"status": 500, "error": "could not be stored"}
            else:
                results[i] = {"status": 201 if outcome[0] else 200, "position": outcome[1]}
        pending.clear()

    changed = False
    for i, item in enumerate(items):
        try:
            item = validation.expect_object(item)
            if item.get("kind") == "issued":
                pending.append((i, validation.ticket(item.get("ticket"), hub.config)))
            elif item.get("kind") == "void":
                await flush()  # a void follows its own issued event
                ticket_id = validation.ticket_id(item.get("id"))
                validation.void({"reason": item.get("reason", "")})
                changed |= await hub.db(hub.store.void, ticket_id, now=hub.clock.now())
                results[i] = {"status": 200}
            else:
                raise BadRequest("kind", "must be 'issued' or 'void'", item.get("kind"))
        except BadRequest as exc:
            results[i] = {"status": 400, "error": str(exc), "field": exc.field}
    await flush()
    if changed or any(r.get("status") == 201 for r in results):
        hub.changed()
    forecast = await hub.db(hub.store.forecast, now=hub.clock.now())
    return web.json_response({"results": results, "services": forecast, "hub_id": hub.store.hub_id})


async def get_forecast(request: web.Request) -> web.Response:
    """What a ticket taken now would be told, per service: the totems follow this."""
    hub = _hub(request)
    now = hub.clock.now()
    forecast = await hub.db(hub.store.forecast, now=now)
    return web.json_response({"now": now.isoformat(), "services": forecast, "hub_id": hub.store.hub_id,
                              "fingerprint": hub.fingerprint})


async def void_ticket(request: web.Request) -> web.Response:
    hub = _hub(request)
    hub.require_token(request)
    ticket_id = validation.ticket_id(request.match_info["ticket_id"])
    body = await _json(request) if request.can_read_body else None
    reason = validation.void(body)
    if await hub.db(hub.store.void, ticket_id, now=hub.clock.now()):
        log.warning("ticket %s voided by its totem: %s", ticket_id, reason or "no reason")
        hub.changed()
    return web.json_response({"id": ticket_id, "status": "void"})


async def desk_action(request: web.Request) -> web.Response:
    hub = _hub(request)
    desk_id = request.match_info["desk_id"]
    desk = hub.config.desk(desk_id)
    if desk is None:
        raise web.HTTPNotFound(text=json.dumps({"error": f"unknown desk {desk_id!r}"}), content_type="application/json")
    hub.require_desk(request, desk_id)
    action = request.match_info["action"]
    now = hub.clock.now()
    call = None
    extra: dict[str, Any] = {}
    if action == "next":
        ticket = await hub.db(hub.store.call_next, desk_id, now=now)
        if ticket is None:
            hub.changed()
            return web.Response(status=204)
        call = {"id": ticket.id, "code": ticket.code, "desk": desk_id, "desk_name": desk.name,
                "service": ticket.service_id, "recall": False, "called_at": ticket.called_at}
    elif action == "recall":
        ticket = await hub.db(hub.store.recall, desk_id, now=now)
        if ticket is not None:
            call = {"id": ticket.id, "code": ticket.code, "desk": desk_id, "desk_name": desk.name,
                    "service": ticket.service_id, "recall": True, "called_at": now.isoformat()}
    elif action in ("done", "noshow"):
        ticket = await hub.db(hub.store.finish, desk_id, "served" if action == "done" else "noshow", now=now)
    elif action == "transfer":
        service_id, to_desk, priority = validation.transfer(await _json(request), hub.config)
        moved = await hub.db(hub.store.transfer, desk_id, service_id, now=now, to_desk=to_desk, priority=priority)
        ticket = moved.ticket if moved is not None else None
        if moved is not None:
            extra["only_desk"] = moved.only_desk
    else:
        raise web.HTTPNotFound()
    if ticket is None:
        return web.json_response({"error": f"desk {desk_id} has no ticket in service"}, status=409)
    log.info("desk %s: %s %s", desk_id, action, ticket.code)
    hub.changed(call)
    return web.json_response({"ticket": ticket.as_json(), **extra})


async def desk_session(request: web.Request) -> web.Response:
    hub = _hub(request)
    desk_id = request.match_info["desk_id"]
    if hub.config.desk(desk_id) is None:
        raise web.HTTPNotFound(text=json.dumps({"error": f"unknown desk {desk_id!r}"}), content_type="application/json")
    hub.require_desk(request, desk_id)
    return web.json_response({"desk": desk_id, "unlocked": True})


async def totem_status(request: web.Request) -> web.Response:
    hub = _hub(request)
    hub.require_token(request)
    totem_id = request.match_info["totem_id"]
    if not validation._TOTEM_RE.fullmatch(totem_id):
        raise BadRequest("totem", "must be a totem id", totem_id)
    health = validation.health(await _json(request))
    await hub.db(hub.store.totem_health, totem_id, health, now=hub.clock.now())
    hub.changed()
    return web.json_response({"ok": True})


async def get_state(request: web.Request) -> web.Response:
    hub = _hub(request)
    return web.Response(body=await hub.state_bytes(), content_type="application/json")


async def events(request: web.Request) -> web.StreamResponse:
    hub = _hub(request)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    queue = hub.broker.subscribe()
    try:
        first = f"event: state\ndata: {await hub.state_json()}\n\n"
        await response.write(first.encode())
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_S)
            except TimeoutError:
                message = ": keepalive\n\n"
            if message is None:  # fell too far behind: end the stream, the client reconnects
                break
            await response.write(message.encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        hub.broker.unsubscribe(queue)
    return response


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True, "version": __version__})


async def desk_page(request: web.Request) -> web.Response:
    hub = _hub(request)
    desk = hub.config.desk(request.match_info["desk_id"])
    if desk is None:
        raise web.HTTPNotFound(text="unknown desk")
    page = (STATIC / "desk.html").read_text(encoding="utf-8")
    page = page.replace("{{DESK_ID}}", html.escape(desk.id)).replace("{{DESK_NAME}}", html.escape(desk.name))
    page = page.replace("{{SITE}}", html.escape(hub.config.site.desk_name))
    return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-store"})


async def unlock(request: web.Request) -> web.Response:
    hub = _hub(request)
    desk = hub.config.desk(request.match_info["desk_id"])
    if desk is None:
        raise web.HTTPNotFound(text="unknown desk")
    client = request.remote or "?"
    wait = hub.sessions.locked_for(desk.id, client)
    if wait:
        return web.json_response({"error": f"too many wrong PINs; retry in {wait:.0f} s"}, status=429)
    given = validation.pin(await _json(request))
    if not hub.sessions.check_pin(desk.id, client, given, desk.pin):
        log.warning("desk %s: wrong PIN from %s", desk.id, client)
        return web.json_response({"error": "wrong PIN"}, status=401)
    response = web.json_response({"ok": True, "desk": desk.id})
    response.set_cookie(DeskSessions.cookie_name(desk.id), hub.sessions.issue(desk.id), httponly=True,
                        samesite="Strict", path="/", max_age=12 * 3600)
    return response


async def index(request: web.Request) -> web.Response:
    hub = _hub(request)
    links = "".join(f'<li><a href="/desk/{html.escape(d.id)}">{html.escape(d.name)}</a></li>' for d in hub.config.desks)
    return web.Response(text=f"<!doctype html><meta charset=utf-8><title>{html.escape(hub.config.site.desk_name)}"
                             f"</title><h1>{html.escape(hub.config.site.desk_name)}</h1><ul>{links}</ul>",
                        content_type="text/html")


def build_app(hub: Hub) -> web.Application:
    app = web.Application(client_max_size=BATCH_MAX_BYTES, middlewares=[errors])
    app[HUB_KEY] = hub
    app.add_routes([
        web.post("/api/tickets", post_ticket),
        web.post("/api/tickets/{ticket_id}/void", void_ticket),
        web.post("/api/events/batch", post_batch),
        web.post("/api/desks/{desk_id}/{action:next|recall|done|noshow|transfer}", desk_action),
        web.get("/api/desks/{desk_id}/session", desk_session),
        web.post("/api/totems/{totem_id}/status", totem_status),
        web.get("/api/state", get_state),
        web.get("/api/forecast", get_forecast),
        web.get("/api/events", events),
        web.get("/healthz", healthz),
        web.get("/desk/{desk_id}", desk_page),
        web.post("/desk/{desk_id}/unlock", unlock),
        web.get("/", index),
        web.static("/static", STATIC),
    ])
    return app


class HubServer:
    """The hub on its own thread and event loop (beside the call screen, or in tests)."""

    def __init__(self, config: Config, *, host: str | None = None, port: int | None = None,
                 clock: Clock | None = None) -> None:
        self.config = config
        self.host = host or config.hub.listen_host
        self.port = config.hub.listen_port if port is None else port
        self.clock = clock or SystemClock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="hub", daemon=True)
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task[None] | None = None
        self.store: QueueStore | None = None
        self.hub: Hub | None = None

    def _prune(self) -> None:
        assert self.store is not None
        today = self.clock.now().astimezone(self.store.tz).date()
        pruned = self.store.prune(keep_days=self.config.hub.history_days, today=today)
        if pruned:
            log.info("pruned %d tickets older than %d days", pruned, self.config.hub.history_days)

    async def _tick(self) -> None:
        """Periodic work: refresh listeners (so a silent totem shows as unreachable), prune old days."""
        assert self.hub is not None
        last_prune = asyncio.get_running_loop().time()
        while True:
            await asyncio.sleep(REFRESH_S)
            self.hub.changed()
            if asyncio.get_running_loop().time() - last_prune >= PRUNE_EVERY_S:
                last_prune = asyncio.get_running_loop().time()
                await self.hub.db(self._prune)

    async def _start(self) -> None:
        self.store = QueueStore.in_dir(self.config.hub.data_dir, config=self.config)
        self._prune()
        self.hub = Hub(config=self.config, store=self.store, clock=self.clock)
        self._ticker = asyncio.get_running_loop().create_task(self._tick())
        self._runner = web.AppRunner(build_app(self.hub), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        sockets = site._server.sockets if site._server else []  # type: ignore[union-attr]
        if sockets:
            self.port = sockets[0].getsockname()[1]
        log.info("hub listening on http://%s:%d/ (desks: %s)", self.host, self.port,
                 ", ".join(d.id for d in self.config.desks))

    def start(self) -> HubServer:
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=30)
        except BaseException:
            self.close()  # nothing half-started is left running
            raise
        return self

    async def _stop(self) -> None:
        if self.hub is not None:
            self.hub.broker.close_all()  # open event streams end now, not after the shutdown timeout
            await asyncio.sleep(0)
        if self._runner is not None:
            await self._runner.cleanup()
        if self.hub is not None:
            self.hub.close()
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:  # open event streams
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if self.store is not None:
            self.store.close()

    def close(self) -> None:
        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=30)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"
