"""The desk manager's reports on the hub: /reports (page), /api/reports (JSON), /reports/csv/...

1. the page is locked until the manager's PIN (`hub.manager_pin`) is typed; the same
   lockout rules as a desk PIN (5 wrong, 60 s, doubling), a signed HttpOnly cookie for
   `hub.session_hours`; desk PINs do not open it; no manager PIN in the site file: locked;
2. a period is `period=today|week|month|last_month` or `from`/`to` dates, optionally one
   `service` or `desk`; anything else is a 400 naming the parameter;
3. the figures are read on a thread of their own from a read-only connection (WAL), so a
   year's report never holds up ticket intake on the hub's database thread;
4. `/api/reports` also accepts the hub's bearer token (scripts, the council's systems).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from datetime import date
from typing import Any

from aiohttp import web

from config.i18n import Translator
from display import visit_report
from display.consoles import COOKIE_MAX_AGE_S, cookie_name
from display.hub import HUB_KEY, Hub, require_same_origin
from display.promise import promise_rows
from display.report_data import load_facts, monthly_rows, report_for
from display.report_page import (
    TABLES,
    monthly_table,
    page,
    parse_day,
    promise_table,
    tables,
    ticket_table,
    to_csv,
    to_json,
    unlock_page,
)
from display.reports import Report, named_period
from display.vote_report import as_json as vote_report_json
from display.vote_report import faccia_table, vote_rows, votes_table

log = logging.getLogger(__name__)

COOKIE = "totem_manager"
SESSION_ID = "@manager"  # never a desk id (desk ids are [a-z0-9_-]), so desk cookies cannot open it
MAX_DAYS = 800  # a report over more than two years of days is refused (history_days keeps 90)


def _hub(request: web.Request) -> Hub:
    return request.app[HUB_KEY]


def _lang(request: web.Request, hub: Hub) -> str:
    lang = request.query.get("lang", "")
    return lang if lang in hub.config.site.languages else hub.config.site.languages[0]


def _manager(request: web.Request, hub: Hub) -> bool:
    pin = hub.config.hub.manager_pin
    device = hub.paired(request, "manager")
    return bool(pin) and device is not None and hub.sessions.valid(SESSION_ID, pin, request.cookies.get(COOKIE),
                                                                   device.id)


def _period(request: web.Request, hub: Hub) -> tuple[date, date, str | None, str | None]:
    q = request.query
    today = hub.clock.now().astimezone(hub.store.tz).date()
    try:
        if q.get("from") or q.get("to"):
            first = parse_day(q.get("from", ""), "from")
            last = parse_day(q.get("to", ""), "to")
        else:
            first, last = named_period(q.get("period", "month"), today)
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    if last < first:
        raise web.HTTPBadRequest(text=f"to: {last} is before from: {first}")
    if (last - first).days >= MAX_DAYS:
        raise web.HTTPBadRequest(text=f"to: at most {MAX_DAYS} days in one report")
    service = q.get("service") or None
    desk = q.get("desk") or None
    if service is not None and service not in {s.id for s in hub.config.services}:
        raise web.HTTPBadRequest(text=f"service: unknown service {service[:40]!r}")
    if desk is not None and hub.config.desk(desk) is None:
        raise web.HTTPBadRequest(text=f"desk: unknown desk {desk[:40]!r}")
    return first, last, service, desk


def _read(hub: Hub, fn: Any, *args: Any) -> Any:
    db = sqlite3.connect(f"file:{hub.store.path}?mode=ro", uri=True, timeout=10)
    try:
        return fn(db, *args)
    finally:
        db.close()


async def _report(request: web.Request, hub: Hub, lang: str) -> Report:
    first, last, service, desk = _period(request, hub)
    return await asyncio.to_thread(_read, hub, lambda db: report_for(db, hub.config, first, last, service=service,
                                                                     desk=desk, lang=lang))


async def reports_page(request: web.Request) -> web.Response:
    hub = _hub(request)
    lang = _lang(request, hub)
    headers = {"Cache-Control": "no-store"}
    if not hub.config.hub.manager_pin:
        return web.Response(text=unlock_page(lang=lang, message=Translator(lang)("report_locked"), locked=True),
                            content_type="text/html", status=403, headers=headers)
    if hub.paired(request, "manager") is None:
        return web.Response(text=unlock_page(lang=lang, message=Translator(lang)("report_unpaired"), locked=True),
                            content_type="text/html", status=403, headers=headers)
    if not _manager(request, hub):
        return web.Response(text=unlock_page(lang=lang), content_type="text/html", status=401, headers=headers)
    report = await _report(request, hub, lang)
    first, last, service, desk = _period(request, hub)
    promise = await asyncio.to_thread(_read, hub, lambda db: promise_rows(db, first, last, service=service))
    votes = await asyncio.to_thread(_read, hub, lambda db: vote_rows(db, first, last, service=service, desk=desk))
    visits = await asyncio.to_thread(_read, hub, lambda db: visit_report.visit_figures(
        db, first, last, service=service, desk=desk))
    query = {k: request.query[k] for k in ("period", "from", "to", "service", "desk") if k in request.query}
    query.setdefault("period", "custom" if "from" in query else "month")
    return web.Response(text=page(report, hub.config, lang=lang, query=query, promise=promise, votes=votes,
                                  visits=visits),
                        content_type="text/html", headers=headers)


async def unlock(request: web.Request) -> web.Response:
    """The manager's PIN from the page's form on a paired device; lockout and count with no
    await in between. Origin and pairing are checked before the form is read."""
    hub = _hub(request)
    require_same_origin(request, json_body=False)
    device = hub.paired(request, "manager")
    if device is None:
        lang = hub.config.site.languages[0]
        return web.Response(text=unlock_page(lang=lang, message=Translator(lang)("report_unpaired"), locked=True),
                            content_type="text/html", status=403)
    form = await request.post()
    lang = str(form.get("lang", "")) if str(form.get("lang", "")) in hub.config.site.languages \
        else hub.config.site.languages[0]
    t = Translator(lang)
    pin = hub.config.hub.manager_pin
    given = str(form.get("pin", ""))[:16]
    if not pin:
        return web.Response(text=unlock_page(lang=lang, message=t("report_locked"), locked=True),
                            content_type="text/html", status=403)
    result = hub.sessions.try_pin(SESSION_ID, given, pin, device=device.id)
    if result.locked_for_s:
        if result.just_locked:
            log.warning("reports: locked for %.0f s after repeated wrong PINs", result.locked_for_s)
        return web.Response(text=unlock_page(lang=lang, message=t("report_retry", s=round(result.locked_for_s))),
                            content_type="text/html", status=429,
                            headers={"Retry-After": str(round(result.locked_for_s))})
    if not result.ok:
        log.warning("reports: wrong PIN (%d more before the lockout)", result.left)
        return web.Response(text=unlock_page(lang=lang, message=t("report_wrong_pin")), content_type="text/html",
                            status=401)
    response = web.HTTPSeeOther(f"/reports?lang={lang}")
    response.set_cookie(COOKIE, hub.sessions.issue(SESSION_ID, pin, device.id), httponly=True, samesite="Strict",
                        path="/", max_age=round(hub.sessions.lifetime_s), secure=request.secure)
    device_cookie = cookie_name("manager")  # renewed at each unlock (browsers cap a cookie's life)
    response.set_cookie(device_cookie, request.cookies.get(device_cookie, ""), httponly=True, samesite="Strict",
                        path="/", max_age=COOKIE_MAX_AGE_S, secure=request.secure)
    log.info("reports: opened")
    raise response


async def logout(request: web.Request) -> web.Response:
    """The manager's "Esci": the same Origin check as every other write (SameSite alone let a
    same-site page force it)."""
    hub = _hub(request)
    require_same_origin(request, json_body=False)
    if _manager(request, hub):  # a cross-site form cannot end the manager's session (no cookie: nothing happens)
        hub.sessions.logout(SESSION_ID)
    response = web.HTTPSeeOther("/reports")
    response.del_cookie(COOKIE, path="/")
    raise response


async def api_reports(request: web.Request) -> web.Response:
    hub = _hub(request)
    if not (hub.bearer_ok(request) or _manager(request, hub)):
        return web.json_response({"error": "reports locked: the manager's PIN or the hub token"}, status=401)
    report = await _report(request, hub, _lang(request, hub))
    first, last, service, desk = _period(request, hub)
    votes = await asyncio.to_thread(_read, hub, lambda db: vote_rows(db, first, last, service=service, desk=desk))
    return web.json_response({**to_json(report), "votes": vote_report_json(votes)},
                             dumps=lambda d: json.dumps(d, default=str))


async def csv_table(request: web.Request) -> web.Response:
    hub = _hub(request)
    if not (hub.bearer_ok(request) or _manager(request, hub)):
        return web.json_response({"error": "reports locked: the manager's PIN or the hub token"}, status=401)
    name = request.match_info["table"]
    if name not in TABLES:
        raise web.HTTPNotFound(text=f"no table {name[:40]!r}: {', '.join(TABLES)}")
    lang = _lang(request, hub)
    first, last, service, desk = _period(request, hub)

    def build(db: sqlite3.Connection) -> bytes:
        """Only what the table needs: the raw tickets and the monthly rows need no report."""
        t = Translator(lang)
        if name == "tickets":
            facts = load_facts(db, first, last, hub.store.tz, service=service, desk=desk)
            return to_csv(ticket_table(facts, hub.store.tz))
        if name == "promise":
            return to_csv(promise_table(promise_rows(db, first, last, service=service), t, hub.config))
        if name in ("votes", "faccia"):  # the satisfaction votes (display.vote_report)
            rows = vote_rows(db, first, last, service=service, desk=desk)
            return to_csv(votes_table(rows, t, hub.config) if name == "votes" else faccia_table(rows, hub.config))
        if name in ("work", "holds"):
            figures = visit_report.visit_figures(db, first, last, service=service, desk=desk)
            make = visit_report.work_table if name == "work" else visit_report.holds_table
            return to_csv(make(figures, t, hub.config))
        if name == "monthly":
            return to_csv(monthly_table(monthly_rows(db, first.isoformat()[:7], last.isoformat()[:7]), t))
        report = report_for(db, hub.config, first, last, service=service, desk=desk, lang=lang)
        return to_csv(tables(report, t)[name])

    data = await asyncio.to_thread(_read, hub, build)
    filename = f"totem-{name}-{first.isoformat()}-{last.isoformat()}.csv"
    return web.Response(body=data, content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                 "Cache-Control": "no-store"})


def routes() -> list[web.AbstractRouteDef]:
    return [web.get("/reports", reports_page), web.post("/reports/unlock", unlock),
            web.post("/reports/logout", logout), web.get("/api/reports", api_reports),
            web.get("/reports/csv/{table}", csv_table)]
