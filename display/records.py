"""The hub's database schema and the ticket records its queue hands out."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from display import appointments, calendar_events, devices, push, votes
from totem.schema import HUB_SCHEMA, script

SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    service_id TEXT NOT NULL,
    original_service TEXT NOT NULL,
    number INTEGER NOT NULL,
    service_day TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    totem TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'served', 'noshow', 'void')),
    desk_id TEXT,
    called_at TEXT,
    finished_at TEXT,
    recalls INTEGER NOT NULL DEFAULT 0,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS hub_waiting ON tickets (service_day, status, priority, issued_at);
CREATE INDEX IF NOT EXISTS hub_counts ON tickets (service_day, status, service_id);
CREATE INDEX IF NOT EXISTS hub_codes ON tickets (service_day, code);
CREATE TABLE IF NOT EXISTS calls (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id TEXT NOT NULL,
    code TEXT NOT NULL,
    desk_id TEXT NOT NULL,
    called_at TEXT NOT NULL,
    recall INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS totems (
    id TEXT PRIMARY KEY,
    health TEXT NOT NULL,
    seen_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS monthly (
    month TEXT NOT NULL,
    service_id TEXT NOT NULL,
    issued INTEGER NOT NULL,
    served INTEGER NOT NULL,
    noshow INTEGER NOT NULL,
    void INTEGER NOT NULL,
    waiting_at_close INTEGER NOT NULL,
    wait_median_min REAL,
    wait_p90_min REAL,
    service_median_min REAL,
    PRIMARY KEY (month, service_id)
);
CREATE TABLE IF NOT EXISTS day_digest (
    service_day TEXT NOT NULL,
    service_id TEXT NOT NULL,
    desk_id TEXT NOT NULL,
    waiting INTEGER NOT NULL,
    called INTEGER NOT NULL,
    served INTEGER NOT NULL,
    noshow INTEGER NOT NULL,
    void INTEGER NOT NULL,
    waits TEXT NOT NULL,
    services TEXT NOT NULL,
    arrivals TEXT NOT NULL,
    totems TEXT NOT NULL,
    PRIMARY KEY (service_day, service_id, desk_id)
);
CREATE TABLE IF NOT EXISTS day_queue (
    service_day TEXT NOT NULL,
    scope TEXT NOT NULL,
    longest INTEGER NOT NULL,
    PRIMARY KEY (service_day, scope)
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""
# Columns added after the first release: (table, column, declaration).
MIGRATIONS = (("tickets", "desk_only", "TEXT"), ("tickets", "desk_not", "TEXT"),
              ("tickets", "flags", "TEXT NOT NULL DEFAULT ''"), ("calls", "service_day", "TEXT"),
              ("tickets", "first_called_at", "TEXT"), ("tickets", "follow", "TEXT"))
# Filled once when a column is added (the reports read a ticket's first call from its row).
BACKFILLS = {("tickets", "first_called_at"): "UPDATE tickets SET first_called_at = (SELECT MIN(called_at) FROM calls "
                                            "WHERE calls.ticket_id = tickets.id)"}
# Indexes on columns added by MIGRATIONS (created after them).
LATE_INDEXES = ("CREATE INDEX IF NOT EXISTS hub_flagged ON tickets (service_day) WHERE flags != '';"
                "CREATE INDEX IF NOT EXISTS hub_follow ON tickets (follow) WHERE follow IS NOT NULL;")



def _first_release(db: sqlite3.Connection) -> None:
    """Version 1: the schema of the first release (493ac60), from nothing or from any file
    made before versioning (which grew columns one by one: MIGRATIONS)."""
    script(SCHEMA + appointments.SCHEMA)(db)
    for table, column, decl in MIGRATIONS:
        if column not in {r[1] for r in db.execute(f"PRAGMA table_info({table})")}:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
            if (table, column) in BACKFILLS:
                db.execute(BACKFILLS[table, column])
    script(LATE_INDEXES)(db)


# Version n of the hub's schema is STEPS[:n] (totem.schema). 2: the devices the hub knows, one row per
# machine (display.devices); only added, so the previous release still opens the file (compatible = 1).
# 4: the desks' request book (display.desk_requests): each click done once, kept for two days.
DESK_REQUESTS = """
CREATE TABLE IF NOT EXISTS desk_requests (request_id TEXT PRIMARY KEY, desk_id TEXT NOT NULL,
    action TEXT NOT NULL, code TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS desk_requests_at ON desk_requests (at);
"""
# 7 (issue 22): why a call went before earlier tickets (display.call_reasons), and the follow pages' Web Push
# subscriptions (display.push); a column and a table only added (compatible = 1).
CALL_REASONS = "ALTER TABLE calls ADD COLUMN reason TEXT;" + push.SCHEMA
# 3: the wait range the hub told each ticket when it arrived, what was printed (display.promise), and
# the citizen's language at the totem (the follow page's); columns only added (compatible = 1).
# 8: a turn held ("Sospendi", display.hold): statuses 'held' (sent to fetch a document, kept by its
# desk) and 'expired' (still held at closing), and per ticket how often it was held and called back.
# SQLite cannot widen a CHECK in place: the table is copied into one whose CHECK admits them.
OLD_STATUSES = "CHECK (status IN ('waiting', 'called', 'served', 'noshow', 'void'))"
NEW_STATUSES = "CHECK (status IN ('waiting', 'called', 'served', 'noshow', 'void', 'held', 'expired'))"


def _held_statuses(db: sqlite3.Connection) -> None:
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tickets'").fetchone()
    if OLD_STATUSES not in sql:
        raise sqlite3.DatabaseError(f"hub schema step 8: the tickets table is not as expected ({sql[:120]})")
    indexes = [r[0] for r in db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = "
                                        "'tickets' AND sql IS NOT NULL")]
    db.execute(sql.replace("CREATE TABLE tickets", "CREATE TABLE tickets_widened", 1).replace(OLD_STATUSES,
                                                                                              NEW_STATUSES))
    db.execute("INSERT INTO tickets_widened SELECT * FROM tickets")
    db.execute("DROP TABLE tickets")
    db.execute("ALTER TABLE tickets_widened RENAME TO tickets")
    for index in indexes:
        db.execute(index)
    script("ALTER TABLE tickets ADD COLUMN held_at TEXT;"
           "ALTER TABLE tickets ADD COLUMN holds INTEGER NOT NULL DEFAULT 0;"
           "ALTER TABLE tickets ADD COLUMN hold_returns INTEGER NOT NULL DEFAULT 0;"
           "CREATE INDEX IF NOT EXISTS hub_held ON tickets (desk_id) WHERE status = 'held'")(db)


# 9: the whole work of a visit and of a desk (display.visits): a second service added to the ticket in
# service, and contacts served without a ticket (phone, e-mail, walk-up), one row per click's request id.
VISITS = """
CREATE TABLE IF NOT EXISTS visit_services (ticket_id TEXT NOT NULL, service_id TEXT NOT NULL,
    desk_id TEXT NOT NULL, service_day TEXT NOT NULL, added_at TEXT NOT NULL, PRIMARY KEY (ticket_id, service_id));
CREATE INDEX IF NOT EXISTS visit_services_day ON visit_services (service_day);
CREATE TABLE IF NOT EXISTS contacts (request_id TEXT PRIMARY KEY, desk_id TEXT NOT NULL, channel TEXT NOT NULL,
    service_id TEXT NOT NULL, service_day TEXT NOT NULL, at TEXT NOT NULL, duration_s INTEGER);
CREATE INDEX IF NOT EXISTS contacts_day ON contacts (service_day);
"""
STEPS = (_first_release, script(devices.SCHEMA),
         script("ALTER TABLE tickets ADD COLUMN told_low_min INTEGER;"
                "ALTER TABLE tickets ADD COLUMN told_high_min INTEGER;"
                "ALTER TABLE tickets ADD COLUMN lang TEXT"),
         script(DESK_REQUESTS),
         script(votes.SCHEMA),  # 5: the citizens' satisfaction votes (display.votes), a table only added
         # 6: the online booking's events, by hashed UID, and what was applied of each (display.calendar_events);
         # only added (compatible = 1).
         script(calendar_events.SCHEMA),
         # 7: the reason word of each call (display.call_reasons) and the follow pages' Web Push
         # subscriptions (display.push); only added (compatible = 1).
         script(CALL_REASONS),
         # 8: held turns (display.hold): the tickets' status check widened (a table rebuild) and their
         # hold columns; 9: the visits' second services and the contacts without a ticket (display.visits).
         _held_statuses, script(VISITS))
assert len(STEPS) == HUB_SCHEMA


@dataclass(frozen=True)
class HubTicket:
    id: str
    code: str
    service_id: str
    issued_at: str
    status: str
    desk_id: str | None
    called_at: str | None
    recalls: int
    priority: bool = False
    flags: str = ""
    totem: str = ""

    def as_json(self, *, public: bool = False) -> dict[str, object]:
        """`public`: without the id, which only the totem, the desks and the follow key's HMAC see."""
        return {**({} if public else {"id": self.id}), "code": self.code, "service": self.service_id,
                "issued_at": self.issued_at, "status": self.status, "desk": self.desk_id,
                "called_at": self.called_at, "recalls": self.recalls, "priority": self.priority,
                "flags": [f for f in self.flags.split(",") if f]}


@dataclass(frozen=True)
class Transferred:
    ticket: HubTicket
    only_desk: bool  # the transferring desk is the only one serving the new service: it will call it again


def _ts(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="microseconds")
