"""The hub's HTTP API (DESIGN.md contracts), the desk console page and the event stream.

Every handler validates its input (`display.validation`) before it touches the queue, so a
bad request gets a 4xx naming the field and changes nothing.
"""

from __future__ import annotations

import asyncio
import html
import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from display import (
    STATIC,
    calendar_routes,
    desk_actions,
    desk_requests,
    devices,
    fleet_routes,
    follow,
    pairing_routes,
    push_routes,
    reception_routes,
    report_routes,
    validation,
    vote_routes,
)
from display.connlimit import read_json as _json
from display.hub import HUB_KEY, Hub, require_same_origin
from display.page_messages import page_messages
from display.sessions import DeskSessions
from display.validation import BadRequest
from totem import __version__
from totem.diskspace import RETRY_AFTER_S, is_disk_full

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024
BATCH_MAX_BYTES = 256 * 1024
BATCH_MAX_EVENTS = 200
PING_S = 1.0  # a visible "ping" event: consoles turn their link badge red within 3 s of silence
DESK_ACTIONS = ("next", "call", "return", "recall", "done", "noshow", "transfer", "pause", "resume", "undo",
                "hold", "callback", "add_service", "contact")


@web.middleware
async def errors(request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
    try:
        return await handler(request)
    except BadRequest as exc:
        return web.json_response({"error": str(exc), "field": exc.field}, status=400)
    except web.HTTPRequestEntityTooLarge as exc:
        return web.json_response({"error": f"body too large ({exc.text or 'over the limit'})"}, status=413)


NO_DISK_PATHS = ("/unlock", "/logout")  # a console may be unlocked and locked with a full disk


@web.middleware
async def disk_space(request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
    """A full hub disk: writes are refused cleanly (503, nothing stored) before SQLite fails."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and not request.path.endswith(NO_DISK_PATHS):
        hub = _hub(request)
        if hub.disk_full():
            return web.json_response(
                {"error": f"disco pieno / disk full on the hub: {hub.disk.free / 1e6:.1f} MB free, "
                          f"{hub.disk.reserve_bytes / 1e6:.0f} MB kept in reserve; nothing was stored, retry later",
                 "reason": "disk_full", "retry_after_s": RETRY_AFTER_S},
                status=503, headers={"Retry-After": str(RETRY_AFTER_S)})
    try:
        return await handler(request)
    except sqlite3.Error as exc:
        if not is_disk_full(exc):
            raise
        _hub(request).disk.failed()
        return web.json_response({"error": f"disco pieno / disk full on the hub: {exc}", "reason": "disk_full"},
                                 status=503)


def _hub(request: web.Request) -> Hub:
    return request.app[HUB_KEY]


async def post_ticket(request: web.Request) -> web.Response:
    hub = _hub(request)
    hub.require_token(request)
    body = validation.ticket(await _json(request), hub.config)
    created, position, forecast = await hub.ingest(body)
    if created or body.get("print"):  # a known ticket's paper found uncertain: the consoles show it
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
    unconfirmed: list[tuple[int, dict[str, Any]]] = []  # tickets whose paper the totem found uncertain

    async def flush() -> None:
        outcomes = await asyncio.gather(*(hub.ingest(t) for _, t in pending), return_exceptions=True)
        for (i, _), outcome in zip(pending, outcomes, strict=True):
            if isinstance(outcome, BaseException):  # transient: the totem retries it, never sets it aside
                full = is_disk_full(outcome)
                results[i] = {"status": 503 if full else 500,
                              "error": "disco pieno / disk full: not stored" if full else "could not be stored"}
            else:
                results[i] = {"status": 201 if outcome[0] else 200, "position": outcome[1]}
        pending.clear()

    changed = False
    for i, item in enumerate(items):
        try:
            item = validation.expect_object(item)
            if item.get("kind") == "issued":
                pending.append((i, validation.ticket(item.get("ticket"), hub.config)))
                if pending[-1][1].get("print"):
                    unconfirmed.append(pending[-1])
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
    if changed or any(r.get("status") == 201 for r in results) or any(t.get("print") for _, t in unconfirmed):
        hub.changed()
    forecast = await hub.db(hub.store.forecast, now=hub.clock.now())
    return web.json_response({"results": results, "services": forecast, "hub_id": hub.store.hub_id})


async def get_forecast(request: web.Request) -> web.Response:
    """What a ticket taken now would be told, per service: the totems follow this."""
    hub = _hub(request)
    now = hub.clock.now()
    live = await hub.db(hub.store.live, now=now)
    return web.json_response({"now": now.isoformat(), "services": live["services"], "intake": live["intake"],
                              "service_day": live["service_day"], "hub_id": hub.store.hub_id,
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
    """A desk's click (`display.desk_actions`): what it acted on and its request id checked
    in the same database job as the change (`display.desk_requests`)."""
    hub = _hub(request)
    desk_id = request.match_info["desk_id"]
    desk = hub.require_desk(request, desk_id)
    action = request.match_info["action"]
    body = await _json(request) if request.can_read_body else None
    said, rest = desk_requests.stated(body, required=not hub.bearer_ok(request), action=action)
    given = desk_actions.Input()
    if action in ("call", "return", "callback"):
        given = desk_actions.Input(chosen=validation.chosen_ticket(rest))
    elif action in ("add_service", "contact"):
        given = desk_actions.visit_input(action, rest, hub.config)
    elif action == "transfer":
        given = desk_actions.Input(transfer=validation.transfer(rest, hub.config))
    elif rest:
        raise BadRequest(sorted(rest)[0], "unknown field", sorted(rest)[0])
    now = hub.clock.now()
    outcome = await hub.db(desk_actions.run, hub.store, hub.desk_requests, desk, action, said, given, now=now)
    if outcome.log:
        log.info("desk %s: %s", desk_id, outcome.log)
    if outcome.changed or outcome.status == 409:  # a refused console is sent the true state at once
        hub.changed(outcome.call)
    if outcome.status == 204:
        return web.Response(status=204)
    return web.json_response(outcome.body, status=outcome.status)


async def desk_session(request: web.Request) -> web.Response:
    hub = _hub(request)
    desk = hub.require_desk(request, request.match_info["desk_id"])
    return web.json_response({"desk": desk.id, "unlocked": True})


async def logout(request: web.Request) -> web.Response:
    """Lock the console again: every session of this desk ends (its one operator leaves)."""
    hub = _hub(request)
    desk = hub.require_desk(request, request.match_info["desk_id"])
    hub.sessions.logout(desk.id)
    log.info("desk %s: logged out", desk.id)
    response = web.json_response({"ok": True})
    response.del_cookie(DeskSessions.cookie_name(desk.id), path="/")
    return response


async def totem_status(request: web.Request) -> web.Response:
    hub = _hub(request)
    hub.require_token(request)
    totem_id = request.match_info["totem_id"]
    if not validation._TOTEM_RE.fullmatch(totem_id):
        raise BadRequest("totem", "must be a totem id", totem_id)
    body = await _json(request)
    health = validation.health(body)
    ident = validation.identity(body)
    now = hub.clock.now()
    if "clock" in health:  # how far the device's clock is from the hub's, as it arrived
        health["clock_offset_s"] = round((datetime.fromisoformat(health.pop("clock")) - now).total_seconds(), 1)
    if ident is None:  # a release before device identities
        await hub.db(hub.store.totem_health, totem_id, health, now=now)
        hub.changed()
        return web.json_response({"ok": True})
    refused = await hub.db(_device_status, hub, totem_id, ident, health, now)
    hub.changed()
    if refused:
        return web.json_response({"error": "device_conflict", "message": refused}, status=409)
    return web.json_response({"ok": True, "device": totem_id})


def _device_status(hub: Hub, device_id: str, ident: tuple[str, str, str], health: dict[str, Any],
                   now: datetime) -> str | None:
    """On the database thread: the claim (display.devices) and, for the id's holder, the health
    the desk console shows; a refused machine never overwrites the holder's."""
    machine, hostname, kind = ident
    with hub.store.transaction() as db:
        refused = devices.claim(db, device_id=device_id, machine=machine, hostname=hostname, kind=kind,
                                health=health, now=now, single_totem=not hub.config.totems)
    if refused is None:
        hub.store.totem_health(device_id, {**health, "kind": kind}, now=now)
    return refused


async def get_state(request: web.Request) -> web.Response:
    hub = _hub(request)
    return web.Response(body=await hub.state_bytes(), content_type="application/json")


async def events(request: web.Request) -> web.StreamResponse:
    hub = _hub(request)
    peer = request.remote or "?"
    if not hub.streams.acquire(peer):
        return web.json_response({"error": f"too many event streams from {peer}"}, status=429)
    try:
        return await _stream(hub, request)
    finally:
        hub.streams.release(peer)


async def _stream(hub: Hub, request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    queue = hub.broker.subscribe()
    try:
        first = f"event: state\ndata: {await hub.state_json()}\n\n"
        await response.write(first.encode())
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), timeout=PING_S)
            except TimeoutError:
                message = "event: ping\ndata: {}\n\n"
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
    """The console page. An unknown desk id gets the same locked page (no enumeration);
    only an id that cannot be a desk id is a 404."""
    hub = _hub(request)
    desk_id = request.match_info["desk_id"]
    if not validation.DESK_RE.fullmatch(desk_id):
        raise web.HTTPNotFound(text="not found")
    desk = hub.config.desk(desk_id)
    name = desk.name if desk is not None else desk_id
    page = (STATIC / "desk.html").read_text(encoding="utf-8")
    page = page.replace("{{DESK_ID}}", html.escape(desk_id)).replace("{{DESK_NAME}}", html.escape(name))
    page = page.replace("{{SITE}}", html.escape(hub.config.site.desk_name))
    return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-store"})


async def unlock(request: web.Request) -> web.Response:
    """The desk's PIN on a paired device (`Hub.unlock`: lockout, comparison and count with no
    await in between). Origin, content type and pairing are checked before the body is read."""
    hub = _hub(request)
    desk_id = request.match_info["desk_id"]
    require_same_origin(request)
    device = hub.require_paired(request, "desk", desk_id)
    given = validation.pin(await _json(request))
    desk = hub.config.desk(desk_id)
    return hub.unlock(request, session=desk_id, given=given, pin=desk.pin if desk else None,
                      cookie=DeskSessions.cookie_name(desk_id), label=f"desk {desk_id}", answer={"desk": desk_id},
                      device=device)


async def index(request: web.Request) -> web.Response:
    """No list of desks here: each operator opens their own desk's address."""
    hub = _hub(request)
    name = html.escape(hub.config.site.desk_name)
    return web.Response(text=f"<!doctype html><html lang=it><meta charset=utf-8>"
                             "<meta name=viewport content='width=device-width, initial-scale=1'>"
                             f"<title>{name}</title><main><h1>{name}</h1>"
                             "<p>Aprire l'indirizzo del proprio sportello: /desk/&lt;numero&gt;. "
                             "<span lang=en>Open your desk's own address: /desk/&lt;number&gt;.</span></p></main>",
                        content_type="text/html")


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """On every response, event streams included (set before they are prepared)."""
    response.headers.update(SECURITY_HEADERS)


def build_app(hub: Hub) -> web.Application:
    app = web.Application(client_max_size=BATCH_MAX_BYTES, middlewares=[page_messages, errors, disk_space])
    app.on_response_prepare.append(security_headers)
    app[HUB_KEY] = hub
    app.add_routes([
        web.post("/api/tickets", post_ticket),
        web.post("/api/tickets/{ticket_id}/void", void_ticket),
        web.post("/api/events/batch", post_batch),
        web.post("/api/desks/{desk_id}/{action:" + "|".join(DESK_ACTIONS) + "}", desk_action),
        web.get("/api/desks/{desk_id}/session", desk_session),
        web.post("/api/totems/{totem_id}/status", totem_status),
        web.get("/api/state", get_state),
        web.get("/api/forecast", get_forecast),
        web.get("/api/events", events),
        web.get("/healthz", healthz),
        web.get("/desk/{desk_id}", desk_page),
        web.post("/desk/{desk_id}/unlock", unlock),
        web.post("/desk/{desk_id}/logout", logout),
        web.get("/", index),
        *report_routes.routes(),
        *fleet_routes.routes(),
        *calendar_routes.routes(),
        *push_routes.routes(),  # before follow's /t/{key}: /t/sw.js is the service worker
        *follow.routes(),
        *vote_routes.routes(),
        *reception_routes.routes(),
        *pairing_routes.routes(),
        web.static("/static", STATIC),
    ])
    return app
