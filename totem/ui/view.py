"""One of the kiosk's screens as an object: its layout, its paint, its keys and touches, its timer.

The app (totem.ui.app) keeps one view per screen and only routes to the current one:

1. a touch, after the app's debounce, goes to `press` with the position in logical pixels;
2. a keypad key goes to `key`, which acts and returns what to say about it ([] when the
   screen change says it). Here every screen reads itself out on "*" (giving more time);
3. a frame that needs drawing calls `paint`; a timed screen (`timeout_s` not None) shows the
   countdown bar in its last seconds;
4. each frame calls `tick`: before a timed screen expires a warning is shown (a red bar, the
   seconds written) and sounded (a double beep; "Tempo quasi scaduto" with guidance on); then
   `expire` acts (back to the start). Input extends (Kiosk.extend);
5. `phrases` is what the voice reads for the screen from the top;
6. `rtl`: the citizen's language reads right to left (Arabic); each screen's layout is then
   mirrored as a whole (totem.ui.geometry `mirrored`), its touches hit the mirrored boxes.

A view gets the kiosk as the `Kiosk` protocol (totem.ui.context), never the app itself.
"""

from __future__ import annotations

import abc
import math

import pygame

from config.languages import is_rtl
from totem import spoken
from totem.spoken import Spoken
from totem.ui import render
from totem.ui.context import Kiosk
from totem.ui.events import HELP_KEYS, Screen
from totem.ui.geometry import take_layout
from totem.ui.session import Countdown


class View(abc.ABC):
    screen: Screen  # the screen this view draws
    technician = False  # the PIN pad and menu: every touch gives more time, the corner is not armed
    pad = False  # a keypad on screen: every digit counts (only the same touch arriving twice is dropped)
    starts_guidance = False  # the first key of a session here turns on spoken guidance

    def __init__(self, *, kiosk: Kiosk) -> None:
        self.kiosk = kiosk

    @property
    def rtl(self) -> bool:
        """The session's language reads right to left: the screen is laid out mirrored."""
        return is_rtl(self.kiosk.lang)

    def timeout_s(self) -> float | None:
        """The screen's time without input (None: it waits)."""
        return None

    def press(self, pos: tuple[float, float]) -> None:  # noqa: B027 (a hook: screens without buttons ignore it)
        """A touch (already debounced)."""

    def key(self, key: int) -> list[Spoken]:
        """A keypad key; what to say about it. Here "*": the screen read out, more time."""
        if key in HELP_KEYS:
            if self.kiosk.countdown is not None:
                self.kiosk.extend()
            return self.phrases()
        return []

    def phrases(self) -> list[Spoken]:
        k = self.kiosk
        shown = k.shown
        return spoken.for_screen(self.screen.value, k.config, k.lang, code=shown.code,
                                 service_id=shown.service_id, lines=shown.lines, opening=k.opening,
                                 now=k.local_now(), schedule=k.services.schedule, detail=self.detail(),
                                 voided=k.voided)

    def detail(self) -> str:
        """The line read after the screen's own (why Out of service)."""
        k = self.kiosk
        return k.t("out_clock") if k.clock_problem else k.t("out_device") if k.device_problem else ""

    @abc.abstractmethod
    def paint(self, surface: pygame.Surface, now: float) -> None:
        """Draw the screen; each screen has its own."""

    def paint_countdown(self, surface: pygame.Surface, now: float) -> None:
        """The red bar of a timed screen's last seconds (the ticket screen draws its own bar)."""
        countdown = self.kiosk.countdown
        if countdown and countdown.warning(now):
            layout = take_layout(self.kiosk.size, with_image=False, rtl=self.rtl)
            render.draw_countdown(surface, layout.bar, countdown.left_s(now), countdown.timeout_s, True, layout.flow)

    # -- the timer -------------------------------------------------------------------------------

    def timer(self) -> Countdown | None:
        """The countdown that runs now (None: none)."""
        return self.kiosk.countdown

    def tick(self, now: float) -> None:
        """Warn (sight and sound) before the screen's time runs out, then `expire`."""
        k = self.kiosk
        countdown = self.timer()
        if countdown is None:
            return
        if countdown.expired(now):
            self.expire()
            return
        if countdown.warning(now):
            left = math.ceil(countdown.left_s(now))
            if not k.warned:
                k.warned = True
                k.left_shown = -1
                if k.voice is not None:
                    k.voice.beep()
                k.say(spoken.timeout_warning(k.lang))
            if left != k.left_shown:
                k.left_shown = left
                self.warning_shown(countdown, left)
                k.dirty = True
        elif k.warned:
            k.warned = False
            k.notice = ""
            k.dirty = True

    def warning_shown(self, countdown: Countdown, left_s: int) -> None:  # noqa: B027 (a hook)
        """The seconds left changed during the warning (the bar shows them: nothing more here)."""

    def expire(self) -> None:
        self.kiosk.go(self.kiosk.base_screen())
