"""The reception point's page and API on the hub, and the totems' appointment check-in (issue 14).

1. `/reception` is locked until the reception's PIN (`reception.pin`), with the same lockout
   as a desk PIN and a signed HttpOnly cookie; desk and manager PINs do not open it;
2. a ticket for a citizen: `POST /api/reception/tickets {"service", "lang"}` (`display.reception`);
3. appointments: `GET /api/reception/appointments?day=`, `POST` one `{"day", "time", "service",
   "reference"}`, `POST .../{day}/{number}/cancel|reopen`;
4. a totem checks one in: `POST /api/appointments/checkin {"number", "totem"}` with the hub token
   (`display.appointments.check_in`).
Writes need the cookie on a same-origin JSON request (or the hub token); bad input is a 400
naming the field, and changes nothing.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
import time as clock_time
from datetime import date, time, timedelta
from typing import Any

from aiohttp import web

from config.follow import KEY_RE, follow_url
from display import STATIC, appointments
from display.appointments import AppointmentNotFound
from display.connlimit import read_json
from display.desk_requests import stated
from display.hub import HUB_KEY, Hub
from display.validation import APPOINTMENT_RE, BadRequest, expect_object, pin
from totem.errors import AppointmentRefused, NumbersExhausted, PrinterUnavailable, ServiceClosed, UnknownService
from totem.hours import Schedule

log = logging.getLogger(__name__)

COOKIE = "totem_reception"
SESSION_ID = "@reception"  # never a desk id (desk ids are [a-z0-9_-])
DAYS_AHEAD = 366
_REFERENCE_RE = re.compile(r"[^\x00-\x1f\x7f<>]{0,40}")


def _hub(request: web.Request) -> Hub:
    return request.app[HUB_KEY]


def _require(request: web.Request, hub: Hub) -> None:
    reception = hub.config.reception
    if reception is None:
        raise web.HTTPNotFound(text='{"error": "no [reception] in the site file"}', content_type="application/json")
    hub.require_session(request, session=SESSION_ID, pin=reception.pin, cookie=COOKIE, what="reception")


def _today(hub: Hub) -> date:
    return hub.clock.now().astimezone(hub.store.tz).date()


async def page(request: web.Request) -> web.Response:
    hub = _hub(request)
    if hub.config.reception is None:
        raise web.HTTPNotFound(text="no reception point on this site")
    text = (STATIC / "reception.html").read_text(encoding="utf-8")
    text = text.replace("{{SITE}}", html.escape(hub.config.site.desk_name))
    return web.Response(text=text, content_type="text/html", headers={"Cache-Control": "no-store"})


async def session(request: web.Request) -> web.Response:
    hub = _hub(request)
    _require(request, hub)
    reception = hub.config.reception
    assert reception is not None
    services = [{"id": s.id, "prefix": s.prefix, "label": s.labels, "colour": s.colour, "appointments": s.appointments}
                for s in hub.config.services]
    return web.json_response({"unlocked": True, "services": services, "print": reception.print_to,
                              "languages": list(hub.config.site.languages), "today": _today(hub).isoformat(),
                              "checkin_early_min": reception.checkin_early_min,
                              "checkin_late_min": reception.checkin_late_min,
                              "timezone": hub.config.site.timezone})


async def follow_qr(request: web.Request) -> web.Response:
    """The QR of a ticket's follow page, for a ticket shown on screen only (print = "screen")."""
    hub = _hub(request)
    _require(request, hub)
    key = request.match_info["key"]
    if not KEY_RE.fullmatch(key) or not hub.config.hub.public_url:
        raise web.HTTPNotFound(text="no such page")
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(f"{hub.config.hub.public_url}/t/{key}", image_factory=qrcode.image.svg.SvgPathImage,
                        border=2)
    return web.Response(body=image.to_string(), content_type="image/svg+xml", headers={"Cache-Control": "no-store"})


async def unlock(request: web.Request) -> web.Response:
    """The reception's PIN, with the desks' lockout (`Hub.unlock`)."""
    hub = _hub(request)
    given = pin(await read_json(request))
    reception = hub.config.reception
    response = hub.unlock(request, session=SESSION_ID, given=given, pin=reception.pin if reception else None,
                          cookie=COOKIE, label="reception", answer={})
    if response.status == 200:
        log.info("reception: opened")
    return response


async def logout(request: web.Request) -> web.Response:
    hub = _hub(request)
    _require(request, hub)
    hub.sessions.logout(SESSION_ID)
    response = web.json_response({"ok": True})
    response.del_cookie(COOKIE, path="/")
    return response


