"""Wiring of the kiosk: real objects built from the config, handed to the screen loop."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from contextlib import ExitStack

import pygame

from config.model import Config
from printer.monitor import PrinterMonitor
from printer.status import PrinterState
from printer.ticket_printer import TicketPrinter
from totem import __version__
from totem.checkin import CheckInClient, take_appointment
from totem.clock import Clock, SystemClock
from totem.degraded import build_unavailable_kiosk
from totem.dispenser import Dispenser
from totem.errors import StoreError
from totem.gpio import open_gpio
from totem.hours import Schedule
from totem.hubview import HubView
from totem.i18n import Translator
from totem.issuing import IssuedTicket, Issuer
from totem.numbering import format_code, service_day
from totem.outbox import OutboxPusher
from totem.sdnotify import Notifier
from totem.servicelock import hold_for_service
from totem.ui.app import KioskApp
from totem.ui.events import EV_BUTTON, EV_HELP, EV_PRINTER, Screen, post
from totem.ui.voice import Speaker, open_voice
from totem.ui.window import open_window
from totem.wiring import build_issuer, build_printer, open_store, push_targets

log = logging.getLogger(__name__)

KEEP_DAYS = 31  # the totem's own tickets and delivered events; the hub keeps the history


class KioskServices:
    """What the screen asks of the rest of the totem. Called only from the UI's worker thread."""

    def __init__(self, *, config: Config, issuer: Issuer, dispenser: Dispenser, printer: TicketPrinter,
                 monitor: PrinterMonitor, backlog: Callable[[], int] = lambda: 0,
                 checkin: CheckInClient | None = None) -> None:
        self.config = config
        self.checkin = checkin
        self.issuer = issuer
        self.dispenser = dispenser
        self.printer = printer
        self.monitor = monitor
        self.backlog = backlog
        self.schedule: Schedule = issuer.schedule

    def take(self, service_id: str, lang: str, *, on_issued: Callable[[IssuedTicket], None] = lambda ticket: None
             ) -> tuple[IssuedTicket, tuple[bytes, tuple[int, int]]]:
        return self._with_image(self.dispenser.take(service_id, lang=lang, on_issued=on_issued))

    def check_in(self, number: str, lang: str, *, on_issued: Callable[[IssuedTicket], None] = lambda ticket: None
                 ) -> tuple[IssuedTicket, tuple[bytes, tuple[int, int]]]:
        """An appointment's number typed at the totem (`totem.checkin`): the hub's yes, then a
        priority ticket that names it; `AppointmentRefused` otherwise."""
        return self._with_image(take_appointment(config=self.config, dispenser=self.dispenser, client=self.checkin,
                                                 number=number, lang=lang, on_issued=on_issued))

    def _with_image(self, ticket: IssuedTicket) -> tuple[IssuedTicket, tuple[bytes, tuple[int, int]]]:
        """The ticket and its picture for the screen, as bytes (pygame surfaces stay on the UI thread)."""
        image = self.printer.preview_of(ticket).convert("RGB")
        return ticket, (image.tobytes(), image.size)

    def recheck_printer(self) -> None:
        self.monitor.poke()

    def technician(self, action: str, lang: str) -> list[str]:
        """Run a technician action; the lines shown in the menu, in the menu's language."""
        t = Translator(lang)
        done = t("tech_done")
        if action == "test_page":
            self.printer.print_test_page()
        elif action == "reprint":
            row = self.issuer.store.last_ticket()
            if row is None:
                return ["-"]
            service = self.config.service(row.service_id)
            ticket = IssuedTicket(row.id, row.code, service, row.number,
                                  self.issuer.schedule.local(row.issued_at), row.lang, None)
            self.printer.print_ticket(ticket, copy=True)  # marked COPIA, a file of its own
            done = t("tech_reprinted", code=row.code)
        state = self.monitor.check_now()
        counts = self.issuer.today_counts()
        issued = sum(c["issued"] for c in counts.values())
        last = ", ".join(format_code(s.prefix, counts[s.id]["last_number"]) for s in self.config.services
                         if s.id in counts)
        aside = self.issuer.store.set_aside_count()
        info = [f"{self.config.totem.id} v{__version__}", t("tech_info_printer", state=state.value),
                t("tech_info_outbox", n=self.backlog()) + (t("tech_info_set_aside", n=aside) if aside else ""),
                t("tech_info_today", n=issued), t("tech_info_last", codes=last or "-")]
        problem = self.issuer.clock_problem()
        if problem:
            info.append(t("tech_info_clock", problem=problem))
        if action in ("test_page", "reprint"):
            info.insert(0, done)
        return info


