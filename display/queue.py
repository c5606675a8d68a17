"""The hub's queue: SQLite for durability, `CallOrder` for every question about the order.

Every method runs on the hub's one database thread. The waiting tickets of the current
service day are mirrored in memory by a `CallOrder` (rebuilt from the database at start
and when the day changes), so calling, counting people ahead and listing the head of each
queue never scan the table. Steps of a change: write the rows in one transaction,
then update the in-memory order; a failed transaction leaves both as they were.

Service day: the hub's own local date in the site's timezone. A ticket whose totem
put it on another day (a totem clock that is off) is filed under the hub's day and
flagged, so it stays callable and the desk sees why. Flags shown on the desk console:
`collision` (a code already given today to another ticket: two totems numbering
alike), `unknown_service` (the totem's site file differs: every desk may call it),
`config_mismatch` (a known service with another prefix letter), `other_day`, `unconfirmed` (the
totem's process stopped between committing and printing it: the paper may not exist).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from config.errors import DiskFull, StoreError
from config.follow import follow_key
from config.model import Config
from display import appointments, calendar_events, call_reasons, visits
from display.listings import COLS
from display.queue_reads import QueueReads
from display.records import STEPS, HubTicket, Transferred, _ts
from display.report_data import forget_digests, prune
from display.undo import UndoBook, Undone
from totem.callorder import SQL_ORDER, CallOrder, DeskView, Waiting, can_call
from totem.diskspace import disk_full_advice, failed_for_space
from totem.estimate import ServiceTimes
from totem.hours import Schedule
from totem.schema import SchemaTooNew, migrate


class QueueStore(QueueReads):
    FILENAME = "hub.sqlite3"
    _COLS = COLS

    def __init__(self, path: Path, *, config: Config) -> None:
        self.path = Path(path)
        self.config = config
        self.tz = ZoneInfo(config.site.timezone)
        self.schedule = Schedule(config.hours, config.site.timezone)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
            self._open()
        except SchemaTooNew:
            self._db.close()
            raise
        except (sqlite3.Error, OSError) as exc:
            if getattr(self, "_db", None) is not None:
                self._db.close()
            if failed_for_space(exc, self.path.parent):  # a full disk: free space, never --repair-db
                raise DiskFull(f"{disk_full_advice(self.path.parent)} ({exc})") from exc
            raise StoreError(f"cannot open the hub's queue database {self.path}: {exc} (a technician can move "
                             "it aside with `totem-display --repair-db`; the totems then send today's tickets "
                             "again)") from exc
        # Born with the database: a totem that sees it change knows the hub lost its queue and sends today again.
        self._db.execute("INSERT INTO meta (key, value) VALUES ('hub_id', ?) ON CONFLICT (key) DO NOTHING",
                         (str(uuid.uuid4()),))
        (self.hub_id,) = self._db.execute("SELECT value FROM meta WHERE key = 'hub_id'").fetchone()
        row = self._db.execute("SELECT value FROM meta WHERE key = 'paused_desks'").fetchone()
        self.paused: frozenset[str] = frozenset(json.loads(row[0])) if row else frozenset()  # no calls, no estimate
        # The in-memory order is changed on the database thread and read by the state builder's
        # thread (with its own read-only connection, so a state never waits for a commit's fsync).
        self._lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._priority = {s.id: s.priority for s in config.services}
        self._prefix = {s.id: s.prefix for s in config.services}
        self._extra_services: set[str] = set()  # services only a totem's site file knows
        self._day = ""
        self.order = CallOrder(())
        self.times = ServiceTimes({})
        self._active: dict[str, datetime] = {}
        self._intake: dict[str, int] = {}  # today's tickets received per totem (voided ones too)
        self.moved: list[dict[str, Any]] = []  # set by ingest_many: earlier tickets' new positions
        # Desks busy now and today's finished counts: read once, kept until a desk action or a void.
        self._facts: tuple[set[str], dict[str, int]] | None = None
        self.undo_book = UndoBook()  # each desk's last action, undoable for a short while

    def _open(self) -> None:
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.execute("PRAGMA busy_timeout = 10000")
        (check,) = self._db.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {check}")
        migrate(self._db, STEPS, path=self.path, compatible=1)

    @classmethod
    def in_dir(cls, data_dir: Path, *, config: Config) -> QueueStore:
        return cls(Path(data_dir) / cls.FILENAME, config=config)

    def close(self) -> None:
        for reader in self._readers:
            reader.close()
        self._db.close()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Read from another thread than the database thread: its own read-only connection
        (WAL: never blocked by a commit), the in-memory order held still meanwhile."""
        if getattr(self._local, "conn", None) is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
            conn.execute("PRAGMA query_only = 1")
            self._local.conn = conn
            self._readers.append(conn)
        self._local.active = True
        try:
            with self._lock:
                yield
        finally:
            self._local.active = False

    def reader(self) -> sqlite3.Connection:
        """The connection to read from on this thread (`display.listings` takes it)."""
        return self._read()

    def _read(self) -> sqlite3.Connection:
        return self._local.conn if getattr(self._local, "active", False) else self._db

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """For the hub's other books (appointments): one IMMEDIATE transaction on the database thread."""
        return self._tx()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: committed when the block ends, rolled back if it raises."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def day(self, now: datetime) -> str:
        return now.astimezone(self.tz).date().isoformat()

    # -- the in-memory order -------------------------------------------------------------------

    def _desk_views(self) -> list[DeskView]:
        extra = frozenset(self._extra_services)
        rules = self.config.calling
        return [DeskView(d.id, frozenset(d.services) | extra, frozenset(d.prefer), rules.ratio(d))
                for d in self.config.desks]

    def sync(self, now: datetime) -> str:
        """The current service day; on a new day, rebuild the order and the measured times."""
        day = self.day(now)
        if day != self._day:
            self._load(day)
        return day

    def _load(self, day: str) -> None:
        with self._lock:
            self._load_locked(day)

    def _load_locked(self, day: str) -> None:
        known = {s.id for s in self.config.services}
        rows = self._read().execute(f"SELECT {self._COLS}, desk_only, desk_not FROM tickets WHERE service_day = ? "
                                f"AND status = 'waiting' ORDER BY {SQL_ORDER}", (day,)).fetchall()
        self._extra_services = {r[2] for r in rows if r[2] not in known}
        self.order = CallOrder(self._desk_views(), long_wait_min=self.config.calling.long_wait_min)
        for r in rows:
            self.order.add(Waiting(r[0], r[1], r[2], bool(r[8]), r[3], r[11], r[12]))
        self.times = ServiceTimes({s.id: s.avg_service_min for s in self.config.services})
        for service_id, called, finished in self._read().execute(
                "SELECT service_id, called_at, finished_at FROM tickets WHERE service_day = ? AND status = 'served' "
                "AND called_at IS NOT NULL ORDER BY finished_at", (day,)):
            self._observe(service_id, called, finished)
        self._intake = dict(self._read().execute("SELECT totem, COUNT(*) FROM tickets WHERE service_day = ? "
                                                 "AND totem != '' GROUP BY totem", (day,)).fetchall())
        self._active = {}
        self._facts = None
        self._day = day

    def _observe(self, service_id: str, called: str, finished: str) -> None:
        minutes = (datetime.fromisoformat(finished) - datetime.fromisoformat(called)).total_seconds() / 60
        self.times.observe(service_id, minutes)

    # -- totem events ----------------------------------------------------------------------------

    def ingest_many(self, tickets: list[dict[str, Any]], *, now: datetime) -> list[tuple[bool, dict[str, Any]]]:
        """Record issued tickets in one transaction (group commit). For each: (created, its position).
        An id already known changes nothing."""
        day = self.sync(now)
        known = {s.id for s in self.config.services}
        added: list[Waiting] = []
        created: list[bool] = []
        with self._tx() as db:
            for ticket in tickets:
                issued = datetime.fromisoformat(str(ticket["issued_at"]))
                service = str(ticket["service"])
                flags = []
                if self.day(issued) != day:
                    flags.append("other_day")
                if service not in known:
                    flags.append("unknown_service")
                elif not str(ticket["code"]).startswith(self._prefix[service]):
                    flags.append("config_mismatch")  # the totem's file gives this service another letter
                if ticket.get("print") == "unconfirmed":
                    flags.append("unconfirmed")  # the totem stopped while printing it: maybe no paper
                if db.execute("SELECT 1 FROM tickets WHERE service_day = ? AND code = ? AND id != ? LIMIT 1",
                              (day, ticket["code"], ticket["id"])).fetchone():
                    flags.append("collision")
                priority = bool(self._priority.get(service, False))
                cur = db.execute(
                    "INSERT INTO tickets (id, code, service_id, original_service, number, service_day, issued_at, "
                    "totem, priority, status, received_at, flags, follow, lang) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    "'waiting', ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                    (ticket["id"], ticket["code"], service, service, ticket["number"], day, _ts(issued),
                     ticket["totem"], int(priority), _ts(now), ",".join(flags),
                     follow_key(self.config.hub.token, str(ticket["id"])), ticket.get("lang")))
                created.append(cur.rowcount == 1)
                if cur.rowcount == 0 and "unconfirmed" in flags:  # known: the news is its uncertain paper
                    db.execute("UPDATE tickets SET flags = CASE WHEN flags = '' THEN 'unconfirmed' ELSE flags || "
                               "',unconfirmed' END WHERE id = ? AND flags NOT LIKE '%unconfirmed%'", (ticket["id"],))
                if cur.rowcount == 1 and ticket.get("appointment"):
                    appointments.link_ticket(db, str(ticket["appointment"]), day=day, ticket_id=str(ticket["id"]),
                                             code=str(ticket["code"]), now_iso=_ts(now))
                if cur.rowcount == 1:
                    added.append(Waiting(str(ticket["id"]), str(ticket["code"]), service, priority, _ts(issued)))
                    if "collision" in flags:
                        db.execute("UPDATE tickets SET flags = CASE WHEN flags = '' THEN 'collision' ELSE "
                                   "flags || ',collision' END WHERE service_day = ? AND code = ? AND id != ? "
                                   "AND flags NOT LIKE '%collision%'", (day, ticket["code"], ticket["id"]))
            for totem in {str(t["totem"]) for t in tickets}:
                self._seen(db, totem, now)
        with self._lock:
            new_services = {w.service for w in added} - known - self._extra_services
            if new_services:
                self._extra_services |= new_services
                self._load(day)  # every desk may call a service only a totem knows
            else:
                for waiting in added:
                    self.order.add(waiting)
                for ticket, was_new in zip(tickets, created, strict=True):
                    if was_new:
                        totem = str(ticket["totem"])
                        self._intake[totem] = self._intake.get(totem, 0) + 1
        self.moved = self._moved(added, now=now)
        answers = [(was_new, self.position(str(t["id"]), now=now)) for t, was_new in zip(tickets, created, strict=True)]
        told = [(a["wait_low_min"], a["wait_high_min"], str(t["id"]))
                for t, (new, a) in zip(tickets, answers, strict=True)
                if new and a.get("wait_low_min") is not None and a.get("wait_high_min") is not None]
        if told:  # the range the ticket prints: kept to measure the promise (display.promise)
            with self._tx() as db:
                db.executemany("UPDATE tickets SET told_low_min = ?, told_high_min = ? WHERE id = ?", told)
        return answers

    def void(self, ticket_id: str, *, now: datetime) -> bool:
        """Void a waiting ticket. An id never seen is kept as a void tombstone, so a late
        'issued' event cannot bring it back."""
        today = self.sync(now)
        with self._tx() as db:
            row = db.execute("SELECT service_day FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
            cur = db.execute("UPDATE tickets SET status = 'void', finished_at = ? WHERE id = ? AND status = 'waiting'",
                             (_ts(now), ticket_id))
            if cur.rowcount and row is not None and row[0] < today:
                forget_digests(db, row[0])  # a finished day changed: its report figures are counted again
            appointments.unlink_ticket(db, ticket_id)  # nothing printed: the appointment checks in again
            if cur.rowcount == 0:
                db.execute("INSERT INTO tickets (id, code, service_id, original_service, number, service_day, "
                           "issued_at, totem, status, received_at) VALUES (?, '', '', '', 0, ?, ?, '', 'void', ?) "
                           "ON CONFLICT (id) DO NOTHING", (ticket_id, self.day(now), _ts(now), _ts(now)))
        with self._lock:
            self.order.remove(ticket_id)
            self._facts = None
        return cur.rowcount == 1

    def totem_health(self, totem: str, health: dict[str, object], *, now: datetime) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO totems (id, health, seen_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                       "health = excluded.health, seen_at = excluded.seen_at", (totem, json.dumps(health), _ts(now)))

    def _seen(self, db: sqlite3.Connection, totem: str, now: datetime) -> None:
        db.execute("INSERT INTO totems (id, health, seen_at) VALUES (?, '{}', ?) ON CONFLICT (id) DO UPDATE SET "
                   "seen_at = excluded.seen_at", (totem, _ts(now)))

    # -- desk actions ----------------------------------------------------------------------------

    def _ticket(self, ticket_id: str) -> HubTicket | None:
        row = self._read().execute(f"SELECT {self._COLS} FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return HubTicket(*row[:8], bool(row[8]), row[9], row[10]) if row else None

    def current(self, desk_id: str, *, now: datetime) -> HubTicket | None:
        """The desk's ticket in service today (a call left open yesterday is not today's)."""
        row = self._read().execute(
            "SELECT id FROM tickets WHERE desk_id = ? AND status = 'called' AND service_day = ? "
            "ORDER BY called_at DESC LIMIT 1", (desk_id, self.sync(now))).fetchone()
        return self._ticket(row[0]) if row else None

    def _finish(self, db: sqlite3.Connection, current: HubTicket | None, status: str, now: datetime
                ) -> HubTicket | None:
        """Close the desk's current ticket (read by the caller, on this same thread) as `status`."""
        if current is not None:
            db.execute("UPDATE tickets SET status = ?, finished_at = ? WHERE id = ?", (status, _ts(now), current.id))
        return current

    def call_next(self, desk_id: str, *, now: datetime, chosen_id: str | None = None) -> HubTicket | None:
        """Finish the desk's current ticket as served, then call the next one by the call order,
        or the waiting ticket the operator chose (`chosen_id`, which `call_chosen` vetted)."""
        day = self.sync(now)
        desk = self.order.desk(desk_id)
        if desk is None:
            return None
        chosen = self.order.next_for(desk, now_iso=_ts(now), streak=self.streak(desk_id, day)) \
            if chosen_id is None else self.order.get(chosen_id)
        if chosen_id is not None and chosen is None:
            return None  # called meanwhile: the current ticket is left as it is
        current = self.current(desk_id, now=now)
        reason = call_reasons.for_call(self._read(), self.order, desk, chosen, now_iso=_ts(now)) \
            if chosen else None  # issue 22
        touched = (current.id if current else "", chosen.id if chosen else "")
        with self._tx() as db, self.undo_book.recording(db, desk_id, "call" if chosen_id else "next", touched,
                                                        now) as calls:
            finished = self._finish(db, current, "served", now)
            if chosen is not None:
                db.execute("UPDATE tickets SET status = 'called', desk_id = ?, called_at = ?, desk_only = NULL, "
                           "desk_not = NULL, first_called_at = COALESCE(first_called_at, ?) WHERE id = ?",
                           (desk_id, _ts(now), _ts(now), chosen.id))
                calls.append(db.execute("INSERT INTO calls (ticket_id, code, desk_id, called_at, service_day, "
                                        "reason) VALUES (?, ?, ?, ?, ?, ?)", (chosen.id, chosen.code, desk_id,
                                                                              _ts(now), day, reason)).lastrowid or 0)
        with self._lock:
            self._facts = None
            if finished is not None and finished.called_at:
                self._observe(finished.service_id, finished.called_at, _ts(now))
            self._active[desk_id] = now
            if chosen is not None:
                self.order.remove(chosen.id)
        return self._ticket(chosen.id) if chosen is not None else None

    def call_chosen(self, desk_id: str, key: str, value: str, *, now: datetime) -> tuple[str, HubTicket | None]:
        """Call the waiting ticket with that id or code at this desk, out of the call order:
        ("called", ticket), or why not: "missing", "ambiguous" (two totems printed one code),
        "not_yours" (another service, or transferred to another desk). Runs on the database
        thread, so the ticket cannot be called elsewhere between the check and the call."""
        self.sync(now)
        with self._lock:
            if key == "id":
                found = [value] if value in self.order else []
            else:
                found = [w.id for w in self.order.waiting() if w.code == value]
            desk = self.order.desk(desk_id)
            if not found or desk is None:
                return "missing", None
            if len(found) > 1:
                return "ambiguous", None
            waiting = self.order.get(found[0])
            if waiting is None or not can_call(desk, waiting):
                return "not_yours", None
        return "called", self.call_next(desk_id, now=now, chosen_id=found[0])

    def return_noshow(self, key: str, value: str, *, now: datetime, desk_id: str = "") -> HubTicket | None:
        """A late citizen after "Assente": today's no-show back to waiting, at its original place
        (its ticket's time). A ticket already waiting is answered as it is; None: no such ticket."""
        day = self.sync(now)
        column = "id" if key == "id" else "code"
        row = self._read().execute(f"SELECT {self._COLS}, desk_only, desk_not FROM tickets WHERE service_day = ? AND "
                                   f"{column} = ? AND status IN ('noshow', 'waiting') ORDER BY status = 'waiting' "
                                   "LIMIT 1", (day, value)).fetchone()
        if row is None or row[4] == "waiting":
            return HubTicket(*row[:8], bool(row[8]), row[9], row[10]) if row else None
        with self._tx() as db, self.undo_book.recording(db, desk_id, "return", [row[0]], now):
            db.execute("UPDATE tickets SET status = 'waiting', desk_id = NULL, called_at = NULL, finished_at = NULL "
                       "WHERE id = ?", (row[0],))
        with self._lock:
            self._facts = None
            self.order.add(Waiting(row[0], row[1], row[2], bool(row[8]), row[3], row[11], row[12]))
        return self._ticket(row[0])

    def recall(self, desk_id: str, *, now: datetime) -> HubTicket | None:
        """Call the current ticket again: announced again, no new row in the history."""
        current = self.current(desk_id, now=now)
        if current is None:
            return None
        with self._tx() as db:
            db.execute("UPDATE tickets SET recalls = recalls + 1 WHERE id = ?", (current.id,))
        with self._lock:
            self._active[desk_id] = now
        return self._ticket(current.id)

    def finish(self, desk_id: str, status: str, *, now: datetime) -> HubTicket | None:
        """done -> served, noshow -> noshow. None when the desk has no current ticket."""
        assert status in ("served", "noshow")
        current = self.current(desk_id, now=now)
        with self._tx() as db, self.undo_book.recording(db, desk_id, "done" if status == "served" else "noshow",
                                                        [current.id if current else ""], now):
            self._finish(db, current, status, now)
        with self._lock:
            self._facts = None
            if current is None:
                return None
            if status == "served" and current.called_at:
                self._observe(current.service_id, current.called_at, _ts(now))
            self._active[desk_id] = now
        return self._ticket(current.id)

    def transfer(self, desk_id: str, service_id: str, *, now: datetime, to_desk: str | None = None,
                 priority: bool | None = None) -> Transferred | None:
        """Send the current citizen to another service (and optionally desk), keeping the
        original issue time and, unless `priority` says otherwise, the priority."""
        current = self.current(desk_id, now=now)
        if current is None:
            return None
        keep = current.priority if priority is None else priority
        others = [d for d in self.order.desks if service_id in d.services and d.id != desk_id]
        desk_not = desk_id if (to_desk is None and others) else None
        with self._tx() as db, self.undo_book.recording(db, desk_id, "transfer", [current.id], now):
            db.execute("UPDATE tickets SET status = 'waiting', service_id = ?, priority = ?, desk_id = NULL, "
                       "called_at = NULL, desk_only = ?, desk_not = ? WHERE id = ?",
                       (service_id, int(keep), to_desk, desk_not, current.id))
        with self._lock:
            self._facts = None
            self._active[desk_id] = now
            self.order.add(Waiting(current.id, current.code, service_id, keep, current.issued_at, to_desk, desk_not))
        ticket = self._ticket(current.id)
        assert ticket is not None
        return Transferred(ticket, only_desk=(to_desk is None and not others) or to_desk == desk_id)

    def touched(self, desk_id: str, *, now: datetime, finished: HubTicket | None = None) -> None:
        """After a desk action made elsewhere (`display.hold`): the desk is active, busy counts are
        read again, and the ticket it finished as served (if any) feeds the measured times."""
        with self._lock:
            self._facts = None
            self._active[desk_id] = now
            if finished is not None and finished.called_at:
                self._observe(finished.service_id, finished.called_at, _ts(now))

    def undo(self, desk_id: str, *, now: datetime) -> Undone:
        """Put back what the desk's last action changed (`display.undo`); raises `UndoRefused`."""
        day = self.sync(now)
        with self._tx() as db:
            undone = self.undo_book.undo(db, desk_id, now)
        if not undone.repeated:
            with self._lock:
                active = self._active
                self._load_locked(day)  # the order, the measured times and the counts, from the rows
                self._active = active
        return undone

    # -- what people are told ------------------------------------------------------------------

    def pause(self, desk_id: str, paused: bool) -> None:
        """A paused desk gets no calls and is left out of the estimates until it resumes."""
        with self._tx() as db:
            self.paused = self.paused | {desk_id} if paused else self.paused - {desk_id}
            db.execute("INSERT INTO meta (key, value) VALUES ('paused_desks', ?) ON CONFLICT (key) DO UPDATE SET "
                       "value = excluded.value", (json.dumps(sorted(self.paused)),))

    def prune(self, *, keep_days: int, today: date) -> int:
        """Delete days older than `keep_days` (`display.report_data.prune`): summaries kept first."""
        with self._tx() as db:
            appointments.prune(db, before=today - timedelta(days=keep_days))
            calendar_events.prune(db, before=today - timedelta(days=keep_days))
            visits.prune(db, before=today - timedelta(days=keep_days))
            return prune(db, keep_days=keep_days, today=today, tz=self.tz)