async def issue_ticket(request: web.Request) -> web.Response:
    hub = _hub(request)
    _require(request, hub)
    body = expect_object(await read_json(request))
    unknown = set(body) - {"service", "lang", "request_id"}
    if unknown:
        raise BadRequest(sorted(unknown)[0], "unexpected field")
    said, _ = stated({"request_id": body["request_id"]} if "request_id" in body else None, required=False,
                     action="issue")
    lock = hub.reception_lock()
    async with lock:  # one issue at a time: the request id is checked and recorded around it, with no gap
        done = await hub.db(hub.desk_requests.done_before, said.request_id)
        if done is not None:
            return web.json_response({"error": f"the reception already issued {done} for this request",
                                      "refusal": {"reason": "repeated", "desk": "reception", "code": done}},
                                     status=409)
        answer = await _issue(request, hub, body)
        if answer.status == 201 and said.request_id is not None:
            await hub.db(hub.desk_requests.record, desk_id="reception", action="issue", said=said,
                         code=json.loads(answer.text or "{}").get("code", ""), now=hub.clock.now())
        return answer


async def _issue(request: web.Request, hub: Hub, body: dict[str, Any]) -> web.Response:
    service_id = body.get("service")
    service = hub.config.service_or_none(service_id) if isinstance(service_id, str) else None
    if service is None:
        raise BadRequest("service", "must be one of " + ", ".join(s.id for s in hub.config.services), service_id)
    if service.appointments:
        raise BadRequest("service", "the appointments service is checked in with the appointment's number", service_id)
    lang = body.get("lang", hub.config.site.languages[0])
    if lang not in hub.config.site.languages:
        raise BadRequest("lang", "must be one of " + ", ".join(hub.config.site.languages), lang)
    assert hub.reception is not None
    try:
        ticket, printed = await asyncio.to_thread(hub.reception.issue, service_id, lang,
                                                  ingest=hub.ingest_from_thread, void=hub.void_from_thread)
    except ServiceClosed as exc:
        return web.json_response({"error": str(exc), "reason": "closed"}, status=409)
    except NumbersExhausted as exc:
        return web.json_response({"error": str(exc), "reason": "exhausted"}, status=409)
    except UnknownService as exc:
        raise BadRequest("service", str(exc), service_id) from None
    except PrinterUnavailable as exc:
        hub.changed()
        log.warning("reception printer failed: %s", exc)
        return web.json_response({"error": f"the reception printer did not print ({exc.state}): the number was "
                                           "voided, nobody waits with it", "reason": "printer"}, status=503)
    hub.changed()
    log.info("reception: ticket %s (%s)", ticket.code, service_id)
    estimate = ticket.estimate
    return web.json_response({"code": ticket.code, "service": service_id, "printed": printed,
                              "ahead": estimate.people_ahead if estimate else None,
                              "exact": bool(estimate and estimate.exact),
                              "wait_low_min": estimate.wait_low_min if estimate else None,
                              "wait_high_min": estimate.wait_high_min if estimate else None,
                              "follow_url": follow_url(hub.config, ticket.id)}, status=201)


def _day(value: Any, hub: Hub, *, field: str = "day") -> date:
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise BadRequest(field, "must be a date YYYY-MM-DD", value)
    today = _today(hub)
    if not today - timedelta(days=1) <= day <= today + timedelta(days=DAYS_AHEAD):
        raise BadRequest(field, f"must be from yesterday to {DAYS_AHEAD} days ahead", value)
    return day


def _appointment_input(body: Any, hub: Hub) -> tuple[date, time, str, str]:
    body = expect_object(body)
    unknown = set(body) - {"day", "time", "service", "reference"}
    if unknown:
        raise BadRequest(sorted(unknown)[0], "unexpected field")
    day = _day(body.get("day"), hub)
    if day < _today(hub):
        raise BadRequest("day", "is in the past", body.get("day"))
    raw_time = body.get("time")
    if not isinstance(raw_time, str) or not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", raw_time):
        raise BadRequest("time", "must be HH:MM", raw_time)
    at = time.fromisoformat(raw_time)
    schedule = Schedule(hub.config.hours, hub.config.site.timezone)
    ranges = schedule.ranges_on(day)
    if not any(r.start <= at < r.end for r in ranges):
        hours = ", ".join(str(r) for r in ranges) or "closed all day"
        raise BadRequest("time", f"the desk is not open at {raw_time} on {day.isoformat()} ({hours})", raw_time)
    service = body.get("service")
    known = [s.id for s in hub.config.services if not s.appointments]
    if service not in known:
        raise BadRequest("service", "must be one of " + ", ".join(known), service)
    reference = body.get("reference", "")
    if not isinstance(reference, str) or not _REFERENCE_RE.fullmatch(reference.strip()):
        raise BadRequest("reference", "must be at most 40 characters, no < >", reference)
    return day, at, str(service), reference.strip()


