"""Appointments: entered at the reception point, checked in at the totem (issue 14).

Steps:
1. The reception enters one (`book`): day, time, service, a short reference that names no
   one. The hub gives it a random 11-digit number (10 random digits and a check digit,
   `totem.appointment_numbers`), unique among the appointments still to come, which the
   staff read out on the phone or write in the e-mail. At most `MAX_OPEN` appointments are
   open at once (what the guessing odds are computed for).
2. At the totem the citizen taps the appointments button and types the number; the totem
   asks the hub (`check_in`), which checks the day, the time window and that the number was
   not used, and marks it checked in, all in one transaction on the hub's database thread.
   Before that the brake (`display.checkin_brake`) decides when the number is compared.
3. The totem then prints a ticket of the appointments service (a priority service) that
   names the number; the hub links the ticket when it arrives (`link_ticket`). If that ticket
   is voided (the printer failed), the appointment is open again (`unlink_ticket`).

Failure paths of a check-in, each an `AppointmentRefused` (the totem's vocabulary) with a `reason` the totem shows:
- `unknown`: no appointment has that number (typed wrong), or a cancelled one of another day;
- `other_day`: the appointment is on another day (`day` says which: only after all 11 digits
  were right, so it tells a stranger nothing);
- `early` / `late`: outside [time - checkin_early_min, time + checkin_late_min] (`from` / `until`);
- `used`: already checked in (or a ticket already printed for it);
- `cancelled`: the reception cancelled it;
- `locked` (said by the route, never here): the brake could not give the number a turn in
  time (a flood of wrong numbers): "busy, retry"; the number was not compared.
Nothing is changed by a refusal.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config.errors import AppointmentRefused, TotemError
from totem.appointment_numbers import new_number

REFERENCE_MAX = 40
MAX_OPEN = 10_000  # booked appointments from today on; a new one past this is refused

SCHEMA = """
CREATE TABLE IF NOT EXISTS appointments (
    number TEXT NOT NULL,
    day TEXT NOT NULL,
    time TEXT NOT NULL,
    service_id TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('booked', 'checked_in', 'cancelled')),
    created_at TEXT NOT NULL,
    checked_in_at TEXT,
    totem TEXT,
    ticket_id TEXT,
    ticket_code TEXT,
    PRIMARY KEY (day, number)
);
CREATE INDEX IF NOT EXISTS appointments_number ON appointments (number);
CREATE INDEX IF NOT EXISTS appointments_ticket ON appointments (ticket_id) WHERE ticket_id IS NOT NULL;
"""
_COLS = "number, day, time, service_id, reference, status, checked_in_at, totem, ticket_code"


class AppointmentNotFound(TotemError, LookupError):
    """No appointment with that number on that day (the reception's cancel or reopen)."""


class TooManyOpen(TotemError, OverflowError):
    """`MAX_OPEN` appointments are booked already: the guessing odds hold up to that many."""


@dataclass(frozen=True)
class Appointment:
    number: str
    day: str
    time: str
    service_id: str
    reference: str
    status: str
    checked_in_at: str | None = None
    totem: str | None = None
    ticket_code: str | None = None

    def as_json(self, *, private: bool = True) -> dict[str, object]:
        """`private=False`: what a totem is told (no reference: the reception's note stays there)."""
        out: dict[str, object] = {"number": self.number, "day": self.day, "time": self.time,
                                  "service": self.service_id, "status": self.status}
        if private:
            out |= {"reference": self.reference, "checked_in_at": self.checked_in_at, "totem": self.totem,
                    "ticket_code": self.ticket_code}
        return out


def _row(row: tuple) -> Appointment:
    return Appointment(*row)


def book(db: sqlite3.Connection, *, day: date, at: time, service_id: str, reference: str, today: date,
         now: datetime) -> Appointment:
    """A new appointment with a fresh number (unique among today's and later ones)."""
    open_now = db.execute("SELECT COUNT(*) FROM appointments WHERE day >= ? AND status = 'booked'",
                          (today.isoformat(),)).fetchone()[0]
    if open_now >= MAX_OPEN:
        raise TooManyOpen(f"{open_now} appointments are open (at most {MAX_OPEN}): cancel old ones first")
    while True:
        number = new_number()
        if not db.execute("SELECT 1 FROM appointments WHERE number = ? AND day >= ?",
                          (number, today.isoformat())).fetchone():
            break
    db.execute("INSERT INTO appointments (number, day, time, service_id, reference, status, created_at) "
               "VALUES (?, ?, ?, ?, ?, 'booked', ?)",
               (number, day.isoformat(), at.strftime("%H:%M"), service_id, reference, now.isoformat()))
    return Appointment(number, day.isoformat(), at.strftime("%H:%M"), service_id, reference, "booked")


def on_day(db: sqlite3.Connection, day: date) -> list[Appointment]:
    return [_row(r) for r in db.execute(f"SELECT {_COLS} FROM appointments WHERE day = ? ORDER BY time, number",
                                        (day.isoformat(),))]


def set_status(db: sqlite3.Connection, *, day: date, number: str, status: str) -> Appointment:
    """The reception cancels one, or opens again one checked in by mistake (its ticket is not undone)."""
    assert status in ("booked", "cancelled")
    cur = db.execute("UPDATE appointments SET status = ?, checked_in_at = CASE WHEN ? = 'booked' THEN NULL "
                     "ELSE checked_in_at END, totem = CASE WHEN ? = 'booked' THEN NULL ELSE totem END "
                     "WHERE day = ? AND number = ?", (status, status, status, day.isoformat(), number))
    if cur.rowcount == 0:
        raise AppointmentNotFound(f"no appointment {number} on {day.isoformat()}")
    row = db.execute(f"SELECT {_COLS} FROM appointments WHERE day = ? AND number = ?",
                     (day.isoformat(), number)).fetchone()
    return _row(row)


def check_in(db: sqlite3.Connection, number: str, *, totem: str, now: datetime, tz: ZoneInfo, early_min: int,
             late_min: int) -> Appointment:
    """Mark today's appointment with this number checked in, or raise `AppointmentRefused`."""
    local = now.astimezone(tz)
    today = local.date().isoformat()
    rows = [_row(r) for r in db.execute(f"SELECT {_COLS} FROM appointments WHERE number = ? AND status != 'cancelled' "
                                        "ORDER BY day = ? DESC, day", (number, today))]
    cancelled = not rows and db.execute("SELECT 1 FROM appointments WHERE number = ? AND day = ?",
                                        (number, today)).fetchone()
    if not rows:
        if cancelled:
            raise AppointmentRefused("cancelled", f"appointment {number} was cancelled")
        raise AppointmentRefused("unknown", f"no appointment has the number {number}")
    found = rows[0]
    if found.day != today:
        later = [a for a in rows if a.day > today]
        shown = later[0] if later else found
        raise AppointmentRefused("other_day", f"appointment {number} is on {shown.day}", day=shown.day)
    if found.status == "checked_in":
        raise AppointmentRefused("used", f"appointment {number} was already checked in at {found.checked_in_at}")
    at = datetime.combine(local.date(), time.fromisoformat(found.time), tzinfo=tz)
    opens, closes = at - timedelta(minutes=early_min), at + timedelta(minutes=late_min)
    if local < opens:
        raise AppointmentRefused("early", f"appointment {number} at {found.time}: check-in from {opens:%H:%M}",
                             **{"from": f"{opens:%H:%M}"})
    if local > closes:
        raise AppointmentRefused("late", f"appointment {number} at {found.time}: check-in closed at {closes:%H:%M}",
                             until=f"{closes:%H:%M}")
    db.execute("UPDATE appointments SET status = 'checked_in', checked_in_at = ?, totem = ? WHERE day = ? "
               "AND number = ?", (now.isoformat(), totem, today, number))
    return Appointment(found.number, found.day, found.time, found.service_id, found.reference, "checked_in",
                       now.isoformat(), totem)


def link_ticket(db: sqlite3.Connection, number: str, *, day: str, ticket_id: str, code: str, now_iso: str) -> None:
    """A ticket printed for a checked-in appointment arrived (in the caller's transaction)."""
    db.execute("UPDATE appointments SET ticket_id = ?, ticket_code = ?, status = 'checked_in', "
               "checked_in_at = COALESCE(checked_in_at, ?) WHERE day = ? AND number = ?",
               (ticket_id, code, now_iso, day, number))


def unlink_ticket(db: sqlite3.Connection, ticket_id: str) -> None:
    """Its ticket was voided (nothing printed): the appointment can be checked in again."""
    db.execute("UPDATE appointments SET status = 'booked', ticket_id = NULL, ticket_code = NULL, checked_in_at = NULL, "
               "totem = NULL WHERE ticket_id = ? AND status = 'checked_in'", (ticket_id,))


def notes(db: sqlite3.Connection, ticket_ids: list[str]) -> dict[str, tuple[str, str]]:
    """For the desk console: ticket id -> (appointment time, its service)."""
    if not ticket_ids:
        return {}
    rows = db.execute(f"SELECT ticket_id, time, service_id FROM appointments WHERE ticket_id IN "
                      f"({','.join('?' * len(ticket_ids))})", ticket_ids)
    return {r[0]: (r[1], r[2]) for r in rows}


def prune(db: sqlite3.Connection, *, before: date) -> None:
    db.execute("DELETE FROM appointments WHERE day < ?", (before.isoformat(),))
