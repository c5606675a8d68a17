"""Backup and restore of every database this Pi keeps (issue 19), without any extra tool.

The databases, by role (a file that does not exist on this Pi is skipped, never created):
- `totem`: `totem.sqlite3` in [totem] data_dir (counters, tickets, the outbox);
- `hub`: `hub.sqlite3` in [hub] data_dir (queue, calls, appointments, report digests,
  the devices the hub knows) and `reception.sqlite3` beside it (the reception's tickets
  and their outbox); beside them, the hub's key file `consoles.json` (the paired consoles: only
  hashes of their credentials), so a restored or replaced display Pi needs no browser paired
  again. `sessions.json` is left out on purpose: a restored session key would bring back
  sessions ended after the backup; operators type their PIN again instead.

Steps of `backup(config, dest)`:
1. refuse a DEST that already holds a backup (a backup is never overwritten);
2. copy each database with SQLite's online backup API (`sqlite3.Connection.backup`): a
   consistent snapshot while the service keeps writing (WAL: the reader blocks nobody);
3. check each copy (`PRAGMA integrity_check`) and note its schema version and sha256;
4. copy each key file (mode 0600; the backup directory is made 0700);
5. write `manifest.json` last: a directory without one is not a backup.

Steps of `restore(config, source)`:
1. read the manifest; every file must be there with its sha256, pass the integrity check,
   and have a schema this release can open (else: which release to run instead);
2. refuse while the service owning a database runs (its `ServiceLock`), naming the unit to
   stop; hold that lock meanwhile, so the service cannot start half-way;
3. for each database: copy it beside the live one, move the live file (and its -wal/-shm)
   aside as `NAME.before-restore-<UTC stamp>`, and rename the copy in; owner matched to the
   data directory's (restore runs as root, the service as user totem);
4. a key file is put back only where this Pi has none (a new or wiped Pi): a live registry is
   newer than the backup and knows every device unpaired since, which must stay unpaired.

Failure paths: `BackupError` (a ValueError) with a message naming the file and what to do.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from config.errors import BackupError
from config.frozen import frozen
from config.model import Config
from totem import __version__
from totem.servicelock import UNITS, ServiceLock, holder

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT = 1


@frozen
class Database:
    role: str  # "totem" or "hub": whose service writes it
    name: str  # file name, the same in the backup
    path: Path  # where it lives on this Pi


def databases(config: Config) -> list[Database]:
    """Every database the site file places on this Pi, whether it exists or not."""
    out = [Database("totem", "totem.sqlite3", Path(config.totem.data_dir) / "totem.sqlite3"),
           Database("hub", "hub.sqlite3", Path(config.hub.data_dir) / "hub.sqlite3"),
           Database("hub", "reception.sqlite3", Path(config.hub.data_dir) / "reception.sqlite3")]
    return out


def key_files(config: Config) -> list[Database]:
    """Small files beside the databases that a restore needs (see the module's docstring)."""
    return [Database("hub", "consoles.json", Path(config.hub.data_dir) / "consoles.json")]


def schema_version(db: sqlite3.Connection) -> int:
    (version,) = db.execute("PRAGMA user_version").fetchone()
    return int(version)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _integrity(path: Path) -> str:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (check,) = db.execute("PRAGMA integrity_check").fetchone()
        return str(check)
    finally:
        db.close()


def _match_owner(path: Path, like: Path) -> None:
    """Root made `path`: give it to the owner of `like` (the service's user)."""
    if os.geteuid() != 0 or not path.exists():
        return
    st = like.stat()
    os.chown(path, st.st_uid, st.st_gid)


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def backup(config: Config, dest: Path, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> dict:
    """Copy every existing database into `dest`; returns the manifest written."""
    dest = Path(dest)
    if (dest / MANIFEST).exists():
        raise BackupError(f"{dest} already holds a backup ({MANIFEST}): choose a new directory")
    found = [d for d in databases(config) if d.path.is_file()]
    if not found:
        places = ", ".join(sorted({str(d.path.parent) for d in databases(config)}))
        raise BackupError(f"no database to back up in {places}: is this the Pi's site file "
                          "(--config, $TOTEM_CONFIG, /etc/totem/totem.toml)?")
    dest.mkdir(parents=True, exist_ok=True)
    os.chmod(dest, 0o700)  # credential hashes and the tickets' history: root (and the sudoer) only
    entries = []
    for d in found:
        target = dest / d.name
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        existing = {p for p in _sidecars(d.path) if p.exists()}
        source = sqlite3.connect(d.path, timeout=30)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # one pass, consistent with one moment of the live file
                version = schema_version(copy)
            finally:
                copy.close()
        except sqlite3.Error as exc:
            raise BackupError(f"cannot read {d.path}: {exc} (if it is damaged, `totem repair-db` or "
                              "`totem-display --repair-db` moves it aside)") from exc
        finally:
            source.close()
        for side in _sidecars(d.path):  # files our connection made (root) must stay the service's
            if side not in existing:
                _match_owner(side, d.path)
        check = _integrity(partial)
        if check != "ok":
            raise BackupError(f"the copy of {d.path} fails its integrity check ({check}): nothing written for it")
        partial.replace(target)
        entries.append({"role": d.role, "file": d.name, "source": str(d.path), "schema_version": version,
                        "bytes": target.stat().st_size, "sha256": _sha256(target)})
    files = []
    for k in key_files(config):
        if not k.path.is_file():
            continue
        data = k.path.read_bytes()
        target = dest / k.name
        partial = target.with_name(target.name + ".partial")
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fh:
            fh.write(data)
        partial.replace(target)
        files.append({"role": k.role, "file": k.name, "source": str(k.path), "bytes": len(data),
                      "sha256": hashlib.sha256(data).hexdigest()})
    manifest = {"format": FORMAT, "product": "totem", "version": __version__, "host": socket.gethostname(),
                "created_at": now().astimezone(UTC).isoformat(timespec="seconds"), "databases": entries,
                "files": files}
    tmp = dest / (MANIFEST + ".partial")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    tmp.replace(dest / MANIFEST)
    return manifest


def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source} is not a backup: no {MANIFEST} (made by `totem backup DIR`)") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"cannot read {path}: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(
            manifest.get("databases"), list):
        raise BackupError(f"{path}: not a backup manifest this release reads (format {FORMAT})")
    return manifest


def check_backup(source: Path, known_versions: dict[str, tuple[int, int]]) -> dict:
    """The manifest, once every file in it is intact and openable by this release.
    `known_versions`: file name -> (newest schema this release writes, oldest it can read)."""
    manifest = read_manifest(source)
    for entry in manifest["databases"]:
        path = Path(source) / str(entry.get("file", ""))
        if not path.is_file():
            raise BackupError(f"{path} is missing from the backup")
        if _sha256(path) != entry.get("sha256"):
            raise BackupError(f"{path} differs from the backup's manifest (sha256): the copy is damaged")
        check = _integrity(path)
        if check != "ok":
            raise BackupError(f"{path} fails its integrity check: {check}")
        newest, _ = known_versions.get(path.name, (0, 0))
        compat = _compatible_from(path)
        if compat > newest:
            raise BackupError(f"{path} has schema {entry.get('schema_version')} (release "
                              f"{manifest.get('version')}); this release ({__version__}) reads up to {newest}: "
                              "restore it with that release, or upgrade this Pi to it first")
    for entry in manifest.get("files", []):  # older backups have none
        path = Path(source) / str(entry.get("file", ""))
        if not path.is_file():
            raise BackupError(f"{path} is missing from the backup")
        if _sha256(path) != entry.get("sha256"):
            raise BackupError(f"{path} differs from the backup's manifest (sha256): the copy is damaged")
    return manifest


def _compatible_from(path: Path) -> int:
    """The oldest schema a release must know to open this file (see totem.schema)."""
    from totem.schema import compatible_from

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return compatible_from(db)
    finally:
        db.close()


@contextmanager
def _writing(path: Path) -> Iterator[sqlite3.Connection]:
    """One transaction on a file not in service yet: committed and closed, or rolled back."""
    db = sqlite3.connect(path)
    try:
        with db:
            yield db
    finally:
        db.close()


def _keep_numbering(incoming: Path, live: Path) -> list[str]:
    """Rule 1 across a restore: numbers the replaced file gave after the backup are never
    given again. The restored counters (and repair floors) become at least the live ones."""
    if not live.is_file():
        return []
    with _writing(incoming) as new:
        if not new.execute("SELECT 1 FROM sqlite_master WHERE name = 'counters'").fetchone():
            return []  # not a ticket database
        try:
            old = sqlite3.connect(f"file:{live}?mode=ro", uri=True)
            try:
                counters = old.execute("SELECT service_day, service_id, last_number FROM counters").fetchall()
                floors = old.execute("SELECT key, value FROM meta WHERE key LIKE 'floor %'").fetchall()
            finally:
                old.close()
        except sqlite3.Error:  # unreadable: the technician gives --start-after to repair-db if need be
            return ["the replaced file's counters could not be read: check the next number before issuing"]
        raised = 0
        for day, service, n in counters:
            raised += new.execute(
                "INSERT INTO counters (service_day, service_id, last_number) VALUES (?, ?, ?) ON CONFLICT "
                "(service_day, service_id) DO UPDATE SET last_number = MAX(last_number, excluded.last_number) "
                "WHERE excluded.last_number > last_number", (day, service, n)).rowcount
        for key, value in floors:
            new.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                        "MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))", (key, value))
    return [f"numbering continues after the replaced file's last numbers ({raised} counter(s) raised)"] if raised \
        else []


