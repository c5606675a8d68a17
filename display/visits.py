"""A visit as it is: a second service for the ticket in service, and the contacts a desk serves
without a ticket (phone, e-mail, walk-up), so the reports show the desk's whole work.

Rows (the hub schema's step 9, display.records): `visit_services` (ticket, added service: one row
each, so adding it twice changes nothing), `contacts` (one row per console click, keyed by the
click's request id: a retry changes nothing). Nothing personal: a channel, a service, a time, and
the minutes when the operator timed the contact.

Functions take the hub's connection inside the caller's transaction (`display.desk_actions`).
Failure paths are the caller's: an unknown channel or service, a duration out of range, a second
service equal to the ticket's own are refused by `visit_input` / `add_service` before any row is written.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from display.validation import BadRequest, expect_object

CHANNELS = ("phone", "email", "walkin")  # the desk's channels besides the ticket
MAX_DURATION_S = 8 * 3600  # a contact timed longer than a working day is a forgotten timer


def service_input(body: object, services: set[str]) -> str:
    """The second service's id, from `{"service": ...}`."""
    body = expect_object(body)
    extra = sorted(set(body) - {"service"})
    if extra:
        raise BadRequest(extra[0], "unknown field", extra[0])
    service = body.get("service")
    if not isinstance(service, str) or service not in services:
        raise BadRequest("service", "unknown service", service)
    return service


def contact_input(body: object, services: set[str]) -> tuple[str, str, int | None]:
    """(channel, service, duration in seconds or None) from `{"channel", "service", "duration_s"?}`."""
    body = expect_object(body)
    extra = sorted(set(body) - {"channel", "service", "duration_s"})
    if extra:
        raise BadRequest(extra[0], "unknown field", extra[0])
    channel = body.get("channel")
    if channel not in CHANNELS:
        raise BadRequest("channel", f"must be one of {', '.join(CHANNELS)}", channel)
    service = body.get("service")
    if not isinstance(service, str) or service not in services:
        raise BadRequest("service", "unknown service", service)
    duration = body.get("duration_s")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int)
                                 or not 0 <= duration <= MAX_DURATION_S):
        raise BadRequest("duration_s", f"must be whole seconds from 0 to {MAX_DURATION_S}", duration)
    return str(channel), service, duration


def add_service(db: sqlite3.Connection, *, ticket_id: str, service_id: str, desk_id: str, day: str,
                now_iso: str) -> bool:
    """Record a second service for a ticket; False when it was already recorded."""
    return db.execute("INSERT INTO visit_services (ticket_id, service_id, desk_id, service_day, added_at) VALUES "
                      "(?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      (ticket_id, service_id, desk_id, day, now_iso)).rowcount == 1


def services_of(db: sqlite3.Connection, ticket_id: str) -> list[str]:
    return [r[0] for r in db.execute("SELECT service_id FROM visit_services WHERE ticket_id = ? ORDER BY added_at",
                                     (ticket_id,))]


def record_contact(db: sqlite3.Connection, *, request_id: str, desk_id: str, channel: str, service_id: str,
                   day: str, now: datetime, duration_s: int | None) -> bool:
    """One contact served without a ticket; False when this request id was recorded already."""
    return db.execute("INSERT INTO contacts (request_id, desk_id, channel, service_id, service_day, at, duration_s) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING",
                      (request_id, desk_id, channel, service_id, day, now.isoformat(), duration_s)).rowcount == 1


def today_at_desk(db: sqlite3.Connection, day: str, desk_id: str) -> dict[str, int]:
    """Contacts recorded today at a desk, per channel (the console shows them)."""
    return dict(db.execute("SELECT channel, COUNT(*) FROM contacts WHERE service_day = ? AND desk_id = ? "
                           "GROUP BY channel", (day, desk_id)).fetchall())


def prune(db: sqlite3.Connection, *, before: date) -> None:
    db.execute("DELETE FROM visit_services WHERE service_day < ?", (before.isoformat(),))
    db.execute("DELETE FROM contacts WHERE service_day < ?", (before.isoformat(),))
