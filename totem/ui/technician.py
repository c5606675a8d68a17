"""The technician's PIN pad and menu: what they hold, and the two screens.

1. a 3 s press on the top-left corner opens the PIN pad (the kiosk's screen loop);
2. every digit counts (no tap guard here); OK checks the PIN, a wrong one is said on screen;
3. the menu's actions run on the kiosk's worker thread (`run` is given the submit
   function) and their result lines come back as an event, in the menu's language;
4. both screens go back to Home after `TECH_IDLE_S` without a touch (any touch or key gives
   the full minute again), or on Esc.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pygame

from config.i18n import Translator
from totem import __version__
from totem.spoken import Spoken
from totem.ui import render
from totem.ui.context import Kiosk
from totem.ui.events import DIGIT_KEYS, ENTER_KEYS, EV_TECH, Screen, post
from totem.ui.geometry import keypad_layout, menu_layout
from totem.ui.view import View

log = logging.getLogger(__name__)

MAX_PIN = 8
TECH_IDLE_S = 60.0  # the PIN pad and the menu go back to Home after this without a touch
ACTIONS = (("status", "tech_printer"), ("test_page", "tech_test_page"), ("reprint", "tech_reprint"),
           ("counters", "tech_counters"), ("back", "tech_back"), ("exit", "tech_exit"))


class Technician:
    def __init__(self, *, pin: str) -> None:
        self._pin = pin
        self.entered = ""
        self.wrong = False
        self.info: list[str] = []

    def reset(self) -> None:
        self.entered = ""
        self.wrong = False

    def pin_key(self, label: str) -> str:
        """One key of the pad: 'open' (right PIN), 'cancel', or '' (keep typing)."""
        if label == "cancel":
            return "cancel"
        if label == "ok":
            right = self.entered == self._pin
            self.entered = ""
            if right:
                log.info("technician menu opened")
                self.info = [f"v{__version__}"]
                return "open"
            log.warning("technician menu: wrong PIN")
            self.wrong = True
            return ""
        if len(self.entered) < MAX_PIN:
            self.entered += label
            self.wrong = False
        return ""

    @staticmethod
    def actions(t: Translator) -> list[tuple[str, str]]:
        return [(action, t(key)) for action, key in ACTIONS]

    @staticmethod
    def job(services: Any, action: str, lang: str, done: Callable[[list[str], bool], None]) -> None:
        """Run on the worker: the action, then the lines to show (or why it failed)."""
        try:
            done(services.technician(action, lang), action == "exit")
        except Exception as exc:  # shown to the technician, logged in full
            log.exception("technician action %s failed", action)
            done([Translator(lang)("tech_failed", reason=str(exc))], False)


class TechnicianView(View):
    technician = True

    def __init__(self, *, kiosk: Kiosk, tech: Technician) -> None:
        super().__init__(kiosk=kiosk)
        self.tech = tech

    def timeout_s(self) -> float:
        return TECH_IDLE_S

    def key(self, key: int) -> list[Spoken]:
        k = self.kiosk
        if key == pygame.K_ESCAPE:
            k.go(k.base_screen())
            return []
        k.extend()
        self.typed(key)
        return []

    def typed(self, key: int) -> None:
        """A key other than Esc."""

    def expire(self) -> None:
        log.info("technician %s left idle: back to the citizens' screen", self.screen.value)
        super().expire()


class MenuView(TechnicianView):
    screen = Screen.MENU

    def press(self, pos: tuple[float, float]) -> None:
        actions = self.tech.actions(self.kiosk.t)
        for (action, _), box in zip(actions, menu_layout(self.kiosk.size, len(actions)), strict=True):
            if box.contains(*pos):
                self.choose(action)
                return

    def choose(self, action: str) -> None:
        """Step 3: the action on the worker, its lines back as EV_TECH."""
        k = self.kiosk
        if action == "back":
            k.go(k.base_screen())
            return
        done = lambda info, exit_: post(EV_TECH, info=info, exit=exit_)  # noqa: E731
        services, lang = k.services, k.lang
        k.submit(lambda: Technician.job(services, action, lang, done))

    def paint(self, surface: pygame.Surface, now: float) -> None:
        t = self.kiosk.t
        render.draw_menu(surface, t=t, items=[label for _, label in self.tech.actions(t)], info=self.tech.info)
        self.paint_countdown(surface, now)


class PinView(TechnicianView):
    screen = Screen.PIN
    pad = True

    def __init__(self, *, kiosk: Kiosk, tech: Technician, menu: MenuView) -> None:
        super().__init__(kiosk=kiosk, tech=tech)
        self.menu = menu

    def open(self) -> None:
        """Step 1: the corner held long enough."""
        self.tech.reset()
        self.kiosk.go(Screen.PIN)

    def press(self, pos: tuple[float, float]) -> None:
        for label, box in keypad_layout(self.kiosk.size):
            if box.contains(*pos):
                self.pin_key(label)
                return

    def typed(self, key: int) -> None:
        digit = DIGIT_KEYS.get(key)
        if digit is not None:
            self.pin_key(str(digit))
        elif key in ENTER_KEYS:
            self.pin_key("ok")

    def pin_key(self, label: str) -> None:
        """Step 2."""
        k = self.kiosk
        k.dirty = True
        outcome = self.tech.pin_key(label)
        if outcome == "cancel":
            k.go(k.base_screen())
        elif outcome == "open":
            k.go(Screen.MENU)
            self.menu.choose("status")

    def paint(self, surface: pygame.Surface, now: float) -> None:
        render.draw_pin(surface, t=self.kiosk.t, entered=len(self.tech.entered), wrong=self.tech.wrong)
        self.paint_countdown(surface, now)
