"""The totem's SQLite store: counters, tickets, the outbox event log.

Durability rules (DESIGN.md rule 1 and 2): WAL journal, synchronous=FULL, and every
issue is one BEGIN IMMEDIATE transaction (counter, ticket row, outbox event) that is
committed before the caller may touch the printer. BEGIN IMMEDIATE takes the write
lock up front, so two processes issuing at once are serialised by SQLite itself; the
UNIQUE(service_day, code) constraint is the last line of defence.

A ticket whose paper is uncertain (committed, never marked printed nor voided, its issuing
process gone: `totem.inflight`) is found by `sweep_uncertain` at the next start, marked,
and its issued event is sent again with `"print": "unconfirmed"`, so the desk console shows
"stampa non confermata". It is kept, not voided (docs/TECHNICIAN.md says why).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from config.errors import DiskFull, NumbersExhausted, StoreError, TooSoon
from config.frozen import frozen
from totem import inflight
from totem.diskspace import disk_full_advice, failed_for_space
from totem.numbering import format_code
from totem.schema import TICKETS_SCHEMA, SchemaTooNew, migrate, script

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    service_day TEXT NOT NULL,
    service_id TEXT NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (service_day, service_id)
);
CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    service_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    service_day TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    lang TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'printed', 'void')),
    UNIQUE (service_day, code)
);
CREATE INDEX IF NOT EXISTS tickets_by_day ON tickets (service_day, service_id);
CREATE INDEX IF NOT EXISTS tickets_by_time ON tickets (issued_at);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('issued', 'void')),
    ticket_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS set_aside (
    target TEXT NOT NULL,
    seq INTEGER NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (target, seq)
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cursors (
    target TEXT PRIMARY KEY,
    acked_seq INTEGER NOT NULL
);
"""

# Version n of the schema is STEPS[:n] (totem.schema); 1 is the first release's, 493ac60.
# 2: the issuing process of each ticket and when its paper was found uncertain (totem.inflight);
# only columns added, so the previous release still opens the file (compatible = 1).
STEPS = (script(SCHEMA), script("ALTER TABLE tickets ADD COLUMN issuer TEXT;"
                                "ALTER TABLE tickets ADD COLUMN unconfirmed_at TEXT"))
assert len(STEPS) == TICKETS_SCHEMA


@frozen
class TicketRow:
    id: str
    code: str
    service_id: str
    number: int
    service_day: date
    issued_at: datetime
    lang: str
    status: str


@frozen
class Event:
    seq: int
    kind: str
    ticket_id: str
    payload: dict[str, object]


