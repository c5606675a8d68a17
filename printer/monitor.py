"""Background printer status: polls every few seconds off the UI thread, reports changes.

A change is logged once (not every poll) and handed to `on_change`, which only posts
an event; nothing here draws or blocks the UI.

A job that failed (`failed`) latches the printer as unable to print: a printer that
accepted the bytes and then went silent answers status queries with silence too, which
alone reads as "unknown" (worth a try). The latch holds until a status query says the
printer is healthy again, so the totem stays Out of service instead of voiding ticket
after ticket, and comes back by itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from printer.status import PrinterState

log = logging.getLogger(__name__)


class PrinterMonitor:
    def __init__(self, *, status: Callable[[], PrinterState], interval_s: float,
                 on_change: Callable[[PrinterState], None]) -> None:
        self._status = status
        self.interval_s = interval_s
        self._on_change = on_change
        self._state = PrinterState.UNKNOWN
        self._known = False
        self._failed: PrinterState | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="printer-monitor", daemon=True)

    @property
    def state(self) -> PrinterState:
        return self._state

    def start(self) -> PrinterMonitor:
        self._thread.start()
        return self

    def poke(self) -> None:
        """Check again now (after a failed print, or from the technician menu)."""
        self._wake.set()

    def failed(self, state: PrinterState) -> None:
        """A job did not go out: unable to print until a status query says otherwise."""
        latched = state if not state.can_print else PrinterState.ERROR
        with self._lock:
            self._failed = latched
        self._set(latched)
        self.poke()

    def check_now(self) -> PrinterState:
        try:
            state = self._status()
        except Exception:  # a status bug must never kill the monitor: treat it as unknown
            log.exception("printer status query failed")
            state = PrinterState.UNKNOWN
        with self._lock:
            if state.healthy:
                self._failed = None
            elif self._failed is not None and state is PrinterState.UNKNOWN:
                state = self._failed  # still silent after a failed job: not worth a try
        self._set(state)
        return state

    def _set(self, state: PrinterState) -> None:
        if state is not self._state or not self._known:
            level = logging.INFO if state.healthy else logging.WARNING
            log.log(level, "printer state: %s (was %s)", state.value, self._state.value if self._known else "-")
            self._state = state
            self._known = True
            self._on_change(state)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.check_now()
            self._wake.wait(self.interval_s)
            self._wake.clear()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def __enter__(self) -> PrinterMonitor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
