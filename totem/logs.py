"""Logging for the `totem` and `totem-display` commands: one format, and a cap on repeats.

An attack or a fault that repeats (a flood of connections, a refused ticket retried) must
not fill the disk: the same message from the same place is written at most `BURST` times
per `WINDOW_S`; then one line says how many were left out.
"""

from __future__ import annotations

import logging
import sys
import time

BURST = 10
WINDOW_S = 60.0


class RepeatFilter(logging.Filter):
    def __init__(self, *, burst: int = BURST, window_s: float = WINDOW_S) -> None:
        super().__init__()
        self.burst = burst
        self.window_s = window_s
        self._seen: dict[tuple[str, int, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.lineno, str(record.msg))
        now = time.monotonic()
        start, count = self._seen.get(key, (now, 0))
        if now - start >= self.window_s:
            if count > self.burst:
                record.msg = f"{record.msg} [{count - self.burst} similar message(s) left out in {self.window_s:.0f} s]"
            start, count = now, 0
        count += 1
        self._seen[key] = (start, count)
        if len(self._seen) > 10_000:  # bounded memory whatever arrives
            self._seen.clear()
        return count <= self.burst


def configure(verbose: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RepeatFilter())
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler])
