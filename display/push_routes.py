"""The follow page's Web Push routes (issue 22 point 2, `display.push`): no login, no personal data.

- `GET /api/push/key`: whether this hub sends Web Push, and its public VAPID key;
- `GET /t/sw.js`: the service worker that shows the alert with the page closed (scope `/t/`);
- `POST /api/follow/{key}/push` `{"subscription": {...}, "near": "ahead:3", "lang": "it"}`: keep
  the subscription for this ticket (the follow key is the right to it). Safe to repeat: the
  same subscription is kept once, and the answer names the ticket and threshold it acted on;
- `DELETE /api/follow/{key}/push` `{"endpoint": ...}`: forget it.

Refusals: 404 no such ticket (or a key of the wrong shape); 409 `refusal` when the hub has no
Web Push set up or the ticket is no longer waiting; 400 a subscription that is not one (the
push service's address must be https on a known push service, or http on this machine for tests).
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from config.follow import KEY_RE
from display import STATIC, listings, nearly, push, push_keys
from display.connlimit import read_json
from display.hub import HUB_KEY, Hub, require_same_origin
from display.validation import BadRequest

# The push services of the browsers in use; a subscription elsewhere is refused (the hub never
# posts to an address a stranger chose). Loopback is for tests and a technician's bench.
PUSH_HOSTS = ("fcm.googleapis.com", "push.services.mozilla.com", "notify.windows.com", "push.apple.com")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_B64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
SW_FILE = "follow-sw.js"

log = logging.getLogger(__name__)


def enabled(hub: Hub) -> str | None:
    """The public key when this hub sends Web Push, else None."""
    if not hub.config.hub.web_push:
        return None
    if not push_keys.available():
        return None
    return push_keys.public_key(hub.config.hub.data_dir)


def watch(hub: Hub) -> push.PushWatch | None:
    """The sender the hub's tick runs, when the site set Web Push up (`display.server`)."""
    if hub.config.hub.web_push and not push_keys.available():
        log.error("hub.web_push is set but this release has no Web Push (pywebpush); the follow pages say to "
                  "keep them open. %s", push_keys.INSTALL_HINT)
    if enabled(hub) is None:
        return None
    return push.PushWatch(key_file=push_keys.key_path(hub.config.hub.data_dir), contact=hub.config.hub.public_url,
                          timeout_s=hub.config.hub.push_timeout_s)


def endpoint_ok(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "http":
        return host in LOOPBACK
    return parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in PUSH_HOSTS)


def subscription(body: Any, ticket_id: str, languages: tuple[str, ...] | list[str]) -> push.Subscription:
    if not isinstance(body, dict):
        raise BadRequest("body", "must be a JSON object", type(body).__name__)
    sub = body.get("subscription")
    if not isinstance(sub, dict) or not isinstance(sub.get("keys"), dict):
        raise BadRequest("subscription", "must be the browser's PushSubscription (endpoint and keys)", sub)
    endpoint, keys = sub.get("endpoint"), sub["keys"]
    if not isinstance(endpoint, str) or len(endpoint) > 1024 or not endpoint_ok(endpoint):
        raise BadRequest("subscription.endpoint", "must be an https address of a browser's push service", endpoint)
    for name, size in (("p256dh", (80, 100)), ("auth", (16, 30))):
        value = keys.get(name)
        if not isinstance(value, str) or not _B64URL.fullmatch(value) or not size[0] <= len(value) <= size[1]:
            raise BadRequest(f"subscription.keys.{name}", "must be the browser's base64url key", value)
    try:
        near = str(nearly.parse(str(body.get("near", nearly.DEFAULT))))
    except nearly.BadThreshold as exc:
        raise BadRequest("near", "must be ahead:N or minutes:X", body.get("near")) from exc
    lang = body.get("lang", languages[0])
    if lang not in languages:
        raise BadRequest("lang", f"must be one of {', '.join(languages)}", lang)
    return push.Subscription(endpoint, ticket_id, keys["p256dh"].rstrip("="), keys["auth"].rstrip("="), near, lang)


def _refusal(status: int, reason: str, message: str) -> web.Response:
    return web.json_response({"error": message, "refusal": {"reason": reason, "message": message}}, status=status)


def _ticket(hub: Hub, key: str) -> Any:
    found = listings.by_follow(hub.store.reader(), key)
    return found[0] if found and found[1] == hub.store.sync(hub.clock.now()) else None


def _write_key(request: web.Request) -> str:
    """The follow key of a subscribe/unsubscribe request from the page's own origin (404 if malformed)."""
    key = request.match_info["key"]
    if not KEY_RE.fullmatch(key):
        raise web.HTTPNotFound(text="not found")
    require_same_origin(request)
    return key


async def post_subscription(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    key = _write_key(request)
    if enabled(hub) is None:
        return _refusal(409, "push_off", "this hub sends no Web Push: keep the page open for the alert")
    body = await read_json(request)

    def keep() -> web.Response:
        ticket = _ticket(hub, key)
        if ticket is None:
            return web.json_response({"error": "no such ticket today"}, status=404)
        sub = subscription(body, ticket.id, hub.config.site.languages)
        if ticket.status != "waiting":
            return _refusal(409, "not_waiting", f"{ticket.code} is {ticket.status}: no alert to wait for")
        with hub.store.transaction() as db:
            new = push.subscribe(db, sub, day=hub.store.sync(hub.clock.now()), now=hub.clock.now())
        return web.json_response({"ticket": ticket.code, "near": sub.near, "subscribed": True, "repeated": not new},
                                 status=201 if new else 200)

    return await hub.db(keep)


async def delete_subscription(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    key = _write_key(request)
    body = await read_json(request)
    endpoint = body.get("endpoint") if isinstance(body, dict) else None
    if not isinstance(endpoint, str):
        raise BadRequest("endpoint", "must be the subscription's endpoint", endpoint)

    def drop() -> web.Response:
        ticket = _ticket(hub, key)
        if ticket is None:
            return web.json_response({"error": "no such ticket today"}, status=404)
        with hub.store.transaction() as db:
            gone = push.unsubscribe(db, endpoint, ticket.id)
        return web.json_response({"ticket": ticket.code, "subscribed": False, "repeated": not gone})

    return await hub.db(drop)


async def push_key(request: web.Request) -> web.Response:
    public = enabled(request.app[HUB_KEY])
    return web.json_response({"enabled": public is not None, "public_key": public},
                             headers={"Cache-Control": "no-store"})


async def service_worker(request: web.Request) -> web.Response:
    return web.Response(text=(STATIC / SW_FILE).read_text(encoding="utf-8"), content_type="application/javascript",
                        headers={"Cache-Control": "no-cache"})


def routes() -> list[web.RouteDef]:
    return [web.get("/api/push/key", push_key), web.get("/t/sw.js", service_worker),
            web.post("/api/follow/{key}/push", post_subscription),
            web.delete("/api/follow/{key}/push", delete_subscription)]

