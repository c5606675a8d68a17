"""Appointments from the online booking's calendar, merged into the hub's (issue 23, point 3).

Pure core (icalendar and SQLite, no network): `bookings` turns the iCalendar documents the
poller fetched into `Booking`s, `merge` brings the hub's appointments in line with them in the
caller's transaction.

What is kept of an event (data minimisation): its booking code, service, day and time, and
whether it is cancelled. SUMMARY, DESCRIPTION, attendees and organiser are read only to find
the service and the code and are never stored or logged; the event's UID is kept only as a
hash (`uid_key`), to recognise the event when it changes.

Steps of `bookings`, for each VEVENT:
1. the code: the first 11 digits (spaces, dots, dashes between them allowed) of the property
   `code_property`; it must be an appointment number (Damm check digit, totem.appointment_numbers),
   so the totem's keypad, typo check and the hub's brake treat it like a reception number;
2. the service, by `service_from`: a CATEGORIES value, a SUMMARY prefix (case-insensitive), or
   the calendar's one service;
3. the window: DTSTART in the site's time zone (an all-day event has no time: skipped);
4. STATUS:CANCELLED marks it cancelled. SEQUENCE and LAST-MODIFIED order versions of an event.
Events that give no booking are counted in `Parsed.skipped` by reason, never guessed at.

Steps of `merge` (idempotent: the same calendar twice changes nothing):
1. an event seen for the first time becomes an appointment (booked, or cancelled: then a citizen
   typing its code is told it was cancelled), unless its code is already another appointment's;
2. a known event changes its appointment only when it differs and is not older than what was
   applied (SEQUENCE, then LAST-MODIFIED): a move changes day and time, a cancellation cancels,
   a confirmed event again opens it again; an appointment already checked in keeps its ticket;
3. a known event of today or later that is no longer in the calendar is cancelled (never
   deleted): the caller calls `merge` only after a complete, successful fetch.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from config.model import CalendarSettings
from display.appointments import MAX_OPEN
from totem.appointment_numbers import well_formed

SCHEMA = """
CREATE TABLE IF NOT EXISTS calendar_events (
    uid_key TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    day TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    modified TEXT NOT NULL,
    digest TEXT NOT NULL,
    gone INTEGER NOT NULL DEFAULT 0,
    seen_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS calendar_events_day ON calendar_events (day);
"""
_CODE_RE = re.compile(r"(?<![0-9])[0-9](?:[ .-]?[0-9]){10}(?![0-9])")


@dataclass(frozen=True)
class Booking:
    uid_key: str
    number: str
    service_id: str
    day: str  # YYYY-MM-DD, local
    time: str  # HH:MM, local
    cancelled: bool
    sequence: int = 0
    modified: str = ""  # LAST-MODIFIED (UTC, ISO) or ""

    @property
    def digest(self) -> str:
        return f"{self.number}|{self.service_id}|{self.day}|{self.time}|{int(self.cancelled)}"


@dataclass
class Parsed:
    bookings: list[Booking] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> events

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


@dataclass
class Merged:
    created: int = 0
    moved: int = 0
    cancelled: int = 0
    reopened: int = 0
    unchanged: int = 0
    stale: int = 0  # an older version of an event than the one applied (a lagging mirror)
    conflicts: int = 0  # its code is another appointment's
    over_limit: int = 0  # past MAX_OPEN open appointments (what the guessing odds hold for)

    def as_json(self) -> dict[str, int]:
        return dict(self.__dict__)


def uid_key(uid: str) -> str:
    return hashlib.sha256(uid.encode("utf-8", "replace")).hexdigest()[:32]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return str(value)


def _categories(event: Any) -> list[str]:
    raw = event.get("CATEGORIES")
    out: list[str] = []
    for item in raw if isinstance(raw, list) else [raw] if raw is not None else []:
        cats = getattr(item, "cats", None)
        out.extend(str(c) for c in (cats if cats is not None else str(item).split(",")))
    return [c.strip().lower() for c in out if c.strip()]


def _service(event: Any, settings: CalendarSettings) -> str | None:
    if settings.service_from == "calendar":
        return settings.service
    if settings.service_from == "category":
        return next((settings.services[c] for c in _categories(event) if c in settings.services), None)
    summary = _text(event.get("SUMMARY")).strip().lower()  # read here, never kept
    for prefix in sorted(settings.services, key=len, reverse=True):
        if summary.startswith(prefix):
            return settings.services[prefix]
    return None


def _start(event: Any, tz: ZoneInfo) -> datetime | None:
    prop = event.get("DTSTART")
    value = getattr(prop, "dt", None)
    if not isinstance(value, datetime):  # an all-day event (a date) or none: no time to check in at
        return None
    if value.tzinfo is None:  # "floating" time: the site's own clock
        value = value.replace(tzinfo=tz)
    return value.astimezone(tz)


def _modified(event: Any) -> str:
    value = getattr(event.get("LAST-MODIFIED"), "dt", None)
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))).astimezone(
            ZoneInfo("UTC")).isoformat()
    return ""


def bookings(documents: list[bytes], settings: CalendarSettings, tz: ZoneInfo) -> Parsed:
    """Every VEVENT of the documents as a Booking, or counted as skipped (by reason)."""
    from icalendar import Calendar

    parsed = Parsed()
    for document in documents:
        try:
            calendar = Calendar.from_ical(document)
        except ValueError:
            parsed.skip("unreadable")
            continue
        for event in calendar.walk("VEVENT"):
            uid = _text(event.get("UID")).strip()
            if not uid:
                parsed.skip("no_uid")
                continue
            if event.get("RECURRENCE-ID") is not None or event.get("RRULE") is not None:
                parsed.skip("recurring")  # a booking is one meeting; series are not appointments
                continue
            match = _CODE_RE.search(_text(event.get(settings.code_property)))
            number = re.sub(r"[ .-]", "", match.group(0)) if match else ""
            if not well_formed(number):
                parsed.skip("no_code")
                continue
            service = _service(event, settings)
            if service is None:
                parsed.skip("no_service")
                continue
            start = _start(event, tz)
            if start is None:
                parsed.skip("no_time")
                continue
            try:
                sequence = int(_text(event.get("SEQUENCE")) or 0)
            except ValueError:
                sequence = 0
            status = _text(event.get("STATUS")).strip().upper()
            parsed.bookings.append(Booking(uid_key(uid), number, service, start.date().isoformat(),
                                           f"{start:%H:%M}", status == "CANCELLED", sequence, _modified(event)))
    return parsed


def _newer_or_same(new: Booking, sequence: int, modified: str) -> bool:
    return (new.sequence, new.modified) >= (sequence, modified)


def _status(db: sqlite3.Connection, day: str, number: str) -> str | None:
    row = db.execute("SELECT status FROM appointments WHERE day = ? AND number = ?", (day, number)).fetchone()
    return row[0] if row else None


def merge(db: sqlite3.Connection, found: list[Booking], *, today: date, now: datetime) -> Merged:
    """Bring the appointments in line with a complete fetch (in the caller's transaction)."""
    out = Merged()
    stamp = now.isoformat()
    seen: set[str] = set()
    open_now = db.execute("SELECT COUNT(*) FROM appointments WHERE day >= ? AND status = 'booked'",
                          (today.isoformat(),)).fetchone()[0]
    for b in sorted(found, key=lambda b: (b.sequence, b.modified)):  # one UID twice in a feed: the newest wins
        seen.add(b.uid_key)
        row = db.execute("SELECT number, day, sequence, modified, digest, gone FROM calendar_events WHERE uid_key = ?",
                         (b.uid_key,)).fetchone()
        if row is None:
            if b.day < today.isoformat():  # already past: nobody checks in to it
                continue
            if db.execute("SELECT 1 FROM appointments WHERE number = ? AND day >= ?",
                          (b.number, min(b.day, today.isoformat()))).fetchone():
                out.conflicts += 1
                continue
            if not b.cancelled and open_now >= MAX_OPEN:
                out.over_limit += 1
                continue
            open_now += 0 if b.cancelled else 1
            db.execute("INSERT INTO appointments (number, day, time, service_id, reference, status, created_at) "
                       "VALUES (?, ?, ?, ?, '', ?, ?)",
                       (b.number, b.day, b.time, b.service_id, "cancelled" if b.cancelled else "booked", stamp))
            db.execute("INSERT INTO calendar_events (uid_key, number, day, sequence, modified, digest, seen_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", (b.uid_key, b.number, b.day, b.sequence, b.modified, b.digest,
                                                        stamp))
            out.created += 1
            continue
        number, day, sequence, modified, digest, gone = row
        if not _newer_or_same(b, sequence, modified):
            out.stale += 1
            continue
        if digest == b.digest and not gone:
            out.unchanged += 1
            db.execute("UPDATE calendar_events SET seen_at = ? WHERE uid_key = ?", (stamp, b.uid_key))
            continue
        status = _status(db, day, number)
        if status is None:  # its appointment was pruned with its day: a new one (the event moved on)
            db.execute("INSERT INTO appointments (number, day, time, service_id, reference, status, created_at) "
                       "VALUES (?, ?, ?, ?, '', ?, ?)",
                       (b.number, b.day, b.time, b.service_id, "cancelled" if b.cancelled else "booked", stamp))
            out.created += 1
        elif status == "checked_in":  # the citizen is in the queue already: the ticket stands
            out.unchanged += 1
        else:
            if (number != b.number or day != b.day) and db.execute(
                    "SELECT 1 FROM appointments WHERE number = ? AND day = ? AND NOT (number = ? AND day = ?)",
                    (b.number, b.day, number, day)).fetchone():
                out.conflicts += 1
                continue
            target = "cancelled" if b.cancelled else "booked"
            before = db.execute("SELECT day, time FROM appointments WHERE day = ? AND number = ?",
                                (day, number)).fetchone()
            db.execute("UPDATE appointments SET number = ?, day = ?, time = ?, service_id = ?, status = ? "
                       "WHERE day = ? AND number = ?", (b.number, b.day, b.time, b.service_id, target, day, number))
            if target == "cancelled" and status != "cancelled":
                out.cancelled += 1
            elif target == "booked" and status == "cancelled":
                out.reopened += 1
            if tuple(before) != (b.day, b.time):
                out.moved += 1
        db.execute("UPDATE calendar_events SET number = ?, day = ?, sequence = ?, modified = ?, digest = ?, gone = 0, "
                   "seen_at = ? WHERE uid_key = ?", (b.number, b.day, b.sequence, b.modified, b.digest, stamp,
                                                     b.uid_key))
    for key, number, day in db.execute("SELECT uid_key, number, day FROM calendar_events WHERE gone = 0 AND day >= ?",
                                       (today.isoformat(),)).fetchall():
        if key in seen:
            continue
        cur = db.execute("UPDATE appointments SET status = 'cancelled' WHERE day = ? AND number = ? "
                         "AND status = 'booked'", (day, number))
        out.cancelled += cur.rowcount
        db.execute("UPDATE calendar_events SET gone = 1, seen_at = ? WHERE uid_key = ?", (stamp, key))
    return out


def prune(db: sqlite3.Connection, *, before: date) -> None:
    db.execute("DELETE FROM calendar_events WHERE day < ?", (before.isoformat(),))


def imported_on(db: sqlite3.Connection, day: date) -> set[str]:
    """The numbers of that day's appointments that came from the calendar (the reception's list marks them)."""
    return {r[0] for r in db.execute("SELECT number FROM calendar_events WHERE day = ?", (day.isoformat(),))}

