"""What the hub lists beside the queue's order: today's no-shows, flagged tickets, last calls,
the totems' health, and the ticket behind a "follow your turn" key. Read-only queries on the
connection the caller reads from (`QueueStore.reader()`), for the day the caller is on."""

from __future__ import annotations

import json
import sqlite3

from display import call_reasons
from display.records import HubTicket

COLS = "id, code, service_id, issued_at, status, desk_id, called_at, recalls, priority, flags, totem"


def _ticket(row: tuple) -> HubTicket:
    return HubTicket(*row[:8], bool(row[8]), row[9], row[10])


def noshows(db: sqlite3.Connection, day: str, *, limit: int = 10) -> list[HubTicket]:
    rows = db.execute(f"SELECT {COLS} FROM tickets WHERE service_day = ? AND status = 'noshow' "
                      "ORDER BY finished_at DESC LIMIT ?", (day, limit)).fetchall()
    return [_ticket(r) for r in rows]


def flagged(db: sqlite3.Connection, day: str) -> list[HubTicket]:
    """Today's waiting or called tickets with a flag, for the desk console."""
    rows = db.execute(f"SELECT {COLS} FROM tickets INDEXED BY hub_flagged WHERE service_day = ? "
                      "AND flags != '' AND status IN ('waiting', 'called') ORDER BY issued_at LIMIT 50",
                      (day,)).fetchall()
    return [_ticket(r) for r in rows]


def last_calls(db: sqlite3.Connection, day: str, *, limit: int = 5) -> list[dict[str, object]]:
    """The day's calls, newest first; `active` while the ticket is still called at that desk."""
    rows = db.execute(
        "SELECT c.seq, c.ticket_id, c.code, c.desk_id, c.called_at, t.status = 'called' AND t.desk_id = c.desk_id, "
        "c.reason "
        "FROM calls c LEFT JOIN tickets t ON t.id = c.ticket_id WHERE c.service_day = ? AND c.recall = 0 "
        "ORDER BY c.seq DESC LIMIT ?", (day, limit)).fetchall()
    seen: set[str] = set()
    out = []
    for s, t, c, d, a, active, why in rows:
        out.append({"seq": s, "id": t, "code": c, "desk": d, "called_at": a, "active": bool(active) and t not in seen,
                    "reason": call_reasons.parse(why)})
        seen.add(t)
    return out


def totems(db: sqlite3.Connection) -> list[tuple[str, dict[str, object], str]]:
    return [(i, json.loads(h), s) for i, h, s in db.execute("SELECT id, health, seen_at FROM totems")]


def by_follow(db: sqlite3.Connection, key: str) -> tuple[HubTicket, str] | None:
    """The ticket whose "follow your turn" key this is, and its service day."""
    row = db.execute(f"SELECT {COLS}, service_day FROM tickets WHERE follow = ?", (key,)).fetchone()
    return (_ticket(row), row[11]) if row else None
