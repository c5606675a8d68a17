"""The online booking's calendar on the hub's API (issue 23, point 3): its state, and a poll now.

- `GET /api/calendar`: the poller's state (last good read, the fault, what the last merge did,
  the events skipped by reason); the hub token or the manager's session;
- `POST /api/calendar/poll`: poll now and answer when that poll is done (the hub token): the
  technician's check after changing the calendar, and the tests' "within one poll".
404 on a site without [calendar]. No personal data: codes are not listed here.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from display.hub import HUB_KEY
from display.report_routes import _manager


def _poller(request: web.Request):  # type: ignore[no-untyped-def]
    poller = request.app[HUB_KEY].calendar
    if poller is None:
        raise web.HTTPNotFound(text='{"error": "no [calendar] in the site file"}', content_type="application/json")
    return poller


async def status(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    if not (hub.bearer_ok(request) or _manager(request, hub)):
        return web.json_response({"error": "calendar: the manager's PIN or the hub token"}, status=401)
    return web.json_response(_poller(request).status(), headers={"Cache-Control": "no-store"})


async def poll(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    hub.require_token(request)
    answer = await asyncio.to_thread(_poller(request).poll_now)
    return web.json_response(answer, status=200 if answer["last_error"] is None else 502)


def routes() -> list[web.AbstractRouteDef]:
    return [web.get("/api/calendar", status), web.post("/api/calendar/poll", poll)]
