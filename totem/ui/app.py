"""The kiosk's screen loop: it routes pygame events to the current screen and switches screens.

Each screen is an object (totem.ui.view and its subclasses: home, take, checkin, late,
technician) that knows its layout, paint, keys, touches and timer, and sees the kiosk only as
the `Kiosk` protocol (totem.ui.context). The app, top to bottom:

1. an event: a touch is debounced and handed to the screen (`press`), a keypad key likewise
   (`key`; the first of a session turns spoken guidance on); a worker's or device's event
   changes the shared state (the ticket's code, its outcome, the printer's state, the
   technician's lines);
2. a tick: the conditions (clock, hours, database, device id) twice a second, moving between
   Home, Closed and Out of service; the screen's timer; the corner's long press (PIN pad);
3. a frame, when something changed: the screen paints, the app rotates and flips.

Threads never draw: the printer monitor, the GPIO buttons and the ticket worker only
post events. All store and printer work runs on one worker thread (totem.ui.worker), so the UI thread
answers within a frame and never waits for the disk, the printer, the network or the
voice. Between frames the loop sleeps on the event queue's doorbell (events.WAKE), so a
posted event is handled at once: the ticket's code is on screen as soon as its number is
committed, before printing.

A citizen's session (language, spoken guidance, large text) lives in `Session` and
ends when they leave; timed screens warn before they expire and any input extends them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pygame

from config.i18n import Translator
from config.model import Config
from printer.status import PrinterState
from totem import spoken
from totem.hours import Opening
from totem.spoken import Spoken
from totem.ui import render
from totem.ui.checkin import CheckIn, CheckInView
from totem.ui.events import (
    EV_BUTTON,
    EV_CODE,
    EV_COUNT,
    EV_HELP,
    EV_PRINTER,
    EV_TECH,
    EV_TICKET,
    WAKE,
    Screen,
    Shown,
    keypad_key,
)
from totem.ui.geometry import HomeLayout, logical_size, to_logical
from totem.ui.home import ClosedView, HomeView, OutView
from totem.ui.late import LateView
from totem.ui.session import Countdown, Session
from totem.ui.take import PrintingView, TakeView
from totem.ui.technician import MenuView, PinView, Technician
from totem.ui.view import View
from totem.ui.voice import Speaker
from totem.ui.worker import CODE_WAIT_S, Worker

log = logging.getLogger(__name__)

FPS = 60                 # touches are pumped this often while someone uses the totem (tap to code < 50 ms)
IDLE_FPS = 24            # Home, Closed or Out of service with nobody there: 40% of the wake-ups
IDLE_AFTER_S = 10.0      # ... after this long without a touch or a key
TAP_DEBOUNCE_S = 0.25
LONG_PRESS_S = 3.0
PIN_DEBOUNCE_S = 0.05    # on the PIN and check-in pads only the same touch arriving twice is dropped
STORE_RETRY_S = 30.0
CHECK_S = 0.5            # how often the loop looks at the clock, the opening hours and the database
VOIDED_SHOWN_S = 180.0   # how long Out of service says which ticket did not print
EXIT_TO_SHELL = 64       # the systemd unit does not restart on this status
RESTING = (Screen.HOME, Screen.CLOSED, Screen.OUT)
SESSION_SCREENS = (Screen.TAKE, Screen.MENU, Screen.PIN, Screen.CHECKIN, Screen.LATE)  # back Home: a new citizen


class KioskApp:
    def __init__(self, *, config: Config, services: Any, opening: Callable[[], Opening], now: Callable[[], Any],
                 window: pygame.Surface, rotation: int = 0, on_frame: Callable[[], None] = lambda: None,
                 on_screen: Callable[[Screen], None] = lambda screen: None,
                 printer_state: PrinterState = PrinterState.UNKNOWN,
                 clock_problem: Callable[[], str | None] = lambda: None,
                 device_problem: Callable[[], str | None] = lambda: None,
                 store_problem: Callable[[], str | None] | None = None, voice: Speaker | None = None) -> None:
        """`services` is the KioskServices facade (totem.kiosk): every call on it runs on the worker.
        `voice` speaks the guidance (None: the site file turned speech off)."""
        self.config = config
        self.services = services
        self._opening = opening
        self.local_now = now
        self.window = window
        self.rotation = rotation
        self.on_frame = on_frame
        self.on_screen = on_screen
        self.voice = voice
        render.font.cache_clear()  # fonts from an earlier pygame.init() are invalid
        self.size = logical_size(window.get_size(), rotation)
        self.surface = window if rotation == 0 else pygame.Surface(self.size)
        self.session = Session(config.site.languages[0], config.accessibility.time_factor)
        self.dirty = True
        self.screen = Screen.HOME
        self.printer_state = printer_state
        self.store_failed_at: float | None = None
        self._clock_problem = clock_problem
        self.clock_problem = clock_problem()  # not None: Out of service, "orologio non sincronizzato"
        self._device_problem = device_problem
        self.device_problem = device_problem()  # not None: Out of service (no numbers, or the hub refused its id)
        self._store_problem = store_problem  # set only when the kiosk started without its database
        self.opening = opening()
        self.focus: int | None = None
        self.shown = Shown()
        self.entered_at = time.monotonic()
        self.countdown: Countdown | None = None  # the timed screens' (the resting screens' runs on the session)
        self.warned = False  # the current warning was sounded
        self.left_shown = -1
        self.last_tap_at = -1.0
        self.last_input_at = time.monotonic()
        self.corner_down_at: float | None = None
        self.notice = ""
        self.notice_until = 0.0
        self.voided: str | None = None  # the code shown, then voided as it did not print: Out of service says so
        self.voided_at = 0.0
        self.running = True
        self.exit_code = 0
        self.gpio: Any = None  # the GPIO panel, when the kiosk has one (for the technician and tests)
        self._minute = None
        self._checked_at = -CHECK_S
        self.worker = Worker()
        self.home = HomeView(kiosk=self)
        self.checkin_view = CheckInView(kiosk=self)
        self.late_view = LateView(kiosk=self)
        self.take_view = TakeView(kiosk=self, checkin=self.checkin_view, late=self.late_view)
        tech = Technician(pin=config.totem.technician_pin)
        self.menu_view = MenuView(kiosk=self, tech=tech)
        self.pin_view = PinView(kiosk=self, tech=tech, menu=self.menu_view)
        self.views: dict[Screen, View] = {view.screen: view for view in (
            self.home, ClosedView(kiosk=self, home=self.home), OutView(kiosk=self, home=self.home),
            PrintingView(kiosk=self), self.take_view, self.checkin_view, self.late_view, self.pin_view,
            self.menu_view)}
        if voice is not None:  # synthesised ahead: the first key speaks at once
            for lang in config.site.languages:
                voice.prepare(spoken.home(config, lang))
        self._settle()

    # -- state -----------------------------------------------------------------------------------

    @property
    def view(self) -> View:
        return self.views[self.screen]

    @property
    def lang(self) -> str:
        return self.session.lang

    @lang.setter
    def lang(self, value: str) -> None:
        if value != self.session.lang:
            self.session.lang = value
            self.relayout()

    @property
    def t(self) -> Translator:
        return Translator(self.lang)

    @property
    def layout(self) -> HomeLayout:
        """Home's (and Closed's, Out of service's) layout for this session."""
        return self.home.layout

    @property
    def checkin(self) -> CheckIn:
        return self.checkin_view.state

    @property
    def tech(self) -> Technician:
        return self.pin_view.tech

    def relayout(self) -> None:
        self.home.relayout()

    def base_screen(self) -> Screen:
        if not self.opening.accepting:
            return Screen.CLOSED
        if self.store_failed_at is not None or not self.printer_state.can_print or self.clock_problem \
                or self.device_problem or self._store_problem is not None:
            return Screen.OUT
        return Screen.HOME

    def go(self, screen: Screen) -> None:
        if screen is not self.screen:
            log.debug("screen %s -> %s", self.screen.value, screen.value)
        if screen is Screen.HOME and self.screen in SESSION_SCREENS:
            self.end_session()  # the next citizen starts afresh
        self.screen = screen
        self.entered_at = now = time.monotonic()
        if screen is not Screen.OUT:
            self.voided = None  # told on Out of service only, until the totem works again
        self.focus = None
        self.warned = False
        base = self.view.timeout_s()
        self.countdown = Countdown(now, base) if base else None
        self.dirty = True
        self.on_screen(screen)
        self.say(self.screen_phrases())

    def end_session(self) -> None:
        had = self.session.large or self.session.page or self.session.lang != self.session.default_lang
        self.session.end()
        self.focus = None
        if self.voice is not None:
            self.voice.stop()
        if had:
            self.relayout()

    def _settle(self) -> None:
        """Move between Home, Closed and Out of service as conditions change."""
        if self.screen in RESTING:
            target = self.base_screen()
            if target is not self.screen:
                self.go(target)

    def refresh_opening(self) -> None:
        self.opening = self._opening()

    # -- voice -----------------------------------------------------------------------------------

    def say(self, phrases: list[Spoken]) -> None:
        if self.voice is not None and self.session.guided and phrases:
            self.voice.say(phrases)

    def start_guidance(self) -> bool:
        """Spoken guidance on for this session; True when it was off until now."""
        if self.voice is None or self.session.guided or not self.config.accessibility.speech:
            return False
        log.info("spoken guidance on")
        self.session.guided = True
        return True

    def screen_phrases(self) -> list[Spoken]:
        return self.view.phrases()

    def help(self) -> None:
        """The help key or button: guidance on, the current screen read out from the top."""
        self.last_input_at = time.monotonic()
        if self.countdown is not None:
            self.extend()
        self.start_guidance()
        self.say(self.screen_phrases())

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
            key = keypad_key(event)  # Shift+8 is "*" (read aloud), never service 8
            if key is not None:
                self.key(key)
        elif kind == EV_CODE:
            if self.screen is Screen.CHECKIN and self.checkin_view.busy:  # the hub said yes: the ticket's code
                self.go(Screen.PRINTING)
            if self.screen is Screen.PRINTING and event.service_id == self.shown.service_id:
                self.shown.code = event.code
                self.dirty = True
        elif kind == EV_TICKET:
            self.take_view.outcome(event)
        elif kind == EV_COUNT:
            self.take_view.count_corrected(event)
        elif kind == EV_PRINTER:
            self.printer_state = event.state
            self.dirty = True
            self._settle()
        elif kind == EV_BUTTON:
            if self.screen is Screen.HOME:
                self.start_ticket(event.service_id)
        elif kind == EV_HELP:
            self.help()
        elif kind == EV_TECH:
            self.tech.info = list(event.info)
            self.dirty = True
            if event.exit:
                self.exit_code = EXIT_TO_SHELL
                self.running = False
        elif kind in (pygame.WINDOWEXPOSED, pygame.VIDEOEXPOSE, pygame.WINDOWRESTORED):
            self.dirty = True

    def extend(self) -> None:
        """More time on a timed screen: the full time again, the warning withdrawn."""
        if self.countdown is not None:
            self.countdown.extend(time.monotonic())
        self.warned = False
        self.dirty = True

    def press(self, pos: tuple[float, float]) -> None:
        now = time.monotonic()
        self.last_input_at = now
        view = self.view
        if view.technician:
            self.extend()
        elif self.layout.corner.contains(*pos):
            self.corner_down_at = now
        debounce = PIN_DEBOUNCE_S if view.pad else TAP_DEBOUNCE_S
        if now - self.last_tap_at < debounce:
            return
        self.last_tap_at = now
        view.press(pos)

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.dirty = True
        self.say(self.screen_phrases())

    def set_large(self, large: bool) -> None:
        self.home.set_large(large)

    def set_page(self, page: int) -> None:
        self.home.set_page(page)

    def key(self, key: int) -> None:
        """A keypad key; the first of a session also turns on spoken guidance, which then reads
        the screen, or greets and reads what the key did (a digit: the service it selected)."""
        self.last_input_at = time.monotonic()
        starting = self.view.starts_guidance and self.start_guidance()
        said = self.view.key(key)
        if starting:
            welcome = Spoken(self.t("speech_welcome", desk=self.config.site.desk_name), self.lang)
            if said and said[0] != welcome:
                said = [welcome, *said]
            self.say(said or self.screen_phrases())
        elif said:
            self.say(said)

    # -- tickets and the worker ------------------------------------------------------------------

    def start_ticket(self, service_id: str, *, accept_late: bool = False) -> None:
        """`accept_late`: the citizen chose to take it although it may not be called before closing."""
        if self.config.service(service_id).appointments:  # a priority only for a booked appointment
            self.checkin_view.open()
            return
        self.shown = Shown(service_id=service_id)
        self.go(Screen.PRINTING)
        lang = self.lang
        self.issue(service_id, lambda on_issued: self.services.take(
            service_id, lang, on_issued=on_issued, accept_late=accept_late))

    def issue(self, service_id: str, take: Callable[[Callable[[Any], None]], Any]) -> None:
        """`take(on_issued)` on the worker; its code and outcome come back as EV_CODE and EV_TICKET."""
        self.worker.issue(service_id, take)

    def submit(self, job: Callable[[], None]) -> None:
        self.worker.submit(job)

    def menu(self, action: str) -> None:
        self.menu_view.choose(action)

    # -- loop ------------------------------------------------------------------------------------

    def tick(self) -> None:
        now = time.monotonic()
        if now - self._checked_at >= CHECK_S:  # the clock, the hours, the database: twice a second is enough
            self._checked_at = now
            self.check_conditions(now)
        self.tick_timers(now)
        if self.notice and now >= self.notice_until:
            self.notice = ""
            self.dirty = True
        if self.corner_down_at is not None and now - self.corner_down_at >= LONG_PRESS_S:
            self.corner_down_at = None
            self.pin_view.open()

    def check_conditions(self, now: float) -> None:
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
        device = self._device_problem()
        if device != self.device_problem:
            if device:
                log.error("out of service: %s", device)
            self.device_problem = device
            self.dirty = True
        opening = self._opening()
        if opening != self.opening:
            self.opening = opening
            self.dirty = True
        if self.voided is not None and now - self.voided_at >= VOIDED_SHOWN_S:  # that citizen has long gone
            self.voided, self.dirty = None, True
        if self.store_failed_at is not None and now - self.store_failed_at >= STORE_RETRY_S:
            self.store_failed_at = None
        self._settle()
        minute = self.local_now().strftime("%Y%m%d%H%M")
        if minute != self._minute:
            self._minute = minute
            self.dirty = True

    def tick_timers(self, now: float) -> None:
        self.view.tick(now)

    def draw(self) -> None:
        self.view.paint(self.surface, time.monotonic())
        if self.rotation:
            self.window.blit(pygame.transform.rotate(self.surface, self.rotation), (0, 0))
        pygame.display.flip()
        self.dirty = False
        if self.screen is Screen.PRINTING and self.shown.code:
            self.worker.code_drawn()

    def step(self) -> None:
        for event in pygame.event.get():
            self.handle(event)
        self.tick()
        if self.dirty and not self.awaiting_code():
            self.draw()
        self.on_frame()

    def idle(self) -> bool:
        """Nobody at the totem: a resting screen, no session, no timer, no recent input."""
        return self.screen in RESTING and not self.session.started \
            and self.focus is None and not self.notice and self.corner_down_at is None \
            and time.monotonic() - self.last_input_at >= IDLE_AFTER_S

    def awaiting_code(self) -> bool:
        """Just after a tap: the number is committed within milliseconds, so the first frame shows
        it, instead of a 'printing' frame that another flip (a vblank on the Pi) would replace."""
        return self.screen is Screen.PRINTING and self.shown.code is None \
            and time.monotonic() - self.entered_at < CODE_WAIT_S

    def run(self, *, max_seconds: float | None = None) -> int:
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        self.step()
        log.info("first frame drawn (%s screen)", self.screen.value)
        while self.running and (deadline is None or time.monotonic() < deadline):
            # Touches are pumped every frame; a worker's or device's event rings WAKE and is handled at
            # once (the ticket code shows as soon as it is committed). An idle kiosk only pumps events.
            WAKE.wait(1 / (IDLE_FPS if self.idle() else FPS))
            self.step()
        return self.exit_code

    def close(self) -> None:
        self.worker.close()
