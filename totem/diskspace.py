"""Free space, and telling a full disk from a broken database, for the totem and the hub.

A full disk is not a corrupt database: the cure is to free space, never to move the
database aside (`totem repair-db`), so every message about it says "disco pieno / disk
full" and what may be freed.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

SQLITE_FULL = 13  # sqlite3's "database or disk is full"


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
