"""The reason a call jumps the queue, as the hub records and shows it (issue 22 point 4).

Steps:
1. when a desk calls, `for_call` reads how the ticket got there (its row, its appointment)
   and asks `totem.callreason.reason` with the waiting tickets of the call order; the hub
   stores the answer with the call (`calls.reason`, JSON) in the call's own transaction;
2. the call event, the state's last calls and the follow page read it back (`of_ticket`,
   `parse`) and show it in each site language from the catalogues (`words`).
A call with no reason stores NULL and shows nothing.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from config.i18n import Translator
from display import appointments
from totem.callorder import CallOrder, DeskView, Waiting, aged_before
from totem.callreason import Past, Reason, reason

RECENT_CALLS = 50  # the follow page looks for the latest call at its desks among this many


def past(db: sqlite3.Connection, ticket: Waiting) -> Past:
    row = db.execute("SELECT first_called_at, original_service FROM tickets WHERE id = ?", (ticket.id,)).fetchone()
    booked = appointments.notes(db, [ticket.id]).get(ticket.id)
    return Past(called_before=bool(row and row[0]),
                transferred=bool(row and row[1] != ticket.service) or ticket.constrained,
                appointment_time=booked[0] if booked else None)


def for_call(db: sqlite3.Connection, order: CallOrder, desk: DeskView, chosen: Waiting, *,
             now_iso: str = "") -> str | None:
    """The reason to store with this call (JSON), or None. Before the call leaves the order."""
    waited_long = chosen.issued_at < aged_before(now_iso, order.long_wait_min)
    found = reason(chosen, past(db, chosen), desk, order.waiting(), waited_long=waited_long)
    return json.dumps(found.as_json(), separators=(",", ":")) if found else None


def parse(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    try:
        found = Reason.from_json(json.loads(text))
    except ValueError:
        return None
    return found.as_json() if found else None


def of_ticket(db: sqlite3.Connection, ticket_id: str) -> dict[str, str] | None:
    """The reason stored with the ticket's latest call."""
    row = db.execute("SELECT reason FROM calls WHERE ticket_id = ? ORDER BY seq DESC LIMIT 1", (ticket_id,)).fetchone()
    return parse(row[0]) if row else None


def words(data: Any, languages: tuple[str, ...] | list[str]) -> dict[str, str] | None:
    """The reason's words in each language, e.g. {"it": "Appuntamento 10:30", "en": "Appointment 10:30"}."""
    found = Reason.from_json(data)
    if found is None:
        return None
    return {lang: found.words(Translator(lang)) for lang in languages}


def call_reason_words(data: Any, translate: Any) -> str:
    """The call screen's line for a call event's `reason` ("" when it has none)."""
    found = Reason.from_json(data)
    return found.words(translate) if found else ""


def for_follow(store: Any, ticket: Any, day: str) -> dict[str, Any]:
    """What the follow page adds (`display.follow`): for a called ticket, why it was called
    then; for a waiting one, the latest call at a desk that can call it, when that call
    went before earlier tickets (so the citizen sees the rule behind a count that did not move)."""
    languages = store.config.site.languages
    db = store.reader()
    if ticket.status == "called":
        said = words(of_ticket(db, ticket.id), languages)
        return {"reason": said} if said else {}
    waiting = store.order.get(ticket.id)
    desks = [d.id for d in store.order.callers(waiting)] if waiting is not None else []
    if not desks:
        return {}
    # Among the newest calls only (a bounded read on every phone's poll; an older one is no news).
    row = db.execute(f"SELECT code, desk_id, reason FROM (SELECT seq, code, desk_id, reason, service_day, recall "
                     f"FROM calls ORDER BY seq DESC LIMIT {RECENT_CALLS}) WHERE service_day = ? AND recall = 0 AND "
                     f"desk_id IN ({','.join('?' * len(desks))}) ORDER BY seq DESC LIMIT 1", (day, *desks)).fetchone()
    said = words(parse(row[2]), languages) if row else None
    if not said:
        return {}
    desk = store.config.desk(row[1])
    return {"last_call": {"code": row[0], "desk_name": desk.name if desk else row[1], "reason": said}}
