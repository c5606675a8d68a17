"""A citizen's "follow your turn" page (issue 14): one ticket, no login, no personal data.

Steps:
1. The page `/t/{key}` is opened from the ticket's QR code (`config.follow`: an HMAC of the
   ticket id, so the key cannot be derived from anything shown in public).
2. It asks `/api/follow/{key}` every few seconds; each answer comes from `follow_view`,
   on the hub's database thread, with the same call order the desks and the totems use.
3. It shows the people ahead and the wait while waiting, "Tocca a lei: Sportello 1" when
   called (with vibration and a tone where the phone allows), and the ticket's end.

Failure paths, each told plainly rather than as an error:
- a key of the wrong shape: 404 (no page, no lookup);
- a key nobody stored: `unknown` (a totem that printed offline delivers its ticket later);
- a ticket of an earlier service day: `expired`, with its day (yesterday never shows as today);
- the hub unreachable from the phone: the page says since when its figures are old.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aiohttp import web

from config.follow import KEY_RE
from display import STATIC, call_reasons, listings, nearly
from display.follow_texts import with_texts
from display.hub import HUB_KEY
from display.queue import QueueStore

POLL_S = 3  # how often an open page asks; the page slows down when hidden
STATIC_PAGE = "follow.html"
PAGE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def follow_view(store: QueueStore, key: str, *, now: datetime) -> dict[str, Any]:
    """What the holder of this key is told now. Runs on the database thread."""
    config = store.config
    site = {"desk_name": config.site.desk_name, "name": config.site.name}
    today = store.sync(now)
    found = listings.by_follow(store.reader(), key)
    if found is None:
        return {"status": "unknown", "now": now.isoformat(), "site": site}
    ticket, day = found
    service = config.service_or_none(ticket.service_id)
    label = dict(service.labels) if service else {lang: ticket.service_id for lang in config.site.languages}
    row = store.reader().execute("SELECT lang FROM tickets WHERE id = ?", (ticket.id,)).fetchone()
    lang = row[0] if row and row[0] in config.site.languages else config.site.languages[0]
    out: dict[str, Any] = {"code": ticket.code, "service": ticket.service_id, "label": label, "service_day": day,
                           "now": now.isoformat(), "site": site, "lang": lang}
    if day != today:
        return {**out, "status": "expired"}
    if ticket.status == "waiting":
        told = store.position(ticket.id, now=now)
        return {**out, "status": "waiting", **{k: told.get(k) for k in ("ahead", "possible", "exact",
                                                                         "wait_low_min", "wait_high_min")},
                **call_reasons.for_follow(store, ticket, day)}
    if ticket.status == "called":
        desk = config.desk(ticket.desk_id or "")
        return {**out, "status": "called", "desk_name": desk.name if desk else ticket.desk_id,
                **call_reasons.for_follow(store, ticket, day)}
    return {**out, "status": ticket.status}  # served, noshow, void, held (display.hold: its desk calls it back)


async def follow_api(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    if not KEY_RE.fullmatch(key):
        return web.json_response({"status": "unknown", "error": "not a ticket's key"}, status=404,
                                 headers=PAGE_HEADERS)
    hub = request.app[HUB_KEY]
    near = nearly_threshold(request)
    view = await hub.db(follow_view, hub.store, key, now=hub.clock.now())
    if near is not None:  # "nearly your turn" (issue 22): the page asks with its threshold
        view["near"] = nearly.reached(near, view)
    return web.json_response(view, headers=PAGE_HEADERS)


def nearly_threshold(request: web.Request) -> nearly.Threshold | None:
    if "near" not in request.query:
        return None
    try:
        return nearly.parse(request.query["near"])
    except nearly.BadThreshold as exc:
        raise web.HTTPBadRequest(text=json.dumps({"error": str(exc), "field": "near"}),
                                 content_type="application/json") from exc


async def follow_page(request: web.Request) -> web.Response:
    if not KEY_RE.fullmatch(request.match_info["key"]):
        raise web.HTTPNotFound(text="not found")
    html = with_texts((STATIC / STATIC_PAGE).read_text(encoding="utf-8"), request.app[HUB_KEY].store.config)
    return web.Response(text=html, content_type="text/html",
                        headers=PAGE_HEADERS)


def routes() -> list[web.RouteDef]:
    return [web.get("/t/{key}", follow_page), web.get("/api/follow/{key}", follow_api)]
