"""Versioned schema migrations for every database of the product (issue 19).

Each database carries its schema version in `PRAGMA user_version` (0: made by a release
before versioning, the first of them 493ac60) and, in its `meta` table, the oldest
version a release must know to use it (`schema_compatible_from`): a step that only adds
tables or columns keeps it, so a rollback to the previous release still opens the file.

Steps of `migrate`:
1. read the file's version; newer than this release knows: open it when its
   `schema_compatible_from` says this release can (a rollback), else refuse with
   `SchemaTooNew`, which says what to do;
2. otherwise run the missing steps in one IMMEDIATE transaction (SQLite's DDL is
   transactional: a crash half-way leaves the old version), then set the version.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from config.errors import StoreError

log = logging.getLogger(__name__)

Step = Callable[[sqlite3.Connection], None]

# What this release writes and reads, by file: (newest version, oldest version it can use).
TICKETS_SCHEMA = 2  # totem.sqlite3 and reception.sqlite3 (totem.store)
HUB_SCHEMA = 9  # hub.sqlite3 (display.records)
KNOWN: dict[str, tuple[int, int]] = {"totem.sqlite3": (TICKETS_SCHEMA, 1), "reception.sqlite3": (TICKETS_SCHEMA, 1),
                                     "hub.sqlite3": (HUB_SCHEMA, 1)}
COMPAT_KEY = "schema_compatible_from"


class SchemaTooNew(StoreError):
    """The database was written by a newer release that changed it in a way this one cannot use."""

    def __init__(self, path: Path, version: int, needs: int, newest: int) -> None:
        self.path, self.version, self.needs, self.newest = path, version, needs, newest
        super().__init__(
            f"{path} has schema version {version}, written by a newer release; this release reads up to "
            f"version {newest} and the file needs {needs}: go back to the newer release (docs/TECHNICIAN.md, "
            "upgrades and rollback), or restore the backup made before the upgrade with `totem restore DIR`; "
            "do not use repair-db, it would start an empty database")


def script(sql: str) -> Step:
    """A step made of SQL statements, run one by one inside the migration's transaction
    (`executescript` would commit half-way)."""
    statements = [s.strip() for s in sql.split(";") if s.strip()]

    def run(db: sqlite3.Connection) -> None:
        for statement in statements:
            db.execute(statement)
    return run


def version(db: sqlite3.Connection) -> int:
    (v,) = db.execute("PRAGMA user_version").fetchone()
    return int(v)


def compatible_from(db: sqlite3.Connection) -> int:
    """The oldest schema version a release must know to use this database."""
    current = version(db)
    try:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (COMPAT_KEY,)).fetchone()
    except sqlite3.OperationalError:  # no meta table: a file from before versioning
        return current
    return int(row[0]) if row else current


def migrate(db: sqlite3.Connection, steps: Sequence[Step], *, path: Path, compatible: int) -> int:
    """Bring the database to `len(steps)`; returns the version it is at. `compatible`: the
    oldest version that can still use what the newest step writes."""
    newest = len(steps)
    if version(db) > newest:
        return _newer(db, path, newest)
    if version(db) == newest:
        return newest
    db.execute("BEGIN IMMEDIATE")
    try:
        current = version(db)  # another process may have migrated meanwhile
        if current > newest:
            db.execute("ROLLBACK")
            return _newer(db, path, newest)
        for step in steps[current:]:
            step(db)
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                   "excluded.value", (COMPAT_KEY, str(compatible)))
        db.execute(f"PRAGMA user_version = {int(newest)}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    if current != newest:
        log.info("%s: schema version %d -> %d", path, current, newest)
    return newest


def _newer(db: sqlite3.Connection, path: Path, newest: int) -> int:
    current, needs = version(db), compatible_from(db)
    if needs > newest:
        raise SchemaTooNew(path, current, needs, newest)
    log.warning("%s has schema version %d from a newer release; this release (schema %d) can still use it",
                path, current, newest)
    return current
