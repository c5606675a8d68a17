"""Undo of a desk's last action, within a short window (a mis-click on a busy morning).

Steps:
1. A desk action that changes tickets runs inside `UndoBook.recording(db, desk, action, ids, now)`:
   the full rows of the tickets it will touch are read before the change and again after it,
   in the same transaction, with the calls it announced.
2. The book keeps one entry per desk, the last one; recalls, pauses and resumes do not replace
   it (they change no ticket's place).
3. `undo(db, desk, now)` writes the rows back as they were before and withdraws the calls, in
   the caller's transaction. The caller then rebuilds its in-memory order from the database.

Failure paths, each an `UndoRefused` naming what stops it and changing nothing:
- nothing kept for this desk (no action yet, or the hub restarted: the book lives in memory);
- the action is older than `UNDO_WINDOW_S`;
- a touched ticket changed since (another desk called it, a totem voided it): undoing would
  overwrite someone else's action.
A second undo of the same action (a double click) is answered again, with `repeated` set.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

from config.errors import TotemError

UNDO_WINDOW_S = 30
IGNORED = frozenset({"recalls"})  # a recall after the action does not stop its undo

Row = dict[str, object]


class UndoRefused(TotemError, RuntimeError):
    """The desk's last action cannot be undone; the message says why."""


@dataclass(frozen=True)
class Undone:
    action: str
    codes: tuple[str, ...]
    repeated: bool = False


@dataclass
class _Entry:
    action: str
    at: datetime
    before: list[Row]
    after: list[Row] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)
    undone: bool = False
    request_id: str | None = None  # the console's click this entry records (`display.desk_requests`)


def read_rows(db: sqlite3.Connection, ids: Iterable[str]) -> list[Row]:
    """Full rows of these tickets, in the order of `ids` (missing ids are left out)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    cur = db.execute(f"SELECT * FROM tickets WHERE id IN ({','.join('?' * len(wanted))})", wanted)
    names = [d[0] for d in cur.description]
    rows = {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    return [rows[i] for i in wanted if i in rows]


def _same(a: Row, b: Row) -> bool:
    return all(a[k] == b.get(k) for k in a if k not in IGNORED)


class UndoBook:
    """The last undoable action of each desk, on the hub's database thread."""

    def __init__(self, *, window_s: float = UNDO_WINDOW_S) -> None:
        self.window_s = window_s
        self._last: dict[str, _Entry] = {}

    @contextmanager
    def recording(self, db: sqlite3.Connection, desk_id: str, action: str, ids: Iterable[str],
                  now: datetime) -> Iterator[list[int]]:
        """Around the change, inside its transaction; yields the list the action appends the
        `calls.seq` of each call it announces to. Kept only if the block ends without error
        and touched a ticket."""
        wanted = [i for i in ids if i]
        entry = _Entry(action, now, read_rows(db, wanted))
        yield entry.calls
        entry.after = read_rows(db, wanted)
        if entry.before and entry.before != entry.after:
            self._last[desk_id] = entry

    def last_request(self, desk_id: str) -> str | None:
        """The request id of the desk's last undoable action (None: none, or made without one)."""
        entry = self._last.get(desk_id)
        return entry.request_id if entry is not None else None

    def tag(self, desk_id: str, before: object, request_id: str | None) -> None:
        """Name the entry an action just made (`before`: `marker(desk)` taken before it) by its request id."""
        entry = self._last.get(desk_id)
        if entry is not None and entry is not before and not entry.undone:
            entry.request_id = request_id

    def marker(self, desk_id: str) -> object:
        return self._last.get(desk_id)

    def forget(self, desk_id: str) -> None:
        self._last.pop(desk_id, None)

    def undo(self, db: sqlite3.Connection, desk_id: str, now: datetime) -> Undone:
        entry = self._last.get(desk_id)
        if entry is None:
            raise UndoRefused(f"desk {desk_id}: nothing to undo")
        codes = tuple(str(r["code"]) for r in entry.before)
        age_s = (now - entry.at).total_seconds()
        if age_s > self.window_s:
            raise UndoRefused(f"desk {desk_id}: the last action ({entry.action} {', '.join(codes)}) is older than "
                              f"{self.window_s:.0f} s: nothing undone")
        if entry.undone:
            return Undone(entry.action, codes, repeated=True)
        now_rows = {str(r["id"]): r for r in read_rows(db, (str(r["id"]) for r in entry.after))}
        for kept in entry.after:
            if not _same(kept, now_rows.get(str(kept["id"]), {})):
                raise UndoRefused(f"desk {desk_id}: {kept['code']} changed since (another desk or a totem acted "
                                  "on it): nothing undone")
        for row in entry.before:
            names = [k for k in row if k != "id"]
            db.execute(f"UPDATE tickets SET {', '.join(f'{k} = ?' for k in names)} WHERE id = ?",
                       [row[k] for k in names] + [row["id"]])
        if entry.calls:
            db.execute(f"DELETE FROM calls WHERE seq IN ({','.join('?' * len(entry.calls))})", entry.calls)
        self._last[desk_id] = replace(entry, undone=True)
        return Undone(entry.action, codes)
