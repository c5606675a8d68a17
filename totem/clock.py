"""Time as a dependency: the core never calls datetime.now() itself."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that moves only when told to: tests, screenshots, previews."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError(f"FrozenClock needs an aware datetime (got {instant!r})")
        self._instant = instant.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._instant

    def advance(self, **delta: float) -> None:
        with self._lock:
            self._instant += timedelta(**delta)

    def set(self, instant: datetime) -> None:
        with self._lock:
            self._instant = instant.astimezone(UTC)
