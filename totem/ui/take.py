"""The ticket screens, and what the kiosk does with the worker's answer to a tap.

1. A tap (Kiosk.start_ticket) shows Printing at once; the ticket's code replaces it as soon
   as the number is committed (EV_CODE), before printing.
2. The worker's answer (EV_TICKET, `TakeView.outcome`): the ticket screen with the code, the
   people ahead and the wait; or the screen that says why there is no ticket, never a crash
   of the loop. The named failures: a refused appointment (back to check-in, told why), one
   that may not be called before closing (the "late" screen: no number was used), too soon
   (a notice on Home), closed, the printer (Out of service, saying which number did not
   print), the number block or the hub refusing this totem, the ticket database (Out of
   service for `STORE_RETRY_S`), and anything else (logged in full, as the database).
3. "Take your ticket" stays for its time (x the session's time factor); a touch in the first
   `TAKE_GUARD_S` is the same burst of taps, later one goes back to the start; its "more
   time" button, or any key but Enter, gives the full time again; Enter or Esc goes back.
4. The hub's own count of people ahead, when it differs from the printed one (another
   totem's ticket in the same instant), corrects the screen and is read out again
   (`count_corrected`); the paper was never delayed for it.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import pygame

from config.errors import (
    AppointmentRefused,
    DeviceConflict,
    MayNotBeCalled,
    NoNumberBlock,
    PrinterUnavailable,
    ServiceClosed,
    StoreError,
    TooSoon,
    TotemError,
    UnknownService,
)
from config.i18n import Translator
from printer.layout import past_close_text, people_ahead_text, wait_text
from printer.status import PrinterState
from totem.spoken import Spoken
from totem.ui import render
from totem.ui.checkin import CheckInView
from totem.ui.context import Kiosk
from totem.ui.events import ENTER_KEYS, HELP_KEYS, Screen, Shown
from totem.ui.geometry import take_layout
from totem.ui.late import LateView
from totem.ui.view import View

if TYPE_CHECKING:
    from totem.issuing import IssuedTicket

log = logging.getLogger(__name__)
NOTICE_S = 2.5  # how long "too soon" stays on Home
TAKE_GUARD_S = 1.5  # taps right after a ticket are the same burst, not a request to go back


class PrintingView(View):
    """Printing: the service tapped, its code as soon as it is committed."""

    screen = Screen.PRINTING

    def paint(self, surface: pygame.Surface, now: float) -> None:
        k = self.kiosk
        shown = k.shown
        service = k.config.service(shown.service_id) if shown.service_id else None
        countdown = k.countdown
        render.draw_take(surface, t=k.t, code=shown.code, service=service, lang=k.lang, lines=shown.lines,
                         ticket_image=shown.image, large=k.session.large, printed=shown.printed,
                         left_s=countdown.left_s(now) if countdown else None,
                         total_s=countdown.timeout_s if countdown else 1.0,
                         warning=bool(countdown and countdown.warning(now)), rtl=self.rtl)


class TakeView(PrintingView):
    """Take your ticket; and the outcome of every tap, which decides the screen after Printing."""

    screen = Screen.TAKE
    starts_guidance = True

    def __init__(self, *, kiosk: Kiosk, checkin: CheckInView, late: LateView) -> None:
        super().__init__(kiosk=kiosk)
        self.checkin = checkin
        self.late = late

    def timeout_s(self) -> float:
        return self.kiosk.session.timeout_s(self.kiosk.config.totem.take_ticket_timeout_s)

    def past_guard(self) -> bool:
        """Taps right after the ticket are the same burst, not a request to go back."""
        return time.monotonic() - self.kiosk.entered_at >= TAKE_GUARD_S

    def press(self, pos: tuple[float, float]) -> None:
        k = self.kiosk
        if take_layout(k.size, with_image=False, rtl=self.rtl).more_time.contains(*pos):
            k.extend()
        elif self.past_guard():
            k.go(k.base_screen())

    def key(self, key: int) -> list[Spoken]:
        k = self.kiosk
        if key in HELP_KEYS:
            return super().key(key)
        if key == pygame.K_ESCAPE:
            k.go(k.base_screen())
        elif key in ENTER_KEYS:
            if self.past_guard():
                k.go(k.base_screen())
        else:
            k.extend()  # any other key: more time to read or listen
        return []

    def count_corrected(self, event: pygame.event.Event) -> None:
        """The hub counted other people ahead of the ticket on show than the totem printed: the
        screen says the hub's figure, and the voice says it again."""
        k = self.kiosk
        shown = k.shown
        if k.screen is not Screen.TAKE or shown.code != event.code:
            return
        t = Translator(k.lang)
        fixed = (people_ahead_text(t, event.estimate), wait_text(t, event.estimate))
        note = shown.lines[:-2] if len(shown.lines) > 2 else ()
        if shown.lines[len(note):] == fixed:
            return
        shown.lines = (*note, *fixed)
        k.dirty = True
        k.say(k.screen_phrases())

    def outcome(self, event: pygame.event.Event) -> None:
        """The worker's answer: the ticket screen, or the screen that says why there is no ticket."""
        k = self.kiosk
        error = event.error
        if error is None:
            self.show(event.ticket, event.image)
            return
        if isinstance(error, AppointmentRefused):
            self.checkin.refused(error)
            return
        if isinstance(error, MayNotBeCalled):  # told before issuing: no number was used
            self.late.open(error)
            return
        k.go(Screen.HOME)
        if isinstance(error, TooSoon):
            k.notice = k.t("too_soon")
            k.notice_until = time.monotonic() + NOTICE_S
        elif isinstance(error, ServiceClosed):
            k.refresh_opening()
        elif isinstance(error, PrinterUnavailable):
            log.warning("ticket refused: %s", error)
            state = PrinterState(error.state) if error.state in PrinterState._value2member_map_ \
                else PrinterState.OFFLINE
            # The citizen who tapped is sent to the reception point: Out of service until the printer answers.
            k.printer_state = state if not state.can_print else PrinterState.ERROR
            k.services.recheck_printer()
            if error.voided:  # they saw their number: Out of service says it did not print, is cancelled, what to do
                k.voided, k.voided_at = error.voided, time.monotonic()
        elif isinstance(error, DeviceConflict | NoNumberBlock):
            log.error("ticket refused: %s", error)  # Out of service: the kiosk's device_problem says why
        elif isinstance(error, StoreError):
            log.error("ticket database failure: %s", error)
            k.store_failed_at = time.monotonic()
        elif isinstance(error, UnknownService | TotemError):
            log.error("ticket refused: %s", error)
        else:
            log.error("unexpected failure while issuing", exc_info=error)
            k.store_failed_at = time.monotonic()
        k.go(k.base_screen())

    def show(self, ticket: IssuedTicket, image: tuple[bytes, tuple[int, int]] | None) -> None:
        """The ticket screen: the code, the people ahead and the wait (and the appointment's note)."""
        t = Translator(ticket.lang)
        estimate = ticket.estimate
        lines: list[str] = []
        if estimate is not None:
            lines = [people_ahead_text(t, estimate), wait_text(t, estimate)]
            if estimate.past_close and estimate.wait_low_min is not None:
                lines.append(past_close_text(t, estimate))
        surface = None
        if image is not None:
            data, size = image
            surface = pygame.image.frombuffer(data, size, "RGB")
        if ticket.note:
            lines.insert(0, ticket.note)
        self.kiosk.shown = Shown(ticket.code, ticket.service.id, tuple(lines), surface, printed=True)
        self.kiosk.go(Screen.TAKE)
