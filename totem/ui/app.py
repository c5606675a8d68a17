"""The kiosk's screen loop: a state machine driven by pygame events.

Threads never draw: the printer monitor, the GPIO buttons and the ticket worker only
post events. All store and printer work runs on one worker thread, so the UI thread
answers within a frame and never waits for the disk, the printer, the network or the
voice. Between frames the loop sleeps on the event queue's doorbell (events.WAKE), so a
posted event is handled at once: the ticket's code is on screen as soon as its number is
committed, before printing.

A citizen's session (language, spoken guidance, large text) lives in `Session` and
ends when they leave; timed screens warn before they expire and any input extends them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pygame

from config.i18n import Translator
from config.model import Config
from printer.status import PrinterState
from totem import spoken
from totem.hours import Opening
from totem.spoken import Spoken
from totem.ui import render
from totem.ui.checkin import CHECKIN_S, CheckIn, checkin_key, checkin_layout, open_checkin
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
    post,
)
from totem.ui.geometry import HomeLayout, keypad_layout, logical_size, menu_layout, take_layout, to_logical
from totem.ui.keypad import keypad
from totem.ui.late import LATE_S, late_key, late_layout, service_label
from totem.ui.late import phrases as late_phrases
from totem.ui.outcome import count_corrected, ticket_outcome
from totem.ui.paint import paint
from totem.ui.session import Countdown, Session
from totem.ui.technician import Technician
from totem.ui.timers import tick_timers
from totem.ui.voice import Speaker

log = logging.getLogger(__name__)

FPS = 60                 # touches are pumped this often while someone uses the totem (tap to code < 50 ms)
IDLE_FPS = 24            # Home, Closed or Out of service with nobody there: 40% of the wake-ups
IDLE_AFTER_S = 10.0      # ... after this long without a touch or a key
TAP_DEBOUNCE_S = 0.25
TAKE_GUARD_S = 1.5       # taps right after a ticket are the same burst, not a request to go back
LONG_PRESS_S = 3.0
LANGUAGE_RESET_S = 60.0
TECH_IDLE_S = 60.0       # the PIN pad and the technician menu go back to Home after this without a touch
PIN_DEBOUNCE_S = 0.05    # on the PIN and check-in pads only the same touch arriving twice is dropped
STORE_RETRY_S = 30.0
CHECK_S = 0.5            # how often the loop looks at the clock, the opening hours and the database
VOIDED_SHOWN_S = 180.0   # how long Out of service says which ticket did not print
CODE_WAIT_S = 0.1        # a tap's next frame waits this long for the code, rather than flip a frame without it
EXIT_TO_SHELL = 64       # the systemd unit does not restart on this status

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
        self.layout: HomeLayout
        self.label_px = 0
        self.relayout()
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
        self.countdown: Countdown | None = None  # the ticket and technician screens
        self.warned = False  # the current warning was sounded
        self.left_shown = -1
        self.last_tap_at = -1.0
        self.last_input_at = time.monotonic()
        self.corner_down_at: float | None = None
        self.notice = ""
        self.notice_until = 0.0
        self.voided: str | None = None  # the code shown, then voided as it did not print: Out of service says so
        self.voided_at = 0.0
        self.tech = Technician(pin=config.totem.technician_pin)
        self.checkin = CheckIn()  # the appointment number being typed
        self.late_closes_at = ""  # the closing time the "may not be called" screen names
        self.late_no_desk = ""  # that screen tells "no desk today": "take" (site choice) or "refused"
        self.dirty = True
        self.running = True
        self.exit_code = 0
        self.gpio: Any = None  # the GPIO panel, when the kiosk has one (for the technician and tests)
        self._minute = None
        self._checked_at = -CHECK_S
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ticket-worker")
        self._code_drawn = threading.Event()
        if voice is not None:  # synthesised ahead: the first key speaks at once
            for lang in config.site.languages:
                voice.prepare(spoken.home(config, lang))
        self._settle()

    # -- state -----------------------------------------------------------------------------------

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

    def relayout(self) -> None:
        """The Home layout for this session's language, text size and page."""
        self.layout, self.label_px = render.choose_home_layout(
            self.size, config=self.config, lang=self.session.lang, large=self.session.large, page=self.session.page,
            diagonal_in=self.config.accessibility.screen_diagonal_in)
        self.dirty = True

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
        if screen is Screen.HOME and self.screen in (Screen.TAKE, Screen.MENU, Screen.PIN, Screen.CHECKIN,
                                                     Screen.LATE):
            self.end_session()  # the next citizen starts afresh
        self.screen = screen
        self.entered_at = now = time.monotonic()
        if screen is not Screen.OUT:
            self.voided = None  # told on Out of service only, until the totem works again
        self.focus = None
        self.warned = False
        base = {Screen.TAKE: self.session.timeout_s(self.config.totem.take_ticket_timeout_s),
                Screen.CHECKIN: self.session.timeout_s(CHECKIN_S), Screen.LATE: self.session.timeout_s(LATE_S),
                Screen.PIN: TECH_IDLE_S,
                Screen.MENU: TECH_IDLE_S}.get(screen)
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
        if self.screen in (Screen.HOME, Screen.CLOSED, Screen.OUT):
            target = self.base_screen()
            if target is not self.screen:
                self.go(target)

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
        shown = self.shown
        if self.screen is Screen.LATE:
            return late_phrases(self.config, self.lang, self.late_closes_at, self.late_no_desk, service_label(self))
        return spoken.for_screen(self.screen.value, self.config, self.lang, code=shown.code,
                                 service_id=shown.service_id, lines=shown.lines, opening=self.opening,
                                 now=self.local_now(), schedule=self.services.schedule,
                                 detail=self.checkin.message if self.screen is Screen.CHECKIN
                                 else self.t("out_clock") if self.clock_problem
                                 else self.t("out_device") if self.device_problem else "", voided=self.voided)

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
            if self.screen is Screen.CHECKIN and self.checkin.busy:  # the hub said yes: the ticket's code
                self.go(Screen.PRINTING)
            if self.screen is Screen.PRINTING and event.service_id == self.shown.service_id:
                self.shown.code = event.code
                self.dirty = True
        elif kind == EV_TICKET:
            self.ticket_done(event)
        elif kind == EV_COUNT:
            count_corrected(self, event)
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

    def past_take_guard(self) -> bool:
        """Taps right after the ticket are the same burst, not a request to go back."""
        return time.monotonic() - self.entered_at >= TAKE_GUARD_S

    def extend(self) -> None:
        """More time on a timed screen: the full time again, the warning withdrawn."""
        if self.countdown is not None:
            self.countdown.extend(time.monotonic())
        self.warned = False
        self.dirty = True

    def press(self, pos: tuple[float, float]) -> None:
        now = time.monotonic()
        self.last_input_at = now
        if self.screen in (Screen.PIN, Screen.MENU):
            self.extend()
        elif self.layout.corner.contains(*pos):
            self.corner_down_at = now
        debounce = PIN_DEBOUNCE_S if self.screen in (Screen.PIN, Screen.CHECKIN) else TAP_DEBOUNCE_S
        if now - self.last_tap_at < debounce:
            return
        self.last_tap_at = now
        if self.screen in (Screen.HOME, Screen.CLOSED, Screen.OUT):
            for i, box in enumerate(self.layout.languages):
                if box.contains(*pos):
                    self.set_language(self.config.site.languages[i])
                    return
        if self.screen is Screen.HOME:
            self.press_home(pos)
        elif self.screen is Screen.TAKE:
            if take_layout(self.size, with_image=False).more_time.contains(*pos):
                self.extend()
            elif self.past_take_guard():
                self.go(self.base_screen())
        elif self.screen is Screen.CHECKIN:
            checkin_key(self, checkin_layout(self.size).key_at(*pos))
        elif self.screen is Screen.LATE:
            late_key(self, late_layout(self.size).key_at(*pos))
        elif self.screen is Screen.PIN:
            for label, box in keypad_layout(self.size):
                if box.contains(*pos):
                    self.pin_key(label)
                    return
        elif self.screen is Screen.MENU:
            actions = self.tech.actions(self.t)
            for (action, _), box in zip(actions, menu_layout(self.size, len(actions)), strict=True):
                if box.contains(*pos):
                    self.menu(action)
                    return

    def press_home(self, pos: tuple[float, float]) -> None:
        layout = self.layout
        if layout.text_size.contains(*pos):
            self.set_large(not self.session.large)
        elif layout.prev is not None and layout.prev.contains(*pos):
            self.set_page(self.session.page - 1)
        elif layout.next is not None and layout.next.contains(*pos):
            self.set_page(self.session.page + 1)
        else:
            index = layout.service_at(*pos)
            if index is not None:
                self.start_ticket(self.config.services[index].id)

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.dirty = True
        self.say(self.screen_phrases())

    def set_large(self, large: bool) -> None:
        if large != self.session.large:
            self.session.large = large
            self.session.page = 0
            self.relayout()
            log.info("large text %s", "on" if large else "off")
        self.say(spoken.text_size(self.lang, large=large))

    def set_page(self, page: int) -> None:
        self.session.page = max(0, min(page, self.layout.pages - 1))
        self.relayout()

    def show_service(self, index: int) -> None:
        """Focus a service chosen on the keypad, turning to its page in large text."""
        self.focus = index
        if self.layout.per_page and not (self.layout.first <= index < self.layout.first + len(self.layout.buttons)):
            self.set_page(index // self.layout.per_page)
        self.dirty = True

    def key(self, key: int) -> None:
        """A keypad key; the first of a session also turns on spoken guidance, which then reads
        the screen, or greets and reads what the key did (a digit: the service it selected)."""
        self.last_input_at = time.monotonic()
        starting = self.screen in (Screen.HOME, Screen.CLOSED, Screen.OUT, Screen.TAKE) and self.start_guidance()
        said = keypad(self, key)
        if starting:
            welcome = Spoken(self.t("speech_welcome", desk=self.config.site.desk_name), self.lang)
            if said and said[0] != welcome:
                said = [welcome, *said]
            self.say(said or self.screen_phrases())
        elif said:
            self.say(said)

    # -- tickets ---------------------------------------------------------------------------------

    def start_ticket(self, service_id: str, *, accept_late: bool = False) -> None:
        """`accept_late`: the citizen chose to take it although it may not be called before closing."""
        if self.config.service(service_id).appointments:  # a priority only for a booked appointment
            open_checkin(self)
            return
        self._code_drawn.clear()
        self.shown = Shown(service_id=service_id)
        self.go(Screen.PRINTING)
        lang = self.lang
        self._worker.submit(self.ticket_job, service_id, lambda on_issued: self.services.take(
            service_id, lang, on_issued=on_issued, accept_late=accept_late))

    def ticket_job(self, service_id: str, take: Callable[[Callable[[Any], None]], Any]) -> None:
        """On the worker: `take(on_issued)` (a tap's ticket, or a checked-in appointment's) and its
        outcome posted back to the screen loop."""
        def show_code(ticket: Any) -> None:
            """The code first: the printer and the ticket image wait for the frame that shows it
            (a few ms), so their work does not slow that frame down."""
            post(EV_CODE, code=ticket.code, service_id=service_id)
            self._code_drawn.wait(CODE_WAIT_S)

        try:
            ticket, image = take(show_code)
            post(EV_TICKET, ticket=ticket, image=image, error=None)
        except Exception as exc:  # every failure becomes a screen, never a crash of the worker
            post(EV_TICKET, ticket=None, image=None, error=exc)

    def ticket_done(self, event: pygame.event.Event) -> None:
        ticket_outcome(self, event)

    # -- technician ------------------------------------------------------------------------------

    def pin_key(self, label: str) -> None:
        self.dirty = True
        outcome = self.tech.pin_key(label)
        if outcome == "cancel":
            self.go(self.base_screen())
        elif outcome == "open":
            self.go(Screen.MENU)
            self.menu("status")

    def menu(self, action: str) -> None:
        if action == "back":
            self.go(self.base_screen())
            return
        done = lambda info, exit_: post(EV_TECH, info=info, exit=exit_)  # noqa: E731
        self._worker.submit(Technician.job, self.services, action, self.lang, done)

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
            self.tech.reset()
            self.go(Screen.PIN)

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
        tick_timers(self, now)

    def draw(self) -> None:
        paint(self)
        self.dirty = False
        if self.screen is Screen.PRINTING and self.shown.code:
            self._code_drawn.set()

    def step(self) -> None:
        for event in pygame.event.get():
            self.handle(event)
        self.tick()
        if self.dirty and not self.awaiting_code():
            self.draw()
        self.on_frame()

    def idle(self) -> bool:
        """Nobody at the totem: a resting screen, no session, no timer, no recent input."""
        return self.screen in (Screen.HOME, Screen.CLOSED, Screen.OUT) and not self.session.started \
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
        self._worker.shutdown(wait=True, cancel_futures=False)