async def list_appointments(request: web.Request) -> web.Response:
    hub = _hub(request)
    _require(request, hub)
    day = _day(request.query.get("day", _today(hub).isoformat()), hub)

    def read() -> list[dict[str, object]]:
        with hub.store.transaction() as db:
            return [a.as_json() for a in appointments.on_day(db, day)]

    return web.json_response({"day": day.isoformat(), "appointments": await hub.db(read)},
                             headers={"Cache-Control": "no-store"})


async def add_appointment(request: web.Request) -> web.Response:
    hub = _hub(request)
    _require(request, hub)
    day, at, service, reference = _appointment_input(await read_json(request), hub)
    now = hub.clock.now()

    def write() -> appointments.Appointment:
        with hub.store.transaction() as db:
            return appointments.book(db, day=day, at=at, service_id=service, reference=reference,
                                     today=_today(hub), now=now)

    booked = await hub.db(write)
    log.info("reception: appointment %s on %s at %s (%s)", booked.number, booked.day, booked.time, service)
    hub.changed()
    return web.json_response({"appointment": booked.as_json()}, status=201)


async def change_appointment(request: web.Request) -> web.Response:
    hub = _hub(request)
    _require(request, hub)
    day = _day(request.match_info["day"], hub)
    number = request.match_info["number"]
    status = {"cancel": "cancelled", "reopen": "booked"}[request.match_info["action"]]

    def write() -> appointments.Appointment:
        with hub.store.transaction() as db:
            return appointments.set_status(db, day=day, number=number, status=status)

    try:
        changed = await hub.db(write)
    except AppointmentNotFound as exc:
        return web.json_response({"error": str(exc)}, status=404)
    log.info("reception: appointment %s %s", number, status)
    hub.changed()
    return web.json_response({"appointment": changed.as_json()})


async def check_in(request: web.Request) -> web.Response:
    """A totem checks an appointment in; the ticket it then prints names the number."""
    hub = _hub(request)
    hub.require_token(request)
    body = expect_object(await read_json(request))
    number, totem = body.get("number"), body.get("totem")
    if set(body) - {"number", "totem"}:
        raise BadRequest(sorted(set(body) - {"number", "totem"})[0], "unexpected field")
    if not isinstance(number, str) or not APPOINTMENT_RE.fullmatch(number):
        raise BadRequest("number", "must be 5 digits", number)
    if not isinstance(totem, str) or not re.fullmatch(r"[a-z0-9_-]{1,40}", totem):
        raise BadRequest("totem", "must be a totem id", totem)
    reception = hub.config.reception
    if reception is None:
        return web.json_response({"reason": "unknown", "error": "no appointments on this site"}, status=404)
    now = hub.clock.now()

    def write() -> appointments.Appointment:
        with hub.store.transaction() as db:
            return appointments.check_in(db, number, totem=totem, now=now, tz=hub.store.tz,
                                         early_min=reception.checkin_early_min, late_min=reception.checkin_late_min,
                                         guard=hub.checkins, mono=clock_time.monotonic())

    try:
        found = await hub.db(write)
    except AppointmentRefused as exc:
        status = {"unknown": 404, "locked": 429}.get(exc.reason, 409)
        if exc.reason == "locked":
            log.warning("check-in at %s locked: %s", totem, exc)
        return web.json_response({"reason": exc.reason, "error": str(exc), **exc.detail}, status=status)
    log.info("appointment %s checked in at %s", number, totem)
    hub.changed()
    service = hub.config.service_or_none(found.service_id)
    return web.json_response({"appointment": found.as_json(private=False),
                              "label": service.labels if service else {}, "checked_in_at": now.isoformat()})


def routes() -> list[web.AbstractRouteDef]:
    return [web.get("/reception", page), web.post("/reception/unlock", unlock), web.post("/reception/logout", logout),
            web.get("/api/reception/session", session), web.get("/reception/qr/{key}.svg", follow_qr),
            web.post("/api/reception/tickets", issue_ticket),
            web.get("/api/reception/appointments", list_appointments),
            web.post("/api/reception/appointments", add_appointment),
            web.post("/api/reception/appointments/{day}/{number:[0-9]{5}}/{action:cancel|reopen}",
                     change_appointment),
            web.post("/api/appointments/checkin", check_in)]
