"""The kiosk's screen loop: a state machine driven by pygame events.

Threads never draw: the printer monitor, the GPIO button and the ticket worker only
post events. All store and printer work runs on one worker thread, so the UI thread
answers within a frame and never waits for the disk, the printer or the network.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pygame

from config.model import Config
from printer.layout import people_ahead_text, wait_text
from printer.status import PrinterState
from totem import __version__
from totem.errors import PrinterUnavailable, ServiceClosed, StoreError, TooSoon, TotemError, UnknownService
from totem.hours import Opening
from totem.i18n import Translator
from totem.ui import render
from totem.ui.geometry import home_layout, keypad_layout, logical_size, menu_layout, to_logical

log = logging.getLogger(__name__)

EV_TICKET = pygame.event.custom_type()   # worker: ticket issued and printed, or the error
EV_PRINTER = pygame.event.custom_type()  # printer monitor: new state
EV_BUTTON = pygame.event.custom_type()   # GPIO ticket button pressed
EV_TECH = pygame.event.custom_type()     # worker: technician action finished

FPS = 30
TAP_DEBOUNCE_S = 0.25
TAKE_GUARD_S = 1.5       # taps right after a ticket are the same burst, not a request to go back
LONG_PRESS_S = 3.0
NOTICE_S = 2.5
LANGUAGE_RESET_S = 60.0
TECH_IDLE_S = 60.0       # the PIN pad and the technician menu go back to Home after this without a touch
PIN_DEBOUNCE_S = 0.05    # on the PIN pad only the same touch arriving twice is dropped: every digit counts
STORE_RETRY_S = 30.0
EXIT_TO_SHELL = 64       # the systemd unit does not restart on this status

DIGIT_KEYS = {getattr(pygame, f"K_{i}"): i for i in range(10)} | {getattr(pygame, f"K_KP{i}"): i for i in range(10)}
ENTER_KEYS = {pygame.K_RETURN, pygame.K_KP_ENTER}


class Screen(enum.Enum):
    HOME = "home"
    PRINTING = "printing"
    TAKE = "take"
    CLOSED = "closed"
    OUT = "out_of_service"
    PIN = "pin"
    MENU = "menu"


@dataclass
class Shown:
    code: str | None = None
    service_id: str | None = None
    lines: tuple[str, ...] = ()
    image: pygame.Surface | None = None


def post(event_type: int, **attrs: Any) -> None:
    """Thread-safe hand-off to the UI loop (pygame's event queue is locked internally)."""
    pygame.event.post(pygame.event.Event(event_type, **attrs))


class KioskApp:
    def __init__(self, *, config: Config, services: Any, opening: Callable[[], Opening], now: Callable[[], Any],
                 window: pygame.Surface, rotation: int = 0, on_frame: Callable[[], None] = lambda: None,
                 on_screen: Callable[[Screen], None] = lambda screen: None,
                 printer_state: PrinterState = PrinterState.UNKNOWN,
                 clock_problem: Callable[[], str | None] = lambda: None,
                 store_problem: Callable[[], str | None] | None = None) -> None:
        """`services` is the KioskServices facade (totem.kiosk): every call on it runs on the worker."""
        self.config = config
        self.services = services
        self._opening = opening
        self._now = now
        self.window = window
        self.rotation = rotation
        self.on_frame = on_frame
        self.on_screen = on_screen
        render.font.cache_clear()  # fonts from an earlier pygame.init() are invalid
        self.size = logical_size(window.get_size(), rotation)
        self.surface = window if rotation == 0 else pygame.Surface(self.size)
        self.layout = home_layout(self.size, len(config.services), len(config.site.languages))
        self.lang = config.site.languages[0]
        self.screen = Screen.HOME
        self.printer_state = printer_state
        self.store_failed_at: float | None = None
        self._clock_problem = clock_problem
        self.clock_problem = clock_problem()  # not None: Out of service, "orologio non sincronizzato"
        self._store_problem = store_problem  # set only when the kiosk started without its database
        self.opening = opening()
        self.focus: int | None = None
        self.shown = Shown()
        self.entered_at = time.monotonic()
        self.last_tap_at = -1.0
        self.last_input_at = time.monotonic()
        self.corner_down_at: float | None = None
        self.notice = ""
        self.notice_until = 0.0
        self.pin = ""
        self.pin_wrong = False
        self.tech_info: list[str] = []
        self.dirty = True
        self.running = True
        self.exit_code = 0
        self.gpio: Any = None  # the GPIO panel, when the kiosk has one (for the technician and tests)
        self._minute = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ticket-worker")
        self._settle()

    # -- state -----------------------------------------------------------------------------------

    @property
    def t(self) -> Translator:
        return Translator(self.lang)

    def base_screen(self) -> Screen:
        if not self.opening.accepting:
            return Screen.CLOSED
        if self.store_failed_at is not None or not self.printer_state.can_print or self.clock_problem \
                or self._store_problem is not None:
            return Screen.OUT
        return Screen.HOME

    def go(self, screen: Screen) -> None:
        if screen is not self.screen:
            log.debug("screen %s -> %s", self.screen.value, screen.value)
        if screen is Screen.HOME and self.screen in (Screen.TAKE, Screen.MENU, Screen.PIN):
            self.lang = self.config.site.languages[0]  # the next citizen starts in the default language
        self.screen = screen
        self.entered_at = time.monotonic()
        self.focus = None
        self.dirty = True
        self.on_screen(screen)

    def _settle(self) -> None:
        """Move between Home, Closed and Out of service as conditions change."""
        if self.screen in (Screen.HOME, Screen.CLOSED, Screen.OUT):
            target = self.base_screen()
            if target is not self.screen:
                self.go(target)

    # -- input -----------------------------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> None:
        kind = event.type
        if kind == pygame.QUIT:
            self.running = False
        elif kind == pygame.FINGERDOWN:
            w, h = self.window.get_size()
            self.press(to_logical((event.x * w, event.y * h), (w, h), self.rotation))
        elif kind == pygame.MOUSEBUTTONDOWN and event.button == 1 and not getattr(event, "touch", False):
            self.press(to_logical(event.pos, self.window.get_size(), self.rotation))
        elif kind in (pygame.FINGERUP, pygame.MOUSEBUTTONUP):
            self.corner_down_at = None
        elif kind == pygame.KEYDOWN:
            self.key(event.key)
        elif kind == EV_TICKET:
            self.ticket_done(event)
        elif kind == EV_PRINTER:
            self.printer_state = event.state
            self.dirty = True
            self._settle()
        elif kind == EV_BUTTON:
            if self.screen is Screen.HOME:
                self.start_ticket(event.service_id)
        elif kind == EV_TECH:
            self.tech_info = list(event.info)
            self.dirty = True
            if event.exit:
                self.exit_code = EXIT_TO_SHELL
                self.running = False
        elif kind in (pygame.WINDOWEXPOSED, pygame.VIDEOEXPOSE, pygame.WINDOWRESTORED):
            self.dirty = True

    def press(self, pos: tuple[float, float]) -> None:
        now = time.monotonic()
        self.last_input_at = now
        if self.screen not in (Screen.PIN, Screen.MENU) and self.layout.corner.contains(*pos):
            self.corner_down_at = now
        debounce = PIN_DEBOUNCE_S if self.screen is Screen.PIN else TAP_DEBOUNCE_S
        if now - self.last_tap_at < debounce:
            return
        self.last_tap_at = now
        if self.screen is Screen.HOME:
            for i, box in enumerate(self.layout.languages):
                if box.contains(*pos):
                    self.lang = self.config.site.languages[i]
                    self.dirty = True
                    return
            for i, box in enumerate(self.layout.buttons):
                if box.contains(*pos):
                    self.start_ticket(self.config.services[i].id)
                    return
        elif self.screen is Screen.TAKE:
            if now - self.entered_at >= TAKE_GUARD_S:
                self.go(self.base_screen())
        elif self.screen is Screen.PIN:
            for label, box in keypad_layout(self.size):
                if box.contains(*pos):
                    self.pin_key(label)
                    return
        elif self.screen is Screen.MENU:
            for action, box in zip(self.menu_actions(), menu_layout(self.size, len(self.menu_actions())),
                                   strict=True):
                if box.contains(*pos):
                    self.menu(action[0])
                    return

    def key(self, key: int) -> None:
        self.last_input_at = time.monotonic()
        if key == pygame.K_ESCAPE and self.screen in (Screen.TAKE, Screen.PIN, Screen.MENU):
            self.go(self.base_screen())
            return
        digit = DIGIT_KEYS.get(key)
        if self.screen is Screen.HOME:
            if digit == 0:
                langs = self.config.site.languages
                self.lang = langs[(langs.index(self.lang) + 1) % len(langs)]
                self.dirty = True
            elif digit is not None and digit <= len(self.config.services):
                self.focus = digit - 1
                self.dirty = True
            elif key in ENTER_KEYS and self.focus is not None:
                self.start_ticket(self.config.services[self.focus].id)
        elif self.screen is Screen.TAKE and time.monotonic() - self.entered_at >= TAKE_GUARD_S:
            self.go(self.base_screen())
        elif self.screen is Screen.PIN:
            if digit is not None:
                self.pin_key(str(digit))
            elif key in ENTER_KEYS:
                self.pin_key("ok")

    # -- tickets ---------------------------------------------------------------------------------

    def start_ticket(self, service_id: str) -> None:
        self.go(Screen.PRINTING)
        self.shown = Shown(service_id=service_id)
        lang = self.lang
        self._worker.submit(self._issue_job, service_id, lang)

    def _issue_job(self, service_id: str, lang: str) -> None:
        try:
            ticket, image = self.services.take(service_id, lang)
            post(EV_TICKET, ticket=ticket, image=image, error=None)
        except Exception as exc:  # every failure becomes a screen, never a crash of the worker
            post(EV_TICKET, ticket=None, image=None, error=exc)

    def ticket_done(self, event: pygame.event.Event) -> None:
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
            self.shown = Shown(ticket.code, ticket.service.id, tuple(lines), image)
            self.go(Screen.TAKE)
            return
        self.go(Screen.HOME)
        if isinstance(error, TooSoon):
            self.notice = self.t("too_soon")
            self.notice_until = time.monotonic() + NOTICE_S
        elif isinstance(error, ServiceClosed):
            self.opening = self._opening()
        elif isinstance(error, PrinterUnavailable):
            log.warning("ticket refused: %s", error)
            state = PrinterState(error.state) if error.state in PrinterState._value2member_map_ \
                else PrinterState.OFFLINE
            # The citizen who tapped is sent to the reception point: Out of service until the printer answers.
            self.printer_state = state if not state.can_print else PrinterState.ERROR
            self.services.recheck_printer()
        elif isinstance(error, StoreError):
            log.error("ticket database failure: %s", error)
            self.store_failed_at = time.monotonic()
        elif isinstance(error, UnknownService | TotemError):
            log.error("ticket refused: %s", error)
        else:
            log.error("unexpected failure while issuing", exc_info=error)
            self.store_failed_at = time.monotonic()
        self.go(self.base_screen())

    # -- technician ------------------------------------------------------------------------------

    def pin_key(self, label: str) -> None:
        self.dirty = True
        if label == "cancel":
            self.go(self.base_screen())
        elif label == "ok":
            if self.pin == self.config.totem.technician_pin:
                log.info("technician menu opened")
                self.tech_info = [f"v{__version__}"]
                self.go(Screen.MENU)
                self.menu("status")
            else:
                log.warning("technician menu: wrong PIN")
                self.pin_wrong = True
            self.pin = ""
        elif len(self.pin) < 8:
            self.pin += label
            self.pin_wrong = False

    def menu_actions(self) -> list[tuple[str, str]]:
        t = self.t
        return [("status", t("tech_printer")), ("test_page", t("tech_test_page")), ("reprint", t("tech_reprint")),
                ("counters", t("tech_counters")), ("back", t("tech_back")), ("exit", t("tech_exit"))]

    def menu(self, action: str) -> None:
        if action == "back":
            self.go(self.base_screen())
            return
        self._worker.submit(self._tech_job, action)

    def _tech_job(self, action: str) -> None:
        try:
            info = self.services.technician(action, self.lang)
            post(EV_TECH, info=info, exit=(action == "exit"))
        except Exception as exc:  # shown to the technician, logged in full
            log.exception("technician action %s failed", action)
            post(EV_TECH, info=[self.t("tech_failed", reason=str(exc))], exit=False)

    # -- loop ------------------------------------------------------------------------------------

    def tick(self) -> None:
        now = time.monotonic()
        if self.screen in (Screen.PIN, Screen.MENU) and now - self.last_input_at >= TECH_IDLE_S:
            log.info("technician %s left idle: back to the citizens' screen", self.screen.value)
            self.go(self.base_screen())
        if self._store_problem is not None and self._store_problem() is None:
            self.running = False  # the database opens again: end, so systemd starts the full kiosk
            self.exit_code = 0
        problem = self._clock_problem()
        if problem != self.clock_problem:
            if problem:
                log.error("out of service: %s", problem)
            else:
                log.info("clock is right again")
            self.clock_problem = problem
            self.dirty = True
        opening = self._opening()
        if opening != self.opening:
            self.opening = opening
            self.dirty = True
        if self.store_failed_at is not None and now - self.store_failed_at >= STORE_RETRY_S:
            self.store_failed_at = None
        self._settle()
        minute = self._now().strftime("%Y%m%d%H%M")
        if minute != self._minute:
            self._minute = minute
            self.dirty = True
        if self.screen is Screen.TAKE and now - self.entered_at >= self.config.totem.take_ticket_timeout_s:
            self.go(self.base_screen())
        if self.notice and now >= self.notice_until:
            self.notice = ""
            self.dirty = True
        if self.corner_down_at is not None and now - self.corner_down_at >= LONG_PRESS_S:
            self.corner_down_at = None
            self.pin = ""
            self.pin_wrong = False
            self.go(Screen.PIN)
        if self.screen is Screen.HOME and self.lang != self.config.site.languages[0] \
                and now - self.last_input_at >= LANGUAGE_RESET_S:
            self.lang = self.config.site.languages[0]
            self.dirty = True

    def draw(self) -> None:
        s, t = self.surface, self.t
        if self.screen is Screen.HOME:
            notice = self.notice
            if not notice and self.focus is not None:
                notice = t("home_confirm", label=self.config.services[self.focus].label(self.lang))
            render.draw_home(s, config=self.config, t=t, layout=self.layout, now=self._now(),
                             schedule=self.services.schedule, lang=self.lang, focus=self.focus, notice=notice)
        elif self.screen in (Screen.PRINTING, Screen.TAKE):
            service = self.config.service(self.shown.service_id) if self.shown.service_id else None
            render.draw_take(s, t=t, code=self.shown.code, service=service, lang=self.lang, lines=self.shown.lines,
                             ticket_image=self.shown.image)
        elif self.screen is Screen.CLOSED:
            render.draw_closed(s, config=self.config, t=t, opening=self.opening, now=self._now(),
                               schedule=self.services.schedule)
        elif self.screen is Screen.OUT:
            render.draw_out_of_service(s, t=t, config=self.config,
                                       detail=t("out_clock") if self.clock_problem else "")
        elif self.screen is Screen.PIN:
            render.draw_pin(s, t=t, entered=len(self.pin), wrong=self.pin_wrong)
        elif self.screen is Screen.MENU:
            render.draw_menu(s, t=t, items=[label for _, label in self.menu_actions()], info=self.tech_info)
        if self.rotation:
            self.window.blit(pygame.transform.rotate(self.surface, self.rotation), (0, 0))
        pygame.display.flip()
        self.dirty = False

    def step(self) -> None:
        for event in pygame.event.get():
            self.handle(event)
        self.tick()
        if self.dirty:
            self.draw()
        self.on_frame()

    def run(self, *, max_seconds: float | None = None) -> int:
        clock = pygame.time.Clock()
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        self.step()
        log.info("first frame drawn (%s screen)", self.screen.value)
        while self.running and (deadline is None or time.monotonic() < deadline):
            self.step()
            clock.tick(FPS)  # sleeps between frames: an idle kiosk only pumps events
        return self.exit_code

    def close(self) -> None:
        self._worker.shutdown(wait=True, cancel_futures=False)
