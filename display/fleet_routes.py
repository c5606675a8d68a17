"""Fleet health on the hub (issue 19): /fleet (page) and /api/fleet (JSON), for the technician.

Read-only and without personal data; opened like the reports: the manager's PIN (the page's
form, `/reports/unlock`) or the hub token (`Authorization: Bearer`, for scripts and curl).
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from html import escape
from typing import Any

from aiohttp import web

from display import devices, listings
from display.fleet import fleet
from display.hub import HUB_KEY, Hub
from display.report_page import unlock_page
from display.report_routes import _manager
from totem import __version__


def _read(hub: Hub) -> tuple[list[dict[str, Any]], list[tuple[str, dict[str, Any], str]]]:
    db = sqlite3.connect(f"file:{hub.store.path}?mode=ro", uri=True, timeout=10)
    try:
        return devices.listed(db), listings.totems(db)
    finally:
        db.close()


async def _fleet(hub: Hub) -> list[dict[str, Any]]:
    rows, totems = await asyncio.to_thread(_read, hub)
    try:
        free = shutil.disk_usage(hub.store.path.parent).free // 2**20
    except OSError:
        free = None
    return fleet(config=hub.config, devices=rows, totems=totems, now=hub.clock.now(), hub_version=__version__,
                 hub_disk_free_mb=free, fingerprint=hub.fingerprint, call_screen=hub.call_screen,
                 hub_disk_full=hub.disk.full(), calendar=hub.calendar.status() if hub.calendar else None)


async def api_fleet(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    if not (hub.bearer_ok(request) or _manager(request, hub)):
        return web.json_response({"error": "fleet locked: the manager's PIN or the hub token"}, status=401)
    return web.json_response({"now": hub.clock.now().isoformat(), "devices": await _fleet(hub)},
                             headers={"Cache-Control": "no-store"})


def _cell(value: Any, unit: str = "") -> str:
    return "-" if value is None else escape(f"{value}{unit}")


def _seen(seconds: int | None) -> str:
    if seconds is None:
        return "no ticket yet"
    return "now" if seconds < 60 else f"{seconds // 60} min ago"


def page(entries: list[dict[str, Any]]) -> str:
    rows = []
    for e in entries:
        state = f"<span class=error>FAULT: {escape(e['fault'])}</span>" if e["fault"] else "OK"
        notes = "".join(f"<br><span class=hint>{escape(w)}</span>" for w in e["warnings"])
        rows.append(f"<tr{' class=fault' if e['fault'] else ''}><th scope=row>{escape(e['id'])}<br>"
                    f"<span class=hint>{escape(e['what'])}</span></th><td class=state>{state}{notes}</td>"
                    f"<td>{_cell(e['version'])}</td><td>{_seen(e['seen_s_ago'])}</td><td>{_cell(e['printer'])}</td>"
                    f"<td>{_cell(e['clock_offset_s'], ' s')}</td><td>{_cell(e['backlog'])}</td>"
                    f"<td>{_cell(e['disk_free_mb'], ' MB')}</td></tr>")
    faults = sum(1 for e in entries if e["fault"])
    summary = f"{faults} device(s) need attention" if faults else "every device is working"
    return ("<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width, initial-scale=1'><title>Fleet health</title>"
            "<link rel=stylesheet href=/static/reports.css></head><body><main>"
            f"<header><h1>Fleet health</h1><p class=sub>{len(entries)} devices; {escape(summary)}. "
            "Only faults are red. JSON: <a href=/api/fleet>/api/fleet</a></p></header>"
            "<section tabindex=0 aria-label='Devices'><table><thead><tr><th scope=col>Device</th>"
            "<th scope=col>State</th><th scope=col>Version</th><th scope=col>Last seen</th><th scope=col>Printer</th>"
            "<th scope=col>Clock offset</th><th scope=col>Outbox backlog</th><th scope=col>Free disk</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section></main></body></html>")


async def fleet_page(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    headers = {"Cache-Control": "no-store"}
    lang = hub.config.site.languages[0]
    if not _manager(request, hub):
        return web.Response(text=unlock_page(lang=lang), content_type="text/html", status=401, headers=headers)
    return web.Response(text=page(await _fleet(hub)), content_type="text/html", headers=headers)


def routes() -> list[web.AbstractRouteDef]:
    return [web.get("/fleet", fleet_page), web.get("/api/fleet", api_fleet)]
