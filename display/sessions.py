"""Console sessions and the PIN guard: a signed cookie per console after the operator types its PIN
on a paired device (`display.consoles`).

Steps of `try_pin` (called with no await in between, so concurrent guesses cannot slip
past the count; keyed by console and paired device, so a stranger, who has no paired
device, neither compares a PIN nor locks anyone out):
1. locked: say for how long, compare nothing;
2. a wrong PIN is counted before the answer is sent; the `MAX_FAILURES`th locks the desk
   for `LOCKOUT_S`, doubling at each further lockout (up to `LOCKOUT_MAX_S`);
3. the right PIN clears the count and returns a session cookie.

A cookie carries the paired device's id, its expiry and an HMAC whose key is derived from
the hub token, the console's PIN, a random key kept on disk (`sessions.json` in the hub's
data directory, mode 0600) and the console's generation (kept there too, moved on at each
logout and each new PIN): changing the PIN or logging out ends every session of that
console, unpairing a device ends its own, and a hub restart ends none. The hub keeps no
session table. Cookie values are parsed strictly: anything odd is simply "no session".
`compared` counts PIN comparisons (tests).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from display.lockout import GuardBook

log = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCKOUT_S = 60.0
LOCKOUT_MAX_S = 3600.0
_COOKIE_RE = re.compile(r"([0-9a-f]{16})\.([0-9]{1,12})\.([0-9a-f]{64})")
FILENAME = "sessions.json"


@dataclass
class _Guard:
    failures: int = 0
    lockouts: int = 0
    locked_until: float = 0.0


@dataclass(frozen=True)
class PinResult:
    ok: bool
    locked_for_s: float = 0.0  # > 0: refused (without comparing, unless this guess started the lockout)
    left: int = 0  # wrong PINs left before the lockout
    just_locked: bool = False


class DeskSessions:
    def __init__(self, token: str, *, lifetime_s: float, data_dir: Path | None = None) -> None:
        """`data_dir` None: the key lives in memory only (a restart ends every session)."""
        self._token = token.encode()
        self.lifetime_s = lifetime_s
        self._guards: GuardBook[_Guard] = GuardBook()  # bounded in number and time (display.lockout)
        self._path = Path(data_dir) / FILENAME if data_dir is not None else None
        self._marks: dict[str, str] = {}  # per console: a keyed mark of its PIN, to see it change
        self._salt, self._generation = self._load()
        self.compared = 0  # PINs compared since the start

    def _load(self) -> tuple[bytes, dict[str, int]]:
        if self._path is not None:
            try:
                data = json.loads(self._path.read_text(encoding="utf-8"))
                self._marks = {str(k): str(v) for k, v in data.get("pins", {}).items()}
                return bytes.fromhex(data["key"]), {str(k): int(v) for k, v in data["generations"].items()}
            except FileNotFoundError:
                pass
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                log.error("%s unreadable (%s): a new session key, every console unlocks again", self._path, exc)
        salt = secrets.token_bytes(32)
        self._marks = {}
        self._save(salt, {})
        return salt, {}

    def _rotate_on_new_pin(self, desk_id: str, pin: str) -> None:
        """A PIN other than the one last seen for this console: its key moves on (and stays
        moved, so going back to an old PIN does not bring old sessions back)."""
        mark = hmac.new(self._salt, f"pin\0{desk_id}\0{pin}".encode(), hashlib.sha256).hexdigest()[:32]
        seen = self._marks.get(desk_id)
        if seen == mark:
            return
        if seen is not None:
            self._generation[desk_id] = self._generation.get(desk_id, 0) + 1
            log.info("console %s: a new PIN, its sessions end", desk_id)
        self._marks[desk_id] = mark
        self._save(self._salt, self._generation)

    def _save(self, salt: bytes, generations: dict[str, int]) -> None:
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"key": salt.hex(), "generations": generations, "pins": self._marks}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self._path)

    @staticmethod
    def cookie_name(desk_id: str) -> str:
        return f"totem_desk_{desk_id}"

    def _key(self, desk_id: str, pin: str) -> bytes:
        """Derived from the PIN too, and a new PIN in the site file rotates the key of that console."""
        self._rotate_on_new_pin(desk_id, pin)
        material = b"\0".join([b"totem-desk-session", self._token, self._salt, desk_id.encode(), pin.encode(),
                               str(self._generation.get(desk_id, 0)).encode()])
        return hashlib.sha256(material).digest()

    def _sign(self, desk_id: str, pin: str, device: str, expiry: int) -> str:
        return hmac.new(self._key(desk_id, pin), f"{desk_id}.{device}.{expiry}".encode(), hashlib.sha256).hexdigest()

    def issue(self, desk_id: str, pin: str, device: str, *, now: float | None = None) -> str:
        expiry = int((time.time() if now is None else now) + self.lifetime_s)
        return f"{device}.{expiry}.{self._sign(desk_id, pin, device, expiry)}"

    def valid(self, desk_id: str, pin: str, value: str | None, device: str, *, now: float | None = None) -> bool:
        """A session of this console opened on this very paired device, not expired."""
        match = _COOKIE_RE.fullmatch(value) if isinstance(value, str) and len(value) < 120 else None
        if match is None or not hmac.compare_digest(match.group(1), device):
            return False
        expiry = int(match.group(2))
        if expiry < (time.time() if now is None else now):
            return False
        return hmac.compare_digest(match.group(3), self._sign(desk_id, pin, device, expiry))

    def logout(self, desk_id: str) -> None:
        """End every session of this console (its one operator leaves), restarts included."""
        self._generation[desk_id] = self._generation.get(desk_id, 0) + 1
        self._save(self._salt, self._generation)

    def try_pin(self, desk_id: str, given: str, expected: str, *, device: str = "",
                now: float | None = None) -> PinResult:
        """Check a PIN under the lockout rules of this console on this paired device. Must be
        called without awaiting in between."""
        now = time.monotonic() if now is None else now
        key = f"{desk_id}\0{device}"
        guard = self._guards.setdefault(key, _Guard())
        if guard.locked_until > now:
            return PinResult(False, locked_for_s=guard.locked_until - now)
        self.compared += 1
        if hmac.compare_digest(given.encode(), expected.encode()):
            self._guards.pop(key, None)
            return PinResult(True)
        guard.failures += 1
        if guard.failures >= MAX_FAILURES:
            guard.failures = 0
            guard.lockouts += 1
            wait = min(LOCKOUT_MAX_S, LOCKOUT_S * 2 ** (guard.lockouts - 1))
            guard.locked_until = now + wait
            return PinResult(False, locked_for_s=wait, just_locked=True)
        return PinResult(False, left=MAX_FAILURES - guard.failures)