LED_FOR_SCREEN = {Screen.HOME: "ready", Screen.TAKE: "ready", Screen.PIN: "ready", Screen.MENU: "ready",
                  Screen.CHECKIN: "ready",
                  Screen.PRINTING: "printing", Screen.OUT: "out_of_service", Screen.CLOSED: "closed"}


def build_kiosk(config: Config, stack: ExitStack, *, clock: Clock, always_open: bool = False,
                on_frame: Callable[[], None] = lambda: None, pin_factory: object = None,
                voice_factory: Callable[[Config, ExitStack], Speaker | None] = open_voice) -> KioskApp:
    """Build every part of the kiosk; `stack` closes them in reverse order."""
    store = stack.enter_context(open_store(config))
    store.prune(keep_days=KEEP_DAYS, today=service_day(clock.now(), config.site.timezone),
                targets=push_targets(config))
    view = HubView()
    issuer = build_issuer(config, store, clock, ignore_hours=always_open, view=view)
    if always_open:
        log.warning("--always-open: tickets are issued outside opening hours")
    printer = stack.enter_context(build_printer(config))
    # The pusher's first act is a status report: the hub's word on this device's id (totem.standing).
    outbox = stack.enter_context(OutboxPusher.start(config, clock=clock, view=view, standing=issuer.standing))

    def printer_changed(state: PrinterState) -> None:
        post(EV_PRINTER, state=state)  # the screen
        outbox.set_health(printer=state.value)  # the desk console ("carta esaurita")

    monitor = PrinterMonitor(status=printer.status, interval_s=config.printer.status_poll_s,
                             on_change=printer_changed)
    dispenser = Dispenser(issuer=issuer, printer=printer, printer_state=lambda: monitor.state, on_event=outbox.wake,
                          on_printer_failed=monitor.failed)
    checkin = CheckInClient(config=config) if config.appointment_service() is not None else None
    if checkin is not None:
        stack.callback(checkin.close)
    services = KioskServices(config=config, issuer=issuer, dispenser=dispenser, printer=printer,
                             monitor=monitor, backlog=outbox.backlog, checkin=checkin)
    window = open_window(fullscreen=config.totem.fullscreen, size=config.totem.window_size,
                         caption=f"Totem - {config.site.desk_name}")
    stack.callback(pygame.quit)
    gpio = open_gpio(config.gpio, pin_factory=pin_factory, on_help=lambda: post(EV_HELP),
                     on_button=lambda: post(EV_BUTTON, service_id=config.gpio.button_service if config.gpio else ""))
    if gpio is not None:
        stack.callback(gpio.close)

    def screen_changed(screen: Screen) -> None:
        if gpio is not None:
            gpio.show(LED_FOR_SCREEN[screen])
        outbox.set_health(accepting=screen is not Screen.CLOSED)

    app = KioskApp(config=config, services=services, opening=issuer.opening,
                   now=lambda: issuer.schedule.local(clock.now()), window=window,
                   rotation=config.totem.rotation, on_frame=on_frame, on_screen=screen_changed,
                   clock_problem=issuer.clock_problem, device_problem=issuer.device_problem,
                   voice=voice_factory(config, stack))
    app.gpio = gpio
    screen_changed(app.screen)
    stack.callback(app.close)
    stack.enter_context(monitor.start())
    return app


def run_kiosk(config: Config, *, always_open: bool = False, clock: Clock | None = None,
              max_seconds: float | None = None) -> int:
    notifier = Notifier()
    # A stop asked for while we are still starting (no window, so no SDL handler yet) is kept,
    # not fatal: the loop ends at its first frame and everything opened is closed.
    stopping = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    with ExitStack() as stack:
        stack.callback(signal.signal, signal.SIGTERM, previous)
        stack.callback(notifier.close)
        # The service's mark on its data: `totem restore` refuses while it is held.
        stack.enter_context(hold_for_service(config.totem.data_dir, "totem"))
        try:
            with ExitStack() as attempt:  # what was built before the failure is closed again
                app = build_kiosk(config, attempt, clock=clock or SystemClock(), always_open=always_open,
                                  on_frame=notifier.watchdog)
                stack.enter_context(attempt.pop_all())
        except StoreError as exc:  # Out of service on screen, not a restart loop before any window
            app = build_unavailable_kiosk(config, stack, clock=clock or SystemClock(), reason=str(exc),
                                          on_frame=notifier.watchdog)
        signal.signal(signal.SIGTERM, lambda *_: post(pygame.QUIT))
        if stopping.is_set():
            post(pygame.QUIT)
        notifier.ready(f"{config.totem.id}: kiosk running")
        log.info("kiosk %s running (%s printer, push to %s)", config.totem.id, config.printer.connection,
                 ", ".join(push_targets(config)))
        try:
            return app.run(max_seconds=max_seconds)
        finally:
            notifier.stopping()
            log.info("kiosk stopping")

