"""Pairing consoles on the hub (issue 24; the registry is `display.consoles`).

1. `GET /pair`: the pairing page; `/pair#CODE` (the link `totem-display pair` prints) fills
   the code in and sends it at once;
2. `POST /pair {"code"}` (same-origin JSON): the code is spent, the browser gets its device
   cookie for that console, and the answer names the console's page; a wrong code is a 403
   and pairs nothing (codes are ~59 bits and expire: guessing one is hopeless);
3. for the technician and the fleet page, with the hub token: `GET /api/consoles`,
   `POST /api/consoles/pairing {"role", "desk", "label"}` (a new code),
   `POST /api/consoles/{id}/revoke` (unpair: its sessions end with it).
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from aiohttp import web

from display import STATIC
from display.connlimit import read_json
from display.consoles import BOUND_TO_DESK, COOKIE_MAX_AGE_S, PairingRefused, cookie_name
from display.hub import HUB_KEY, Hub, require_same_origin
from display.validation import BadRequest, expect_object

log = logging.getLogger(__name__)


def _hub(request: web.Request) -> Hub:
    return request.app[HUB_KEY]


async def page(request: web.Request) -> web.Response:
    text = (STATIC / "pair.html").read_text(encoding="utf-8")
    text = text.replace("{{SITE}}", html.escape(_hub(request).config.site.desk_name))
    return web.Response(text=text, content_type="text/html", headers={"Cache-Control": "no-store"})


async def pair(request: web.Request) -> web.Response:
    hub = _hub(request)
    require_same_origin(request)
    body = expect_object(await read_json(request))
    code = body.get("code")
    if not isinstance(code, str) or not 1 <= len(code) <= 40:
        raise BadRequest("code", "must be the pairing code (12 letters and digits)", code)
    try:
        device, credential = hub.consoles.pair(code)
    except PairingRefused as exc:
        log.warning("pairing refused from %s: %s", request.remote, exc)
        return web.json_response({"error": str(exc), "reason": "bad_code"}, status=403)
    response = web.json_response({"ok": True, "device": device.id, "console": device.console, "page": device.page})
    response.set_cookie(cookie_name(device.role, device.target), credential, httponly=True, samesite="Strict",
                        path="/", max_age=COOKIE_MAX_AGE_S, secure=request.secure)
    return response


async def list_devices(request: web.Request) -> web.Response:
    hub = _hub(request)
    hub.require_token(request)
    return web.json_response({"consoles": [d.as_json() for d in hub.consoles.devices()]},
                             headers={"Cache-Control": "no-store"})


async def new_code(request: web.Request) -> web.Response:
    hub = _hub(request)
    hub.require_token(request)
    body: dict[str, Any] = expect_object(await read_json(request))
    role, desk, label = body.get("role"), body.get("desk", ""), body.get("label", "")
    if not isinstance(label, str) or len(label) > 40:
        raise BadRequest("label", "must be at most 40 characters", label)
    if role in BOUND_TO_DESK and (not isinstance(desk, str) or hub.config.desk(desk) is None):
        raise BadRequest("desk", "must be a desk of the site file: " + ", ".join(d.id for d in hub.config.desks), desk)
    try:
        code = hub.consoles.new_code(str(role), str(desk) if role in BOUND_TO_DESK else "", label=label)
    except PairingRefused as exc:
        raise BadRequest("role", str(exc), role) from None
    return web.json_response({"code": code, "link": f"/pair#{code}"}, status=201)


async def revoke(request: web.Request) -> web.Response:
    hub = _hub(request)
    hub.require_token(request)
    device_id = request.match_info["device_id"]
    if not re.fullmatch(r"[0-9a-f]{16}", device_id):
        raise BadRequest("device", "must be a device id (16 hex digits)", device_id)
    gone = hub.consoles.revoke(device_id)
    if gone is None:  # already gone: a repeat changes nothing and is told so
        return web.json_response({"device": device_id, "revoked": False, "error": "no such paired device"},
                                 status=404)
    return web.json_response({"device": device_id, "revoked": True, "console": gone.console})


def routes() -> list[web.AbstractRouteDef]:
    return [web.get("/pair", page), web.post("/pair", pair), web.get("/api/consoles", list_devices),
            web.post("/api/consoles/pairing", new_code), web.post("/api/consoles/{device_id}/revoke", revoke)]
