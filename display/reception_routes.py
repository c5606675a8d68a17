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
import sqlite3
from datetime import date, time, timedelta
from typing import Any

from aiohttp import web

from config.errors import (
    AppointmentRefused,
    NoDeskToday,
    NumbersExhausted,
    PrinterUnavailable,
    ServiceClosed,
    UnknownService,
)
from config.follow import KEY_RE, follow_url
from display import STATIC, appointments, calendar_events
from display.appointments import AppointmentNotFound, TooManyOpen
from display.connlimit import read_json
from display.desk_requests import stated
from display.hub import HUB_KEY, Hub, require_same_origin
from display.validation import BadRequest, expect_object, pin
from totem.appointment_numbers import NUMBER_DIGITS, NUMBER_RE, well_formed
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
    hub.require_session(request, session=SESSION_ID, pin=reception.pin, cookie=COOKIE, what="reception",
                        role="reception")


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
    """The reception's PIN on a paired device, with the desks' lockout (`Hub.unlock`)."""
    hub = _hub(request)
    require_same_origin(request)
    device = hub.require_paired(request, "reception")
    given = pin(await read_json(request))
    reception = hub.config.reception
    response = hub.unlock(request, session=SESSION_ID, given=given, pin=reception.pin if reception else None,
                          cookie=COOKIE, label="reception", answer={}, device=device)
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
    except NoDeskToday as exc:  # site.issue_when_no_desk_today = false: not issued (totem.no_desk)
        return web.json_response({"error": str(exc), "reason": "no_desk_today"}, status=409)
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
    unknown = set(body) - {"day", "time", "service", "reference", "duplicate_ok"}
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
    if looks_like_a_name(reference):
        raise BadRequest("reference", "looks like a person's name: use a file number or initials (no personal data)")
    return day, at, str(service), reference.strip()


def looks_like_a_name(reference: str) -> bool:
    """Data minimisation: a reference is a number (with any words: "pratica TARI 42") or
    initials ("M.R."); letters alone with a word of three or more ("Mario Rossi") are refused."""
    text = reference.strip()
    if not text or any(ch.isdigit() for ch in text):
        return False
    words = [w for w in re.split(r"[\s.,;:/'-]+", text) if w]
    return any(len(w) >= 3 and w.isalpha() for w in words)


def _same_slot(db: sqlite3.Connection, day: date, at: time, service: str) -> bool:
    return db.execute("SELECT 1 FROM appointments WHERE day = ? AND time = ? AND service_id = ? "
                      "AND status != 'cancelled' LIMIT 1", (day.isoformat(), at.strftime("%H:%M"), service)
                      ).fetchone() is not None


async def list_appointments(request: web.Request) -> web.Response:
    hub = _hub(request)
    _require(request, hub)
    day = _day(request.query.get("day", _today(hub).isoformat()), hub)

    def read() -> list[dict[str, object]]:
        with hub.store.transaction() as db:
            online = calendar_events.imported_on(db, day)  # from the online booking (issue 23)
            return [a.as_json() | ({"online": True} if a.number in online else {})
                    for a in appointments.on_day(db, day)]

    calendar = hub.calendar.status() if hub.calendar is not None else None
    return web.json_response({"day": day.isoformat(), "appointments": await hub.db(read),
                              "calendar": calendar and {"error": calendar["last_error"] is not None,
                                                        "last_ok_at": calendar["last_ok_at"]}},
                             headers={"Cache-Control": "no-store"})


async def add_appointment(request: web.Request) -> web.Response:
    hub = _hub(request)
    _require(request, hub)
    body = await read_json(request)
    day, at, service, reference = _appointment_input(body, hub)
    now = hub.clock.now()
    duplicate_ok = isinstance(body, dict) and body.get("duplicate_ok") is True

    def write() -> appointments.Appointment | None:
        with hub.store.transaction() as db:
            if not duplicate_ok and _same_slot(db, day, at, service):
                return None  # told first: the reception confirms a second appointment in one slot
            return appointments.book(db, day=day, at=at, service_id=service, reference=reference,
                                     today=_today(hub), now=now)

    try:
        booked = await hub.db(write)
    except TooManyOpen as exc:
        return web.json_response({"error": str(exc), "reason": "too_many"}, status=409)
    if booked is None:
        return web.json_response({"error": f"duplicate: {service} already has an appointment at {at:%H:%M} on "
                                           f"{day.isoformat()}; send again with duplicate_ok to book a second one",
                                  "field": "duplicate"}, status=409)
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
    """A totem checks an appointment in; the ticket it then prints names the number. The brake
    (`display.checkin_brake`, keyed by the source address, not the totem id) decides when the
    number is compared; a number whose check digit is wrong is a typo, answered at once."""
    hub = _hub(request)
    hub.require_token(request)
    body = expect_object(await read_json(request))
    number, totem = body.get("number"), body.get("totem")
    if set(body) - {"number", "totem"}:
        raise BadRequest(sorted(set(body) - {"number", "totem"})[0], "unexpected field")
    if not isinstance(number, str) or not NUMBER_RE.fullmatch(number):
        raise BadRequest("number", f"must be {NUMBER_DIGITS} digits", number)
    if not isinstance(totem, str) or not re.fullmatch(r"[a-z0-9_-]{1,40}", totem):
        raise BadRequest("totem", "must be a totem id", totem)
    reception = hub.config.reception
    if reception is None:
        return web.json_response({"reason": "unknown", "error": "no appointments on this site"}, status=404)
    if not well_formed(number):  # a slip of the finger (the totem checks this too): no guess, nothing compared
        return web.json_response({"reason": "unknown", "error": "the check digit does not match: a typo"},
                                 status=404)
    source = request.remote or "?"
    brake = hub.checkin_brake
    if not await brake.admit(source):
        wait = round(brake.retry_after_s(source))
        log.warning("check-in from %s (%s) not compared: busy (a newer number, or the brake)", source, totem)
        return web.json_response({"reason": "locked", "error": f"too many numbers tried lately: retry in {wait} s",
                                  "retry_after_s": wait}, status=429, headers={"Retry-After": str(wait)})
    now = hub.clock.now()

    def write() -> appointments.Appointment:
        with hub.store.transaction() as db:
            return appointments.check_in(db, number, totem=totem, now=now, tz=hub.store.tz,
                                         early_min=reception.checkin_early_min, late_min=reception.checkin_late_min)

    try:
        found = await hub.db(write)
    except AppointmentRefused as exc:
        brake.record(source, right=exc.reason != "unknown")
        status = {"unknown": 404, "locked": 429}.get(exc.reason, 409)
        return web.json_response({"reason": exc.reason, "error": str(exc), **exc.detail}, status=status)
    except BaseException:
        brake.record(source, right=None)
        raise
    brake.record(source, right=True)
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
            web.post("/api/reception/appointments/{day}/{number:[0-9]{11}}/{action:cancel|reopen}",
                     change_appointment),
            web.post("/api/appointments/checkin", check_in)]
