"""Paired console devices (issue 24): a PIN unlocks only a browser a technician paired.

Steps:
1. a technician asks for a one-time pairing code for one console (`totem-display pair desk 1`,
   `pair reception`, `pair manager`, or `POST /api/consoles/pairing` with the hub token);
   the code is 12 letters and digits from an unambiguous alphabet (~59 bits), valid for
   `CODE_TTL_S`, and only its hash is kept;
2. on the device, the technician opens `/pair#CODE` (or types the code there): the code is
   spent and the browser gets a long random device credential, an HttpOnly SameSite=Strict
   cookie named for its console (`cookie_name`), kept for `COOKIE_MAX_AGE_S`;
3. the console's unlock, and every request of its session, first looks the credential up
   (`device`); an unpaired browser gets "pair this device first" before any PIN is compared;
4. `totem-display consoles` lists them, `totem-display unpair ID` (or `POST /api/consoles/{id}/
   revoke`) ends one: its sessions end with it.

The registry is one JSON file in the hub's data directory (`consoles.json`, mode 0600; only
hashes of credentials and codes), written whole under a lock file and renamed into place, so
the CLI and the running hub share it (rule 9): the hub re-reads it when the file changes.
Failure paths: `PairingRefused` (unknown or spent code, too many devices, unknown role).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.errors import TotemError

log = logging.getLogger(__name__)

FILENAME = "consoles.json"
ROLES = ("desk", "reception", "manager", "vote")
BOUND_TO_DESK = ("desk", "vote")  # a vote tablet belongs to one desk too (issue 22)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 12
CODE_TTL_S = 3600.0
MAX_CODES = 50  # codes not yet used (the oldest drop first)
MAX_DEVICES = 200
COOKIE_MAX_AGE_S = 10 * 365 * 86400
_CREDENTIAL_RE = re.compile(r"([0-9a-f]{16})\.([A-Za-z0-9_-]{43})")
_TARGET_RE = re.compile(r"[a-z0-9_-]{1,20}")


class PairingRefused(TotemError, PermissionError):
    """A pairing code unknown, spent or expired; a role or console that cannot be paired."""


@dataclass(frozen=True)
class Device:
    id: str
    role: str  # desk | reception | manager | vote
    target: str  # the desk id for a desk or a vote tablet, else ""
    label: str
    paired_at: float

    @property
    def console(self) -> str:
        return f"{self.role} {self.target}" if self.role in BOUND_TO_DESK else self.role

    @property
    def page(self) -> str:
        return {"desk": f"/desk/{self.target}", "reception": "/reception", "manager": "/reports",
                "vote": f"/vote/{self.target}"}[self.role]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "role": self.role, "target": self.target, "label": self.label,
                "console": self.console, "paired_at": round(self.paired_at)}


def cookie_name(role: str, target: str = "") -> str:
    """One credential per console, so one browser (the demo laptop) can be paired to several."""
    return f"totem_device_{role}" + (f"_{target}" if role in BOUND_TO_DESK else "")


def normalise_code(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())[:40]


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def check_console(role: str, target: str) -> None:
    if role not in ROLES:
        raise PairingRefused(f"role must be one of {', '.join(ROLES)} (got {role!r})")
    if role in BOUND_TO_DESK and not _TARGET_RE.fullmatch(target):
        raise PairingRefused(f"a {role} device needs the desk id (got {target!r})")
    if role not in BOUND_TO_DESK and target:
        raise PairingRefused(f"{role} is one console: no id (got {target!r})")


class DeviceRegistry:
    def __init__(self, data_dir: Path, *, wall: Callable[[], float] = time.time) -> None:
        self.path = Path(data_dir) / FILENAME
        self._lock_path = Path(data_dir) / (FILENAME + ".lock")
        self._wall = wall
        self._seen: tuple[int, int, int] | None = None
        self._data: dict[str, Any] = {"devices": {}, "codes": {}}

    # -- the file --------------------------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        """The registry as on disk, re-read only when the file changed (a stat per request)."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._seen, self._data = None, {"devices": {}, "codes": {}}
            return self._data
        seen = (st.st_mtime_ns, st.st_ino, st.st_size)
        if seen != self._seen:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:  # never half a file (renamed into place); say so, pair nobody
                log.error("%s cannot be read (%s): no console is paired until it is fixed or removed", self.path, exc)
                data = {}
            self._data = {"devices": dict(data.get("devices") or {}), "codes": dict(data.get("codes") or {})}
            self._seen = seen
        return self._data

    @contextlib.contextmanager
    def _update(self) -> Iterator[dict[str, Any]]:
        """Read, change and write the registry under the lock file (the CLI and the hub share it)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._seen = None
            try:
                data = self._read()
                yield data
            except BaseException:
                self._seen = None  # a refused change leaves nothing behind, not even in memory
                raise
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=1, sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            owner = self.path.parent.stat()
            if os.geteuid() == 0 and owner.st_uid != 0:  # root's CLI: the file stays the service user's
                os.chown(tmp, owner.st_uid, owner.st_gid)
                os.chown(self._lock_path, owner.st_uid, owner.st_gid)
            os.replace(tmp, self.path)
            self._seen = None

    # -- pairing ---------------------------------------------------------------------------

    def new_code(self, role: str, target: str = "", *, label: str = "", ttl_s: float = CODE_TTL_S) -> str:
        """A one-time code pairing one device to this console; shown once, only its hash kept."""
        check_console(role, target)
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        now = self._wall()
        with self._update() as data:
            codes = {k: v for k, v in data["codes"].items() if v["expires"] > now}
            while len(codes) >= MAX_CODES:
                del codes[min(codes, key=lambda k: codes[k]["expires"])]
            codes[_hash(code)] = {"role": role, "target": target, "label": label[:40], "expires": now + ttl_s}
            data["codes"] = codes
        return "-".join(code[i:i + 4] for i in range(0, CODE_LENGTH, 4))

    def pair(self, code: str) -> tuple[Device, str]:
        """Spend a code: the new device and its credential (the cookie's value, shown once)."""
        key = _hash(normalise_code(code))
        now = self._wall()
        with self._update() as data:
            grant = data["codes"].pop(key, None)
            if grant is None or grant["expires"] <= now:
                raise PairingRefused("unknown, used or expired pairing code: ask the technician for a new one")
            if len(data["devices"]) >= MAX_DEVICES:
                raise PairingRefused(f"{MAX_DEVICES} devices are paired already: unpair old ones first "
                                     "(totem-display consoles, unpair)")
            device_id = secrets.token_hex(8)
            secret = secrets.token_urlsafe(32)
            data["devices"][device_id] = {"role": grant["role"], "target": grant["target"], "label": grant["label"],
                                          "paired_at": now, "hash": _hash(secret)}
        device = Device(device_id, grant["role"], grant["target"], grant["label"], now)
        log.info("device %s paired to %s", device_id, device.console)
        return device, f"{device_id}.{secret}"

    def device(self, credential: str | None, role: str, target: str = "") -> Device | None:
        """The paired device holding this credential for this console, or None (nothing else said)."""
        match = _CREDENTIAL_RE.fullmatch(credential) if isinstance(credential, str) and len(credential) < 80 else None
        if match is None:
            return None
        entry = self._read()["devices"].get(match.group(1))
        if entry is None or not hmac.compare_digest(entry["hash"], _hash(match.group(2))):
            return None
        if entry["role"] != role or (role in BOUND_TO_DESK and entry["target"] != target):
            return None
        return Device(match.group(1), entry["role"], entry["target"], entry["label"], entry["paired_at"])

    def devices(self) -> list[Device]:
        entries = self._read()["devices"]
        return sorted((Device(k, v["role"], v["target"], v["label"], v["paired_at"]) for k, v in entries.items()),
                      key=lambda d: (d.role, d.target, d.paired_at))

    def revoke(self, device_id: str) -> Device | None:
        """Unpair one device (its sessions end with it); None when no such device."""
        with self._update() as data:
            entry = data["devices"].pop(device_id, None)
        if entry is None:
            return None
        log.info("device %s unpaired from %s", device_id, entry["role"])
        return Device(device_id, entry["role"], entry["target"], entry["label"], entry["paired_at"])

    def revoke_label(self, label: str) -> int:
        """Unpair every device with this label (the demo's own, at each start)."""
        with self._update() as data:
            gone = [k for k, v in data["devices"].items() if v["label"] == label]
            for k in gone:
                del data["devices"][k]
        return len(gone)
