"""A turn held ("Sospendi"): the citizen in service goes to fetch a document or fill in a form.

States of a ticket (the hub schema's step 8, display.records):
- `called` at desk D --hold--> `held` (desk_id stays D, `held_at` set, `holds` + 1): the desk is free to
  call the next; the ticket is in no call order, so no other desk and no "next" can call it and it is
  nobody's "person ahead";
- `held` --callback (by D only)--> `called` at D again (`hold_returns` + 1), announced on the call screen
  like any call; the desk's ticket in service, if any, is finished as served first (as a call does);
- `held` --closing--> `expired` (`finished_at` = the closing time): a held turn left at the day's
  closing time (the last range of the site file's hours), or on the next service day at the latest,
  is neither served nor a no-show. An expired or called-back ticket is never held again by itself.

Every function runs on the hub's database thread (the caller is `display.desk_actions`), in one
transaction, with the desk's undo entry (`display.undo`) recorded around the change.
Failure paths: no ticket in service to hold (None); a callback of a ticket that is not held today
("missing"), or held by another desk ("other_desk"): nothing changes.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time, timedelta

from display.queue import QueueStore
from display.records import HubTicket, _ts


def hold(store: QueueStore, desk_id: str, *, now: datetime) -> HubTicket | None:
    """Hold the desk's ticket in service; None when it has none."""
    current = store.current(desk_id, now=now)
    if current is None:
        return None
    with store.transaction() as db, store.undo_book.recording(db, desk_id, "hold", [current.id], now):
        db.execute("UPDATE tickets SET status = 'held', held_at = ?, holds = holds + 1 WHERE id = ?",
                   (_ts(now), current.id))
    store.touched(desk_id, now=now)
    return store._ticket(current.id)


def _find(db: sqlite3.Connection, day: str, key: str, value: str) -> tuple[str, str] | None:
    column = "id" if key == "id" else "code"
    row = db.execute(f"SELECT id, desk_id FROM tickets WHERE service_day = ? AND {column} = ? AND status = 'held' "
                     "ORDER BY held_at LIMIT 1", (day, value)).fetchone()
    return (str(row[0]), str(row[1])) if row else None


def callback(store: QueueStore, desk_id: str, key: str, value: str, *,
             now: datetime) -> tuple[str, HubTicket | None, HubTicket | None]:
    """Call a held ticket back at the desk that held it: ("called", ticket, finished) where
    `finished` is the ticket in service it finished as served, or ("missing" | "other_desk", None, None)."""
    day = store.sync(now)
    found = _find(store.reader(), day, key, value)
    if found is None:
        return "missing", None, None
    ticket_id, holder = found
    if holder != desk_id:
        return "other_desk", store._ticket(ticket_id), None
    current = store.current(desk_id, now=now)
    touched = (current.id if current else "", ticket_id)
    with store.transaction() as db, store.undo_book.recording(db, desk_id, "callback", touched, now) as calls:
        if current is not None:
            db.execute("UPDATE tickets SET status = 'served', finished_at = ? WHERE id = ?", (_ts(now), current.id))
        db.execute("UPDATE tickets SET status = 'called', called_at = ?, hold_returns = hold_returns + 1 "
                   "WHERE id = ?", (_ts(now), ticket_id))
        code = db.execute("SELECT code FROM tickets WHERE id = ?", (ticket_id,)).fetchone()[0]
        calls.append(db.execute("INSERT INTO calls (ticket_id, code, desk_id, called_at, service_day) VALUES "
                                "(?, ?, ?, ?, ?)", (ticket_id, code, desk_id, _ts(now), day)).lastrowid or 0)
    store.touched(desk_id, now=now, finished=current)
    return "called", store._ticket(ticket_id), current


def closing_of(store: QueueStore, day: date, held_at: datetime) -> datetime:
    """When a turn held on `day` expires: the end of the day's last opening range, or the next
    service day's start when the hold came after it (a desk working late) or the day had no hours."""
    midnight = datetime.combine(day + timedelta(days=1), time(0), store.tz)
    ranges = store.schedule.ranges_on(day)
    if not ranges:
        return midnight
    end = datetime.combine(day, ranges[-1].end, store.tz)
    return end if held_at < end else midnight


def expire_due(store: QueueStore, *, now: datetime) -> list[str]:
    """Expire the held turns whose closing time has come; their codes (none: nothing written)."""
    due = []
    for ticket_id, code, day, held_at in store.reader().execute(
            "SELECT id, code, service_day, held_at FROM tickets INDEXED BY hub_held WHERE status = 'held'"):
        deadline = closing_of(store, date.fromisoformat(day), datetime.fromisoformat(held_at))
        if now >= deadline:
            due.append((ticket_id, code, deadline))
    if not due:
        return []
    with store.transaction() as db:
        db.executemany("UPDATE tickets SET status = 'expired', finished_at = ? WHERE id = ? AND status = 'held'",
                       [(_ts(deadline), ticket_id) for ticket_id, _, deadline in due])
    for desk_id in {d for (d,) in store.reader().execute(
            f"SELECT DISTINCT desk_id FROM tickets WHERE id IN ({','.join('?' * len(due))})", [i for i, _, _ in due])}:
        store.touched(desk_id, now=now)
    return [code for _, code, _ in due]


def held_at_desks(db: sqlite3.Connection, day: str) -> dict[str, list[dict[str, object]]]:
    """Each desk's held turns today, oldest hold first: what its console lists with "Richiama"."""
    out: dict[str, list[dict[str, object]]] = {}
    for desk_id, code, service_id, held_at, issued_at in db.execute(
            "SELECT desk_id, code, service_id, held_at, issued_at FROM tickets INDEXED BY hub_held "
            "WHERE status = 'held' AND service_day = ? ORDER BY held_at, issued_at, id", (day,)):
        out.setdefault(str(desk_id), []).append({"code": code, "service": service_id, "held_at": held_at,
                                                 "issued_at": issued_at})
    return out
