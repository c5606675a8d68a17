"""The hub's queue in SQLite: waiting, called, served, no-show, void; per-ticket timestamps.

Order of calling: priority services (appointments) first, then by original issue time.
A transfer changes the service but keeps the issue time, so the citizen keeps the place.
Average service time per service is measured from today's called -> done intervals.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from config.model import Config

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
"""

MEASURED_MIN_SAMPLES = 3
MEASURED_WINDOW = 10


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

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "code": self.code, "service": self.service_id, "issued_at": self.issued_at,
                "status": self.status, "desk": self.desk_id, "called_at": self.called_at, "recalls": self.recalls}


def _ts(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


class QueueStore:
    FILENAME = "hub.sqlite3"

    def __init__(self, path: Path, *, config: Config) -> None:
        self.path = Path(path)
        self.config = config
        self.tz = ZoneInfo(config.site.timezone)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.executescript("BEGIN IMMEDIATE;" + SCHEMA + "COMMIT;")
        self._priority = {s.id: s.priority for s in config.services}
        self._avg_cache: dict[tuple[str, str], float | None] = {}  # cleared whenever a ticket is finished

    @classmethod
    def in_dir(cls, data_dir: Path, *, config: Config) -> QueueStore:
        return cls(Path(data_dir) / cls.FILENAME, config=config)

    def close(self) -> None:
        self._db.close()

    def _tx(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def day(self, now: datetime) -> str:
        return now.astimezone(self.tz).date().isoformat()

    # -- totem events ----------------------------------------------------------------------------

    def ingest_many(self, tickets: list[dict[str, object]], *, now: datetime) -> list[bool]:
        """Record issued tickets in one transaction (group commit: one fsync for the batch).
        False for an id already known: nothing changes for it."""
        created = []
        db = self._tx()
        try:
            for ticket in tickets:
                issued = datetime.fromisoformat(str(ticket["issued_at"]))
                cur = db.execute(
                    "INSERT INTO tickets (id, code, service_id, original_service, number, service_day, issued_at, "
                    "totem, priority, status, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting', ?) "
                    "ON CONFLICT (id) DO NOTHING",
                    (ticket["id"], ticket["code"], ticket["service"], ticket["service"], ticket["number"],
                     self.day(issued), _ts(issued), ticket["totem"],
                     int(self._priority.get(str(ticket["service"]), False)), _ts(now)))
                created.append(cur.rowcount == 1)
            for totem in {str(t["totem"]) for t in tickets}:
                self._seen(db, totem, now)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return created

    def void(self, ticket_id: str, *, now: datetime) -> bool:
        """Void a waiting ticket. An id never seen is kept as a void tombstone, so a late
        'issued' event cannot bring it back."""
        db = self._tx()
        try:
            cur = db.execute("UPDATE tickets SET status = 'void', finished_at = ? WHERE id = ? AND status = 'waiting'",
                             (_ts(now), ticket_id))
            if cur.rowcount == 0:
                db.execute("INSERT INTO tickets (id, code, service_id, original_service, number, service_day, "
                           "issued_at, totem, status, received_at) VALUES (?, '', '', '', 0, ?, ?, '', 'void', ?) "
                           "ON CONFLICT (id) DO NOTHING", (ticket_id, self.day(now), _ts(now), _ts(now)))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return cur.rowcount == 1

    def totem_health(self, totem: str, health: dict[str, object], *, now: datetime) -> None:
        db = self._tx()
        db.execute("INSERT INTO totems (id, health, seen_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                   "health = excluded.health, seen_at = excluded.seen_at", (totem, json.dumps(health), _ts(now)))
        db.execute("COMMIT")

    def _seen(self, db: sqlite3.Connection, totem: str, now: datetime) -> None:
        db.execute("INSERT INTO totems (id, health, seen_at) VALUES (?, '{}', ?) ON CONFLICT (id) DO UPDATE SET "
                   "seen_at = excluded.seen_at", (totem, _ts(now)))

    # -- desk actions ----------------------------------------------------------------------------

    def _row(self, row: tuple | None) -> HubTicket | None:
        return HubTicket(*row) if row else None

    _COLS = "id, code, service_id, issued_at, status, desk_id, called_at, recalls"

    def current(self, desk_id: str) -> HubTicket | None:
        return self._row(self._db.execute(
            f"SELECT {self._COLS} FROM tickets WHERE desk_id = ? AND status = 'called' ORDER BY called_at DESC LIMIT 1",
            (desk_id,)).fetchone())

    def call_next(self, desk_id: str, services: tuple[str, ...], *, now: datetime) -> HubTicket | None:
        """Finish the desk's current ticket as served, then call the next waiting one."""
        self._avg_cache.clear()
        db = self._tx()
        try:
            db.execute("UPDATE tickets SET status = 'served', finished_at = ? WHERE desk_id = ? AND status = 'called'",
                       (_ts(now), desk_id))
            marks = ",".join("?" * len(services))
            row = db.execute(
                f"SELECT {self._COLS} FROM tickets WHERE service_day = ? AND status = 'waiting' "
                f"AND service_id IN ({marks}) ORDER BY priority DESC, issued_at, rowid LIMIT 1",
                (self.day(now), *services)).fetchone()
            if row is not None:
                db.execute("UPDATE tickets SET status = 'called', desk_id = ?, called_at = ? WHERE id = ?",
                           (desk_id, _ts(now), row[0]))
                db.execute("INSERT INTO calls (ticket_id, code, desk_id, called_at) VALUES (?, ?, ?, ?)",
                           (row[0], row[1], desk_id, _ts(now)))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return self.current(desk_id) if row is not None else None

    def recall(self, desk_id: str, *, now: datetime) -> HubTicket | None:
        current = self.current(desk_id)
        if current is None:
            return None
        db = self._tx()
        db.execute("UPDATE tickets SET recalls = recalls + 1 WHERE id = ?", (current.id,))
        db.execute("INSERT INTO calls (ticket_id, code, desk_id, called_at, recall) VALUES (?, ?, ?, ?, 1)",
                   (current.id, current.code, desk_id, _ts(now)))
        db.execute("COMMIT")
        return self.current(desk_id)

    def finish(self, desk_id: str, status: str, *, now: datetime) -> HubTicket | None:
        """done -> served, noshow -> noshow. None when the desk has no current ticket."""
        assert status in ("served", "noshow")
        self._avg_cache.clear()
        current = self.current(desk_id)
        if current is None:
            return None
        db = self._tx()
        db.execute("UPDATE tickets SET status = ?, finished_at = ? WHERE id = ?", (status, _ts(now), current.id))
        db.execute("COMMIT")
        return HubTicket(current.id, current.code, current.service_id, current.issued_at, status, desk_id,
                         current.called_at, current.recalls)

    def transfer(self, desk_id: str, service_id: str, *, now: datetime) -> HubTicket | None:
        """Send the current citizen to another service's queue, keeping the original issue time."""
        current = self.current(desk_id)
        if current is None:
            return None
        db = self._tx()
        db.execute("UPDATE tickets SET status = 'waiting', service_id = ?, priority = ?, desk_id = NULL, "
                   "called_at = NULL WHERE id = ?", (service_id, int(self._priority.get(service_id, False)),
                                                     current.id))
        db.execute("COMMIT")
        return self._row(self._db.execute(f"SELECT {self._COLS} FROM tickets WHERE id = ?",
                                          (current.id,)).fetchone())

    # -- reading ---------------------------------------------------------------------------------

    def waiting(self, service_id: str, day: str, *, limit: int = -1) -> list[HubTicket]:
        rows = self._db.execute(f"SELECT {self._COLS} FROM tickets WHERE service_day = ? AND status = 'waiting' "
                                "AND service_id = ? ORDER BY priority DESC, issued_at, rowid LIMIT ?",
                                (day, service_id, limit))
        return [HubTicket(*r) for r in rows]

    def waiting_count(self, service_id: str, day: str) -> int:
        (n,) = self._db.execute("SELECT COUNT(*) FROM tickets WHERE service_day = ? AND status = 'waiting' "
                                "AND service_id = ?", (day, service_id)).fetchone()
        return n

    def measured_avg_min(self, service_id: str, day: str) -> float | None:
        key = (service_id, day)
        if key not in self._avg_cache:
            self._avg_cache[key] = self._measure(service_id, day)
        return self._avg_cache[key]

    def _measure(self, service_id: str, day: str) -> float | None:
        rows = self._db.execute(
            "SELECT called_at, finished_at FROM tickets WHERE service_day = ? AND service_id = ? AND status = 'served' "
            "AND called_at IS NOT NULL ORDER BY finished_at DESC LIMIT ?",
            (day, service_id, MEASURED_WINDOW)).fetchall()
        if len(rows) < MEASURED_MIN_SAMPLES:
            return None
        minutes = [(datetime.fromisoformat(f) - datetime.fromisoformat(c)).total_seconds() / 60 for c, f in rows]
        return round(statistics.median(minutes), 1)

    def snapshots(self, *, now: datetime) -> dict[str, dict[str, object]]:
        """What the totems need for their estimates: people waiting and measured time, per service."""
        day = self.day(now)
        counts = dict(self._db.execute("SELECT service_id, COUNT(*) FROM tickets WHERE service_day = ? "
                                       "AND status = 'waiting' GROUP BY service_id", (day,)).fetchall())
        return {s.id: {"service": s.id, "waiting": counts.get(s.id, 0),
                       "avg_service_min": self.measured_avg_min(s.id, day), "service_day": day}
                for s in self.config.services}

    def counts(self, day: str) -> dict[str, int]:
        out = {"waiting": 0, "called": 0, "served": 0, "noshow": 0, "void": 0}
        for status, n in self._db.execute("SELECT status, COUNT(*) FROM tickets WHERE service_day = ? AND code != '' "
                                          "GROUP BY status", (day,)):
            out[status] = n
        return out

    def last_calls(self, limit: int = 5) -> list[dict[str, object]]:
        rows = self._db.execute("SELECT seq, ticket_id, code, desk_id, called_at, recall FROM calls "
                                "ORDER BY seq DESC LIMIT ?", (limit,)).fetchall()
        return [{"seq": s, "id": t, "code": c, "desk": d, "called_at": a, "recall": bool(r)}
                for s, t, c, d, a, r in rows]

    def totems(self) -> list[tuple[str, dict[str, object], str]]:
        return [(i, json.loads(h), s) for i, h, s in self._db.execute("SELECT id, health, seen_at FROM totems")]

    def prune(self, *, keep_days: int, today: date) -> int:
        cutoff = (today - timedelta(days=keep_days)).isoformat()
        db = self._tx()
        n = db.execute("DELETE FROM tickets WHERE service_day < ?", (cutoff,)).rowcount
        db.execute("DELETE FROM calls WHERE called_at < ?", (cutoff,))
        db.execute("COMMIT")
        return n
