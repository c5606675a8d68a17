"""Free space, and telling a full disk from a broken database, for the totem and the hub.

A full disk is not a corrupt database: the cure is to free space, never to move the
database aside (`totem repair-db`), so every message about it says "disco pieno / disk
full" and what may be freed.

`DiskGuard` is the hub's: it refuses new work cleanly before SQLite fails, and resumes by
itself when space returns. Steps:
1. `full()` reads the free space of a data dir (statvfs) at most every `RECHECK_S`; below
   the reserve (the site file's `hub.disk_reserve_mb`, at least `MIN_RESERVE_BYTES`) the
   disk counts as full, and the change is logged once each way;
2. the hub answers every write but unlocking/locking a console with 503
   `{"reason": "disk_full"}` meanwhile (`display.routes.disk_space`): a totem never takes a
   503 for a refusal, it keeps its events and retries;
3. a write that fails for lack of space anyway (a race) calls `failed()`: the next `full()`
   reads the free space again;
4. `as_json()` goes into `/api/state` (`disk`): every console shows "disco pieno".
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SQLITE_FULL = 13  # sqlite3's "database or disk is full"
RECHECK_S = 0.25
MIN_RESERVE_BYTES = 1_000_000
RETRY_AFTER_S = 5


def free_bytes(path: Path) -> int:
    """Bytes an unprivileged process may still write on the file system holding `path`."""
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def is_disk_full(exc: BaseException | None) -> bool:
    """True when `exc` (or what caused it) is the disk being full, not a broken database."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(exc, sqlite3.Error) and (getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL
                                               or "disk is full" in str(exc)):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


NEARLY_FULL_BYTES = 1_000_000  # SQLite needs room for its journal: below this a write may fail


def failed_for_space(exc: BaseException, directory: Path) -> bool:
    """`is_disk_full`, or a failure on a disk with (nearly) no room left: SQLite reports a
    full disk while creating its journal files as "disk I/O error", not as "disk is full"."""
    if is_disk_full(exc):
        return True
    try:
        return free_bytes(directory) < NEARLY_FULL_BYTES
    except OSError:
        return False


def disk_full_advice(directory: Path) -> str:
    """One line for a technician: what is wrong, and what to free (never `repair-db`)."""
    try:
        free = f"{free_bytes(directory) / 1e6:.1f} MB free"
    except OSError:
        free = "free space unknown"
    return (f"disco pieno / disk full: {directory} ({free}); free space on that disk (old logs: "
            "`journalctl --vacuum-size=50M`; old printed-ticket files of a folder printer; large files in /tmp), "
            "nothing is lost: the database is intact, do NOT run repair-db")


class DiskGuard:
    def __init__(self, directory: Path, *, reserve_bytes: int, recheck_s: float = RECHECK_S,
                 free: Callable[[Path], int] = free_bytes) -> None:
        self.directory = Path(directory)
        self.reserve_bytes = max(MIN_RESERVE_BYTES, reserve_bytes)
        self.recheck_s = recheck_s
        self._free = free
        self.free = -1
        self._full = False
        self._checked_at = -recheck_s

    def full(self) -> bool:
        now = time.monotonic()
        if now - self._checked_at >= self.recheck_s:
            self._checked_at = now
            try:
                self.free = self._free(self.directory)
            except OSError:
                self.free = -1  # unknown is not full: SQLite's own error remains the last word
            full = 0 <= self.free < self.reserve_bytes
            if full != self._full:
                if full:
                    log.error("%s; refusing new work until space returns", disk_full_advice(self.directory))
                else:
                    log.warning("hub disk has space again (%.1f MB free): taking work again", self.free / 1e6)
                self._full = full
        return self._full

    def failed(self) -> None:
        """A write failed for lack of space: read the free space again at the next check."""
        self._checked_at = -self.recheck_s

    def as_json(self) -> dict[str, Any]:
        return {"full": self._full, "free_mb": round(max(self.free, 0) / 1e6, 1),
                "reserve_mb": round(self.reserve_bytes / 1e6, 1)}
