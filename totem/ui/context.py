"""What a kiosk screen sees of the kiosk, and what it may ask of it: the `Kiosk` protocol.

The screens (totem.ui.view and the modules that subclass it) are given the kiosk as this
protocol, by keyword, and never import the app (totem.ui.app) that implements it:

1. what the whole kiosk shares, read and written by the screens: the site file, the
   citizen's session (language, guidance, text size), the logical screen size, the wall
   clock, the ticket on show (`shown`), the focused service, the notice line, the timed
   screen's countdown, the conditions that put the totem Out of service;
2. what only the app does, asked for by name: switch screen (`go`, `base_screen`), speak
   (`say`, `screen_phrases`), give more time (`extend`), end the session, take a ticket
   (`start_ticket`, `issue`: on the worker thread, its code and outcome come back as events),
   run a job on the worker (`submit`), read the opening hours again (`refresh_opening`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from config.i18n import Translator
from config.model import Config
from printer.status import PrinterState
from totem.hours import Opening
from totem.spoken import Spoken
from totem.ui.events import Screen, Shown
from totem.ui.session import Countdown, Session
from totem.ui.voice import Speaker


class Kiosk(Protocol):
    config: Config
    services: Any  # the KioskServices facade (totem.kiosk): call it only through `submit` or `issue`
    session: Session
    size: tuple[int, int]  # the logical screen (rotation applied)
    local_now: Callable[[], datetime]
    voice: Speaker | None
    screen: Screen
    shown: Shown
    focus: int | None
    notice: str
    notice_until: float
    countdown: Countdown | None
    warned: bool  # the current warning was sounded
    left_shown: int
    entered_at: float
    last_input_at: float
    opening: Opening
    printer_state: PrinterState
    store_failed_at: float | None
    clock_problem: str | None
    device_problem: str | None
    voided: str | None
    voided_at: float
    dirty: bool

    @property
    def lang(self) -> str: ...

    @property
    def t(self) -> Translator: ...

    def go(self, screen: Screen) -> None: ...

    def base_screen(self) -> Screen: ...

    def say(self, phrases: list[Spoken]) -> None: ...

    def screen_phrases(self) -> list[Spoken]: ...

    def extend(self) -> None: ...

    def end_session(self) -> None: ...

    def set_language(self, lang: str) -> None: ...

    def start_ticket(self, service_id: str, *, accept_late: bool = False) -> None: ...

    def issue(self, service_id: str, take: Callable[[Callable[[Any], None]], Any]) -> None: ...

    def submit(self, job: Callable[[], None]) -> None: ...

    def refresh_opening(self) -> None: ...