def _new_hub_id(incoming: Path) -> list[str]:
    """A restored queue is older than the totems' outboxes: a new hub_id makes every totem
    send today's tickets again (the hub keeps each ticket once, by id)."""
    import uuid

    with _writing(incoming) as db:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'calls'").fetchone():
            return []
        db.execute("UPDATE meta SET value = ? WHERE key = 'hub_id'", (str(uuid.uuid4()),))
    return ["the totems will send today's tickets again (new hub id)"]


def restore(config: Config, source: Path, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)
            ) -> list[str]:
    """Put the backup's databases in place of this Pi's; returns one line per file."""
    from totem.schema import KNOWN

    manifest = check_backup(Path(source), KNOWN)
    places = {d.name: d for d in databases(config)}
    wanted = [(entry, places[entry["file"]]) for entry in manifest["databases"] if entry.get("file") in places]
    if not wanted:
        raise BackupError(f"{source}: no database of this release's roles in the backup")
    stamp = now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    locks: list[ServiceLock] = []
    try:
        for role in sorted({d.role for _, d in wanted}):
            data_dir = next(d.path.parent for _, d in wanted if d.role == role)
            lock = ServiceLock(data_dir, role)
            if not lock.acquire():
                raise BackupError(f"the {role} service is running (pid {holder(data_dir, role)} holds "
                                  f"{lock.path}): stop it first with `sudo systemctl stop {UNITS[role]}`, "
                                  f"run the restore again, then `sudo systemctl start {UNITS[role]}`")
            _match_owner(lock.path, data_dir)
            locks.append(lock)
        lines = []
        for entry, d in wanted:
            d.path.parent.mkdir(parents=True, exist_ok=True)
            incoming = d.path.with_name(d.path.name + ".restoring")
            incoming.unlink(missing_ok=True)
            src = sqlite3.connect(f"file:{Path(source) / d.name}?mode=ro", uri=True)
            dst = sqlite3.connect(incoming)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = WAL")  # as the service keeps it
            finally:
                dst.close()
                src.close()
            kept = _keep_numbering(incoming, d.path) + _new_hub_id(incoming)
            _match_owner(incoming, d.path.parent)
            moved = []
            for live in [d.path, *_sidecars(d.path)]:
                if live.exists():
                    aside = live.with_name(f"{d.path.name}.before-restore-{stamp}{live.name[len(d.path.name):]}")
                    live.replace(aside)
                    moved.append(aside.name)
            incoming.replace(d.path)
            lines.append(f"restored {d.path} from {Path(source) / d.name} (schema {entry.get('schema_version')}, "
                         f"made {manifest.get('created_at')})" + (f"; the previous file kept as {moved[0]}"
                                                                   if moved else "")
                         + "".join(f"; {line}" for line in kept))
        keys = {k.name: k for k in key_files(config)}
        for entry in manifest.get("files", []):
            k = keys.get(entry.get("file"))
            if k is None or k.role not in {d.role for _, d in wanted}:
                continue
            if k.path.exists():
                lines.append(f"kept this Pi's {k.path} (newer than the backup: devices unpaired since stay unpaired)")
                continue
            incoming = k.path.with_name(k.path.name + ".restoring")
            with open(os.open(incoming, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fh:
                fh.write((Path(source) / k.name).read_bytes())
            _match_owner(incoming, k.path.parent)
            incoming.replace(k.path)
            lines.append(f"restored {k.path} from {Path(source) / k.name} (the paired consoles)")
        return lines
    finally:
        for lock in locks:
            lock.release()
