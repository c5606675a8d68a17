"""Desk sessions: a signed cookie per desk after the operator types the desk's PIN.

The cookie is HttpOnly and SameSite=Strict and carries desk id, expiry and an HMAC keyed
from the hub token, so the hub keeps no session table. Wrong PINs are rate limited per
desk and client address.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SESSION_S = 12 * 3600
MAX_FAILURES = 5
LOCKOUT_S = 60.0


class DeskSessions:
    def __init__(self, token: str) -> None:
        self._key = hashlib.sha256(b"totem-desk-session\0" + token.encode()).digest()
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}

    @staticmethod
    def cookie_name(desk_id: str) -> str:
        return f"totem_desk_{desk_id}"

    def _sign(self, desk_id: str, expiry: int) -> str:
        return hmac.new(self._key, f"{desk_id}.{expiry}".encode(), hashlib.sha256).hexdigest()

    def issue(self, desk_id: str, *, now: float | None = None) -> str:
        expiry = int((now or time.time()) + SESSION_S)
        return f"{expiry}.{self._sign(desk_id, expiry)}"

    def valid(self, desk_id: str, value: str | None, *, now: float | None = None) -> bool:
        if not value or "." not in value:
            return False
        expiry_text, signature = value.split(".", 1)
        if not expiry_text.isdigit() or int(expiry_text) < (now or time.time()):
            return False
        return hmac.compare_digest(signature, self._sign(desk_id, int(expiry_text)))

    def locked_for(self, desk_id: str, client: str) -> float:
        count, since = self._failures.get((desk_id, client), (0, 0.0))
        if count < MAX_FAILURES:
            return 0.0
        left = LOCKOUT_S - (time.monotonic() - since)
        if left <= 0:
            self._failures.pop((desk_id, client), None)
            return 0.0
        return left

    def check_pin(self, desk_id: str, client: str, given: str, expected: str) -> bool:
        if hmac.compare_digest(given.encode(), expected.encode()):
            self._failures.pop((desk_id, client), None)
            return True
        count, _ = self._failures.get((desk_id, client), (0, 0.0))
        self._failures[(desk_id, client)] = (count + 1, time.monotonic())
        return False
