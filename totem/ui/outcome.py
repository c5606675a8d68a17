"""What the kiosk's screen does with the worker's answer to a tap: the ticket screen with the
code, people ahead and wait, or the screen that says why there is no ticket (too soon, closed,
printer, database, a refused appointment), never a crash of the loop."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import pygame

from printer.layout import people_ahead_text, wait_text
from printer.status import PrinterState
from totem.errors import (
    AppointmentRefused,
    DeviceConflict,
    NoNumberBlock,
    PrinterUnavailable,
    ServiceClosed,
    StoreError,
    TooSoon,
    TotemError,
    UnknownService,
)
from totem.i18n import Translator
from totem.ui.checkin import checkin_refused
from totem.ui.events import Screen, Shown

if TYPE_CHECKING:
    from totem.ui.app import KioskApp

log = logging.getLogger("totem.ui.app")
NOTICE_S = 2.5  # how long "too soon" stays on Home


def ticket_outcome(app: KioskApp, event: pygame.event.Event) -> None:
    """The worker's answer: the ticket screen, or the screen that says why there is no ticket."""
    error = event.error
    if error is None:
        ticket = event.ticket
        t = Translator(ticket.lang)
        lines: list[str] = []
        if ticket.estimate is not None:
            lines = [people_ahead_text(t, ticket.estimate), wait_text(t, ticket.estimate)]
        image = None
        if event.image is not None:
            data, size = event.image
            image = pygame.image.frombuffer(data, size, "RGB")
        if ticket.note:
            lines.insert(0, ticket.note)
        app.shown = Shown(ticket.code, ticket.service.id, tuple(lines), image, printed=True)
        app.go(Screen.TAKE)
        return
    if isinstance(error, AppointmentRefused):
        checkin_refused(app, error)
        return
    app.go(Screen.HOME)
    if isinstance(error, TooSoon):
        app.notice = app.t("too_soon")
        app.notice_until = time.monotonic() + NOTICE_S
    elif isinstance(error, ServiceClosed):
        app.opening = app._opening()
    elif isinstance(error, PrinterUnavailable):
        log.warning("ticket refused: %s", error)
        state = PrinterState(error.state) if error.state in PrinterState._value2member_map_ \
            else PrinterState.OFFLINE
        # The citizen who tapped is sent to the reception point: Out of service until the printer answers.
        app.printer_state = state if not state.can_print else PrinterState.ERROR
        app.services.recheck_printer()
    elif isinstance(error, DeviceConflict | NoNumberBlock):
        log.error("ticket refused: %s", error)  # Out of service: app.device_problem says why
    elif isinstance(error, StoreError):
        log.error("ticket database failure: %s", error)
        app.store_failed_at = time.monotonic()
    elif isinstance(error, UnknownService | TotemError):
        log.error("ticket refused: %s", error)
    else:
        log.error("unexpected failure while issuing", exc_info=error)
        app.store_failed_at = time.monotonic()
    app.go(app.base_screen())
