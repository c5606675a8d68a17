"""Desk sessions and the PIN guard: a signed cookie per desk after the operator types its PIN.

Steps of `try_pin` (called with no await in between, so concurrent guesses cannot slip
past the count, whatever their source address):
1. locked: say for how long, compare nothing;
2. a wrong PIN is counted before the answer is sent; the `MAX_FAILURES`th locks the desk
   for `LOCKOUT_S`, doubling at each further lockout (up to `LOCKOUT_MAX_S`);
3. the right PIN clears the count and returns a session cookie.

A cookie carries the desk id, its expiry and an HMAC whose key is derived from the hub
token, the desk's PIN, a per-start random salt and the desk's logout generation: changing
the PIN, restarting the hub or logging out ends every session of that desk. The hub keeps
no session table. Cookie values are parsed strictly: anything odd is simply "no session".
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

from display.lockout import GuardBook

MAX_FAILURES = 5
LOCKOUT_S = 60.0
LOCKOUT_MAX_S = 3600.0
_COOKIE_RE = re.compile(r"([0-9]{1,12})\.([0-9a-f]{64})")


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
    def __init__(self, token: str, *, lifetime_s: float) -> None:
        self._token = token.encode()
        self._salt = secrets.token_bytes(16)  # new at each start: a restart ends every session
        self.lifetime_s = lifetime_s
        self._guards: GuardBook[_Guard] = GuardBook()  # bounded in number and time (display.lockout)
        self._generation: dict[str, int] = {}

    @staticmethod
    def cookie_name(desk_id: str) -> str:
        return f"totem_desk_{desk_id}"

    def _key(self, desk_id: str, pin: str) -> bytes:
        material = b"\0".join([b"totem-desk-session", self._token, self._salt, desk_id.encode(), pin.encode(),
                               str(self._generation.get(desk_id, 0)).encode()])
        return hashlib.sha256(material).digest()

    def _sign(self, desk_id: str, pin: str, expiry: int) -> str:
        return hmac.new(self._key(desk_id, pin), f"{desk_id}.{expiry}".encode(), hashlib.sha256).hexdigest()

    def issue(self, desk_id: str, pin: str, *, now: float | None = None) -> str:
        expiry = int((time.time() if now is None else now) + self.lifetime_s)
        return f"{expiry}.{self._sign(desk_id, pin, expiry)}"

    def valid(self, desk_id: str, pin: str, value: str | None, *, now: float | None = None) -> bool:
        match = _COOKIE_RE.fullmatch(value) if isinstance(value, str) and len(value) < 100 else None
        if match is None:
            return False
        expiry = int(match.group(1))
        if expiry < (time.time() if now is None else now):
            return False
        return hmac.compare_digest(match.group(2), self._sign(desk_id, pin, expiry))

    def logout(self, desk_id: str) -> None:
        """End every session of this desk (its one operator leaves)."""
        self._generation[desk_id] = self._generation.get(desk_id, 0) + 1

    def try_pin(self, desk_id: str, given: str, expected: str, *, now: float | None = None) -> PinResult:
        """Check a PIN under the lockout rules. Must be called without awaiting in between."""
        now = time.monotonic() if now is None else now
        guard = self._guards.setdefault(desk_id, _Guard())
        if guard.locked_until > now:
            return PinResult(False, locked_for_s=guard.locked_until - now)
        if hmac.compare_digest(given.encode(), expected.encode()):
            self._guards.pop(desk_id, None)
            return PinResult(True)
        guard.failures += 1
        if guard.failures >= MAX_FAILURES:
            guard.failures = 0
            guard.lockouts += 1
            wait = min(LOCKOUT_MAX_S, LOCKOUT_S * 2 ** (guard.lockouts - 1))
            guard.locked_until = now + wait
            return PinResult(False, locked_for_s=wait, just_locked=True)
        return PinResult(False, left=MAX_FAILURES - guard.failures)
