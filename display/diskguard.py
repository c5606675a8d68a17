"""The hub's disk: refuse new work cleanly before SQLite fails, resume by itself.

Steps:
1. `full()` reads the free space of the hub's data dir (statvfs) at most every `RECHECK_S`;
   below the site file's reserve (`hub.disk_reserve_mb`, at least `MIN_RESERVE_BYTES`) the
   disk counts as full;
2. while full, every write request except unlocking/locking a console gets
   503 `{"error": "disco pieno ...", "reason": "disk_full"}` with `Retry-After`: the
   totems keep their events and retry (a 503 is never a refusal), the desks are told why;
3. a commit that fails for lack of space anyway (a race) makes the next `full()` read again;
4. `as_json()` goes into `/api/state` (`disk`), so every console shows "disco pieno" while
   it lasts; the server's periodic check republishes the state when it flips either way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from totem.diskspace import disk_full_advice, free_bytes

log = logging.getLogger(__name__)

RECHECK_S = 0.25
MIN_RESERVE_BYTES = 1_000_000
RETRY_AFTER_S = 5


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

    def refusal(self) -> dict[str, Any]:
        return {"error": f"disco pieno / disk full on the hub: {self.free / 1e6:.1f} MB free, "
                         f"{self.reserve_bytes / 1e6:.0f} MB kept in reserve; nothing was stored, retry later",
                "reason": "disk_full", "retry_after_s": RETRY_AFTER_S}