def _ts(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


def _parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


class TicketStore:
    """One connection to the totem database. Use as a context manager or call close()."""

    FILENAME = "totem.sqlite3"

    def __init__(self, path: Path, *, busy_timeout_ms: int = 10_000) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=busy_timeout_ms / 1000,
                                       check_same_thread=False)
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            # Two processes opening a new file at once: the switch to WAL can answer "locked" at once,
            # without the busy handler (SQLite takes that lock without waiting); try again, bounded.
            deadline = time.monotonic() + busy_timeout_ms / 1000
            while True:
                try:
                    self._db.execute("PRAGMA journal_mode = WAL")
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.01)
            self._db.execute("PRAGMA synchronous = FULL")
            (check,) = self._db.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {check}")
            migrate(self._db, STEPS, path=self.path, compatible=1)
        except SchemaTooNew:
            self._db.close()
            raise
        except (sqlite3.Error, OSError) as exc:
            if getattr(self, "_db", None) is not None:
                self._db.close()
            raise self._failure(f"cannot open ticket database {self.path}: {exc} "
                                "(a technician can move it aside with `totem repair-db`)", exc) from exc
        self._issuer = inflight.IssuerLock(self.path.parent)  # taken at the first ticket

    def _failure(self, message: str, exc: BaseException) -> StoreError:
        """A full disk is told as such (what to free), never as a database to repair."""
        if failed_for_space(exc, self.path.parent):
            return DiskFull(f"{disk_full_advice(self.path.parent)} ({exc})")
        return StoreError(message)

    @classmethod
    def in_dir(cls, data_dir: Path) -> TicketStore:
        return cls(Path(data_dir) / cls.FILENAME)

    def close(self) -> None:
        self._db.close()
        self._issuer.release()

    def __enter__(self) -> TicketStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: the write lock is taken before anything is read."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._failure(f"ticket database {self.path} is locked or unwritable: {exc}", exc) from exc
        try:
            yield self._db
        except BaseException:
            with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back already (a full disk)
                self._db.execute("ROLLBACK")
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")  # a failed COMMIT leaves the transaction open
            raise self._failure(f"cannot commit to ticket database {self.path}: {exc}", exc) from exc

    # -- issuing ---------------------------------------------------------------------------------

    def issue(
        self,
        *,
        service_id: str,
        prefix: str,
        service_day: date,
        issued_at: datetime,
        lang: str,
        totem_id: str,
        min_interval_s: float,
        first_number: int = 1,
        last_number: int | None = None,
        appointment: str | None = None,
    ) -> TicketRow:
        """Number, record and enqueue one ticket, durably, in one transaction. `appointment`:
        the checked-in appointment's number, sent with the ticket so the hub links them."""
        ticket_id = str(uuid.uuid4())
        issuer = self._issuer.acquire()
        try:
            with self._write() as db:
                if min_interval_s > 0:
                    row = db.execute("SELECT MAX(issued_at) FROM tickets").fetchone()
                    if row[0] is not None:
                        elapsed = (issued_at - _parse_ts(row[0])).total_seconds()
                        # A clock that jumped backwards (elapsed < 0) must not lock the totem.
                        if 0 <= elapsed < min_interval_s:
                            raise TooSoon(min_interval_s - elapsed)
                floor = db.execute("SELECT value FROM meta WHERE key = ?",
                                   (f"floor {service_day.isoformat()}",)).fetchone()
                start = max(first_number, int(floor[0]) + 1) if floor else first_number
                (number,) = db.execute(
                    "INSERT INTO counters (service_day, service_id, last_number) VALUES (?, ?, ?) "
                    "ON CONFLICT (service_day, service_id) DO UPDATE SET last_number = last_number + 1 "
                    "RETURNING last_number",
                    (service_day.isoformat(), service_id, start),
                ).fetchone()
                if last_number is not None and number > last_number:
                    raise NumbersExhausted(service_id, last_number)
                code = format_code(prefix, number)
                db.execute(
                    "INSERT INTO tickets (id, code, service_id, number, service_day, issued_at, lang, issuer) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (ticket_id, code, service_id, number, service_day.isoformat(), _ts(issued_at), lang, issuer),
                )
                payload = {"id": ticket_id, "code": code, "service": service_id, "number": number,
                           "issued_at": _ts(issued_at), "totem": totem_id}
                if lang:  # the follow page opens in the language the citizen chose at the totem
                    payload["lang"] = lang
                if appointment:
                    payload["appointment"] = appointment
                self._enqueue(db, "issued", ticket_id, payload, issued_at)
        except sqlite3.Error as exc:
            raise self._failure(f"cannot record ticket in {self.path}: {exc}", exc) from exc
        return TicketRow(ticket_id, code, service_id, number, service_day, issued_at, lang, "issued")

    def _enqueue(self, db: sqlite3.Connection, kind: str, ticket_id: str, payload: dict[str, object],
                 at: datetime) -> None:
        db.execute("INSERT INTO events (kind, ticket_id, payload, created_at) VALUES (?, ?, ?, ?)",
                   (kind, ticket_id, json.dumps(payload, separators=(",", ":")), _ts(at)))

    def mark_printed(self, ticket_id: str) -> None:
        with self._write() as db:
            db.execute("UPDATE tickets SET status = 'printed' WHERE id = ? AND status = 'issued'", (ticket_id,))

    def void(self, ticket_id: str, *, reason: str, at: datetime) -> bool:
        """Void an issued ticket and enqueue the void event. False if it was not voidable."""
        with self._write() as db:
            changed = db.execute("UPDATE tickets SET status = 'void' WHERE id = ? AND status != 'void'",
                                 (ticket_id,)).rowcount
            if changed:
                self._enqueue(db, "void", ticket_id, {"id": ticket_id, "reason": reason}, at)
        return bool(changed)

    def sweep_uncertain(self, *, today: date, at: datetime, totem_id: str) -> list[str]:
        """Mark the tickets whose paper is uncertain (issued, never printed nor voided, their
        process gone); today's are sent again with `"print": "unconfirmed"`. Their codes."""
        rows = self._db.execute("SELECT id, code, service_id, number, service_day, issued_at, issuer FROM tickets "
                                "WHERE status = 'issued' AND unconfirmed_at IS NULL").fetchall()
        mine = self._issuer.id
        alive: dict[str, bool] = {}
        for *_, issuer in rows:
            if issuer and issuer not in alive:
                alive[issuer] = issuer == mine or not inflight.gone(self.path.parent, issuer)
        uncertain = [r for r in rows if not (r[6] and alive[r[6]])]
        inflight.tidy(self.path.parent, keep=mine)
        if not uncertain:
            return []
        with self._write() as db:
            for ticket_id, code, service, number, day, issued_at, _ in uncertain:
                changed = db.execute("UPDATE tickets SET unconfirmed_at = ? WHERE id = ? AND status = 'issued' "
                                     "AND unconfirmed_at IS NULL", (_ts(at), ticket_id)).rowcount
                if not changed or day != today.isoformat():
                    continue  # another day's ticket is history: the hub files nothing late under today
                row = db.execute("SELECT payload FROM events WHERE ticket_id = ? AND kind = 'issued' ORDER BY seq "
                                 "LIMIT 1", (ticket_id,)).fetchone()
                payload = json.loads(row[0]) if row else {"id": ticket_id, "code": code, "service": service,
                                                           "number": number, "issued_at": issued_at,
                                                           "totem": totem_id}
                self._enqueue(db, "issued", ticket_id, {**payload, "print": "unconfirmed"}, at)
        return [r[1] for r in uncertain]

    # -- reading ---------------------------------------------------------------------------------

    def ticket(self, ticket_id: str) -> TicketRow | None:
        row = self._db.execute("SELECT id, code, service_id, number, service_day, issued_at, lang, status "
                               "FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return self._row(row) if row else None

    def last_ticket(self) -> TicketRow | None:
        row = self._db.execute("SELECT id, code, service_id, number, service_day, issued_at, lang, status "
                               "FROM tickets ORDER BY issued_at DESC, rowid DESC LIMIT 1").fetchone()
        return self._row(row) if row else None

    @staticmethod
    def _row(row: tuple) -> TicketRow:
        return TicketRow(row[0], row[1], row[2], row[3], date.fromisoformat(row[4]), _parse_ts(row[5]),
                         row[6], row[7])

    def counts(self, service_day: date) -> dict[str, dict[str, int]]:
        """Per service today: numbers used, and how many are printed, pending or void."""
        out: dict[str, dict[str, int]] = {}
        for sid, status, n, last in self._db.execute(
            "SELECT service_id, status, COUNT(*), MAX(number) FROM tickets WHERE service_day = ? "
            "GROUP BY service_id, status", (service_day.isoformat(),)):
            entry = out.setdefault(sid, {"issued": 0, "printed": 0, "pending": 0, "void": 0, "last_number": 0})
            entry["issued"] += n
            entry["pending" if status == "issued" else status] += n
            entry["last_number"] = max(entry["last_number"], last)
        return out

    def next_number(self, service_id: str, service_day: date, first_number: int = 1) -> int:
        """The number the next ticket of a service would get (for previews; consumes nothing)."""
        row = self._db.execute("SELECT last_number FROM counters WHERE service_day = ? AND service_id = ?",
                               (service_day.isoformat(), service_id)).fetchone()
        return row[0] + 1 if row else first_number

    def issued_since(self, service_ids: tuple[str, ...], since: datetime) -> int:
        """Non-void tickets of these services issued after `since`."""
        if not service_ids:
            return 0
        marks = ",".join("?" * len(service_ids))
        (n,) = self._db.execute(f"SELECT COUNT(*) FROM tickets WHERE issued_at > ? AND status != 'void' "
                                f"AND service_id IN ({marks})", (_ts(since), *service_ids)).fetchone()
        return n

    def not_counted(self, service_day: date, counted: int) -> list[str]:
        """The services of this totem's tickets of the day after its first `counted` (in issue
        order, as the outbox delivers them), leaving out the voided ones."""
        rows = self._db.execute("SELECT service_id, status FROM tickets WHERE service_day = ? ORDER BY rowid "
                                "LIMIT -1 OFFSET ?", (service_day.isoformat(), counted)).fetchall()
        return [sid for sid, status in rows if status != "void"]

    # -- outbox ----------------------------------------------------------------------------------

    def pending_events(self, target: str, *, limit: int = 100) -> list[Event]:
        """Events not yet acknowledged by the target, in order, without those set aside."""
        acked = self._acked(target)
        rows = self._db.execute("SELECT seq, kind, ticket_id, payload FROM events WHERE seq > ? AND seq NOT IN "
                                "(SELECT seq FROM set_aside WHERE target = ?) ORDER BY seq LIMIT ?",
                                (acked, target, limit)).fetchall()
        return [Event(seq, kind, tid, json.loads(payload)) for seq, kind, tid, payload in rows]

    def set_aside(self, target: str, seq: int, *, reason: str, at: datetime) -> None:
        """Keep an event the target keeps refusing out of the way of the ones behind it."""
        with self._write() as db:
            db.execute("INSERT INTO set_aside (target, seq, reason, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                       (target, seq, reason[:300], _ts(at)))

    def set_aside_events(self) -> list[tuple[str, Event, str]]:
        rows = self._db.execute("SELECT a.target, e.seq, e.kind, e.ticket_id, e.payload, a.reason FROM set_aside a "
                                "JOIN events e ON e.seq = a.seq ORDER BY a.seq").fetchall()
        return [(t, Event(seq, kind, tid, json.loads(p)), reason) for t, seq, kind, tid, p, reason in rows]

    def set_aside_count(self) -> int:
        (n,) = self._db.execute("SELECT COUNT(*) FROM set_aside").fetchone()
        return n

    def resend_set_aside(self) -> int:
        """Put every set-aside event back in line (the technician fixed the cause). The hub
        de-duplicates by id, so events sent again since are harmless."""
        with self._write() as db:
            rows = db.execute("SELECT target, MIN(seq), COUNT(*) FROM set_aside GROUP BY target").fetchall()
            for target, first, _ in rows:
                db.execute("UPDATE cursors SET acked_seq = MIN(acked_seq, ?) WHERE target = ?", (first - 1, target))
            db.execute("DELETE FROM set_aside")
        return sum(n for _, _, n in rows)

    def _acked(self, target: str) -> int:
        row = self._db.execute("SELECT acked_seq FROM cursors WHERE target = ?", (target,)).fetchone()
        return row[0] if row else 0

    def ack(self, target: str, seq: int) -> None:
        """Move the target's cursor past `seq`. Not flushed to disk at once (the next ticket's
        commit flushes it): a lost ack only sends its events again, which the hub de-duplicates
        by id, while a flush would hold the write lock that a tap's commit then waits for."""
        self._db.execute("PRAGMA synchronous = NORMAL")
        try:
            with self._write() as db:
                db.execute("INSERT INTO cursors (target, acked_seq) VALUES (?, ?) ON CONFLICT (target) "
                           "DO UPDATE SET acked_seq = MAX(acked_seq, excluded.acked_seq)", (target, seq))
        finally:
            self._db.execute("PRAGMA synchronous = FULL")

    def seed_counters(self, service_day: date, counters: dict[str, int]) -> None:
        """After a repair: today's numbers continue after these ('*': every service, as a floor)."""
        with self._write() as db:
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                       "excluded.value", (f"floor {service_day.isoformat()}", str(counters.get("*", 0))))
            for service, n in counters.items():
                if service != "*":
                    db.execute("INSERT INTO counters (service_day, service_id, last_number) VALUES (?, ?, ?) "
                               "ON CONFLICT DO UPDATE SET last_number = MAX(last_number, excluded.last_number)",
                               (service_day.isoformat(), service, n))

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                       "value = excluded.value", (key, value))

    def rewind(self, target: str, *, since: datetime) -> int:
        """Send again every event created since `since` (a hub that lost its database).
        Returns how many events are pending now."""
        with self._write() as db:
            row = db.execute("SELECT MIN(seq) FROM events WHERE created_at >= ?", (_ts(since),)).fetchone()
            if row[0] is not None:
                db.execute("UPDATE cursors SET acked_seq = MIN(acked_seq, ?) WHERE target = ?", (row[0] - 1, target))
        return self.backlog(target)

    def backlog(self, target: str) -> int:
        """Events still to send to the target (those set aside are counted apart)."""
        (n,) = self._db.execute("SELECT COUNT(*) FROM events WHERE seq > ? AND seq NOT IN "
                                "(SELECT seq FROM set_aside WHERE target = ?)",
                                (self._acked(target), target)).fetchone()
        return n

    def prune(self, *, keep_days: int, today: date, targets: list[str]) -> None:
        """Drop tickets of old days, and the events of those days every target has
        acknowledged (today's stay: a hub that lost its database gets them again)."""
        cutoff = date.fromordinal(today.toordinal() - keep_days).isoformat()
        with self._write() as db:
            db.execute("DELETE FROM tickets WHERE service_day < ?", (cutoff,))
            db.execute("DELETE FROM counters WHERE service_day < ?", (cutoff,))
            if targets:
                floor = min(self._acked(t) for t in targets)
                db.execute("DELETE FROM events WHERE seq <= ? AND created_at < ? AND seq NOT IN "
                           "(SELECT seq FROM set_aside)", (floor, cutoff))
