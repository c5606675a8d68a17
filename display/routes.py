"""The hub's HTTP API (DESIGN.md contracts), the desk console page and the event stream.

Every handler validates its input (`display.validation`) before it touches the queue, so a
bad request gets a 4xx naming the field and changes nothing.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from display import STATIC, devices, fleet_routes, follow, reception_routes, report_routes, validation
from display.connlimit import read_json as _json
from display.hub import HUB_KEY, Hub
from display.sessions import DeskSessions
from display.undo import UndoRefused
from display.validation import BadRequest
from totem import __version__

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024
BATCH_MAX_BYTES = 256 * 1024
BATCH_MAX_EVENTS = 200
PING_S = 1.0  # a visible "ping" event: consoles turn their link badge red within 3 s of silence
DESK_ACTIONS = ("next", "call", "return", "recall", "done", "noshow", "transfer", "pause", "resume", "undo")


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
    desk = hub.require_desk(request, desk_id)
    action = request.match_info["action"]
    now = hub.clock.now()
    call = None
    extra: dict[str, Any] = {}
    if action in ("pause", "resume"):
        current = await hub.db(hub.store.current, desk_id, now=now)
        if action == "pause" and current is not None:
            return web.json_response({"error": f"{current.code} is still in service at desk {desk_id}: finish it "
                                               "first"}, status=409)
        await hub.db(hub.store.pause, desk_id, action == "pause")
        log.info("desk %s: %s", desk_id, "paused" if action == "pause" else "resumed")
        hub.changed()
        return web.json_response({"desk": desk_id, "paused": action == "pause"})
    if action == "undo":
        return await undo(hub, desk)
    if action in ("next", "call") and desk_id in hub.store.paused:
        return web.json_response({"error": f"desk {desk_id} is paused: resume it first"}, status=409)
    if action == "next":
        ticket = await hub.db(hub.store.call_next, desk_id, now=now)
        if ticket is None:
            hub.changed()
            return web.Response(status=204)
        call = {"code": ticket.code, "desk": desk_id, "desk_name": desk.name,
                "service": ticket.service_id, "recall": False, "called_at": ticket.called_at}
    elif action == "call":
        return await call_chosen(request, hub, desk)
    elif action == "return":
        key, value = validation.chosen_ticket(await _json(request))
        ticket = await hub.db(hub.store.return_noshow, key, value, now=now, desk_id=desk_id)
        if ticket is None:
            return web.json_response({"error": f"{value if key == 'code' else 'this ticket'} is not among "
                                               "today's no-shows"}, status=404)
    elif action == "recall":
        ticket = await hub.db(hub.store.recall, desk_id, now=now)
        if ticket is not None:
            call = {"code": ticket.code, "desk": desk_id, "desk_name": desk.name,
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


async def call_chosen(request: web.Request, hub: Hub, desk: Any) -> web.Response:
    """Call the waiting ticket the operator clicked or typed, out of the call order. A repeat
    (a double click) of the ticket already in service answers it again and changes nothing."""
    key, value = validation.chosen_ticket(await _json(request))
    now = hub.clock.now()
    current = await hub.db(hub.store.current, desk.id, now=now)
    if current is not None and (current.id if key == "id" else current.code) == value:
        return web.json_response({"ticket": current.as_json(), "repeated": True})
    outcome, ticket = await hub.db(hub.store.call_chosen, desk.id, key, value, now=now)
    name = value if key == "code" else "this ticket"
    if ticket is None:
        status, error = {"ambiguous": (409, f"{name}: two waiting tickets have this code; pick one from the list"),
                         "not_yours": (409, f"{name} is not for this desk (its service, or a transfer to another "
                                            "desk)")}.get(outcome, (404, f"{name} is not waiting today"))
        return web.json_response({"error": error}, status=status)
    log.info("desk %s: call %s (chosen)", desk.id, ticket.code)
    hub.changed({"code": ticket.code, "desk": desk.id, "desk_name": desk.name,
                 "service": ticket.service_id, "recall": False, "called_at": ticket.called_at})
    return web.json_response({"ticket": ticket.as_json()})


async def undo(hub: Hub, desk: Any) -> web.Response:
    """The desk's last action taken back (`display.undo`): 409 naming why when it cannot be."""
    now = hub.clock.now()
    try:
        undone = await hub.db(hub.store.undo, desk.id, now=now)
    except UndoRefused as exc:
        return web.json_response({"error": str(exc)}, status=409)
    if not undone.repeated:
        log.info("desk %s: undo %s %s", desk.id, undone.action, ",".join(undone.codes))
        hub.changed()
    current = await hub.db(hub.store.current, desk.id, now=now)
    return web.json_response({"undone": undone.action, "codes": list(undone.codes), "repeated": undone.repeated,
                              "ticket": current.as_json() if current else None})


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
    """The desk's PIN (`Hub.unlock`: lockout, comparison and count with no await in between)."""
    hub = _hub(request)
    desk_id = request.match_info["desk_id"]
    given = validation.pin(await _json(request))
    desk = hub.config.desk(desk_id)
    return hub.unlock(request, session=desk_id, given=given, pin=desk.pin if desk else None,
                      cookie=DeskSessions.cookie_name(desk_id), label=f"desk {desk_id}", answer={"desk": desk_id})


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
    app = web.Application(client_max_size=BATCH_MAX_BYTES, middlewares=[errors])
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
        *follow.routes(),
        *reception_routes.routes(),
        web.static("/static", STATIC),
    ])
    return app
