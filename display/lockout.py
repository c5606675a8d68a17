"""The lockout records of the PIN guard, bounded in number and in time.

Each console a PIN is tried on has one record (`sessions._Guard`: failures, lockouts,
locked until). Unauthenticated posts can name any console id, so the records must not
grow with what a stranger sends (300,000 unknown desk ids once added 42 MB, never freed):
1. a record untouched for `FORGET_S` and not locked is forgotten (checked from the oldest
   at every insert, so the cost is spread over the inserts);
2. at most `MAX_RECORDS` records: when full, the oldest record of an unknown console
   (key starting with `UNKNOWN_PREFIX`, which guards no PIN at all) goes first, then the
   oldest unlocked one; a record that is locked now is never dropped for room, so a
   flood cannot end a real console's lockout early.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol, TypeVar

MAX_RECORDS = 1024
FORGET_S = 3600.0  # an hour without a wrong PIN: the console's count starts again
UNKNOWN_PREFIX = "?"  # `Hub.unlock` files a console the site file does not have under "?<id>"


class Locked(Protocol):
    locked_until: float


G = TypeVar("G", bound=Locked)


class GuardBook(OrderedDict[str, G]):
    """A dict of lockout records, oldest touched first (the `dict` calls `DeskSessions` makes)."""

    def __init__(self, *, max_records: int = MAX_RECORDS, forget_s: float = FORGET_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.max_records = max_records
        self.forget_s = forget_s
        self.clock = clock
        self._touched: dict[str, float] = {}

    def setdefault(self, key: str, default: G) -> G:  # type: ignore[override]
        now = self.clock()
        self._forget(now)
        if key in self:
            self.move_to_end(key)
        else:
            if len(self) >= self.max_records:
                self._make_room(now)
            self[key] = default
        self._touched[key] = now
        return self[key]

    def pop(self, key: str, default: G | None = None) -> G | None:  # type: ignore[override]
        self._touched.pop(key, None)
        return super().pop(key, default)

    def _drop(self, key: str) -> None:
        del self[key]
        self._touched.pop(key, None)

    def _forget(self, now: float) -> None:
        while self:
            key, guard = next(iter(self.items()))
            if now - self._touched.get(key, now) < self.forget_s or guard.locked_until > now:
                return
            self._drop(key)

    def _make_room(self, now: float) -> None:
        victim = next((k for k in self if k.startswith(UNKNOWN_PREFIX)), None)
        if victim is None:
            victim = next((k for k, g in self.items() if g.locked_until <= now), None)
        if victim is not None:
            self._drop(victim)
