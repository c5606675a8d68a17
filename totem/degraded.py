"""The kiosk when its ticket database cannot be opened: Out of service, never a restart loop.

Steps:
1. `run_kiosk` fails to open the store (corrupt, unreadable, disk gone) and builds this
   instead of the normal kiosk: the same screen loop, showing Out of service;
2. the reason goes to the log, the technician menu and `totem status`;
3. a watcher retries opening the database every `RETRY_S`; the bad file is never moved
   here (only `totem repair-db` does that, on purpose);
4. once it opens, the screen loop ends with status 0 and systemd starts the normal kiosk.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import ExitStack

import pygame

from config.errors import StoreError
from config.model import Config
from totem import __version__
from totem.clock import Clock
from totem.hours import Schedule
from totem.store import TicketStore
from totem.ui.app import KioskApp
from totem.ui.voice import open_voice
from totem.ui.window import open_window

log = logging.getLogger(__name__)

RETRY_S = 30.0


class StoreWatcher:
    """Retries opening the ticket database off the UI thread; `problem()` is the last reason or None."""

    def __init__(self, config: Config, reason: str, *, retry_s: float = RETRY_S) -> None:
        self.config = config
        self._reason: str | None = reason
        self.retry_s = retry_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="store-watcher", daemon=True)

    def problem(self) -> str | None:
        return self._reason

    def _run(self) -> None:
        while not self._stop.wait(self.retry_s):
            try:
                TicketStore.in_dir(self.config.totem.data_dir).close()
            except StoreError as exc:
                self._reason = str(exc)
                continue
            log.warning("ticket database opens again: restarting the kiosk")
            self._reason = None
            return

    def start(self) -> StoreWatcher:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def __enter__(self) -> StoreWatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class UnavailableServices:
    """The facade KioskApp expects, with no database behind it: every ticket is refused."""

    def __init__(self, *, config: Config, watcher: StoreWatcher) -> None:
        self.config = config
        self.watcher = watcher
        self.schedule = Schedule(config.hours, config.site.timezone)

    def take(self, service_id: str, lang: str) -> tuple[object, object]:
        raise StoreError(self.watcher.problem() or "ticket database reopening")

    def recheck_printer(self) -> None:
        pass

    def technician(self, action: str, lang: str) -> list[str]:
        return [f"{self.config.totem.id} v{__version__}", "OUT OF SERVICE: ticket database",
                (self.watcher.problem() or "reopening")[:120], "fix: totem repair-db (see docs/TECHNICIAN.md)"]


def build_unavailable_kiosk(config: Config, stack: ExitStack, *, clock: Clock, reason: str,
                            on_frame: Callable[[], None] = lambda: None, retry_s: float = RETRY_S) -> KioskApp:
    log.error("out of service: %s", reason)
    watcher = stack.enter_context(StoreWatcher(config, reason, retry_s=retry_s).start())
    services = UnavailableServices(config=config, watcher=watcher)
    window = open_window(fullscreen=config.totem.fullscreen, size=config.totem.window_size,
                         caption=f"Totem - {config.site.desk_name}")
    stack.callback(pygame.quit)
    schedule = services.schedule
    app = KioskApp(config=config, services=services, opening=lambda: schedule.status(clock.now()),
                   now=lambda: schedule.local(clock.now()), window=window, rotation=config.totem.rotation,
                   on_frame=on_frame, store_problem=watcher.problem, voice=open_voice(config, stack))
    stack.callback(app.close)
    return app

