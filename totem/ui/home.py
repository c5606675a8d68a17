"""The resting screens: Home (the services), Closed and Out of service.

1. All three show the language buttons (a tap, or the keypad's 0, switches language) and
   read themselves out on "*". They share Home's layout, chosen for the session's language,
   text size and page (`HomeView.relayout`); large text has pages of services.
2. On Home a service's button (or its keypad digit, then Enter) takes a ticket
   (Kiosk.start_ticket); a digit alone focuses the service and reads it out (turning to its
   page in large text); + and - (or the text-size button) set the text size; the arrows turn
   the pages.
3. A half-finished session (another language, guidance, large text, a focused service) is
   undone after `LANGUAGE_RESET_S` without input, with the warning written in the notice line.
"""

from __future__ import annotations

import abc
import logging

import pygame

from totem import spoken
from totem.no_desk import services_without_desk
from totem.spoken import Spoken
from totem.ui import render
from totem.ui.context import Kiosk
from totem.ui.events import DIGIT_KEYS, ENTER_KEYS, HELP_KEYS, LARGER_KEYS, SMALLER_KEYS, Screen
from totem.ui.geometry import HomeLayout
from totem.ui.session import Countdown
from totem.ui.view import View

log = logging.getLogger(__name__)

LANGUAGE_RESET_S = 60.0  # a resting screen undoes a half-finished session after this without input


class RestingView(View):
    starts_guidance = True

    @property
    @abc.abstractmethod
    def layout(self) -> HomeLayout:
        """Home's layout: its language buttons and the technician's corner are on every resting screen."""

    def press(self, pos: tuple[float, float]) -> None:
        for i, box in enumerate(self.layout.languages):
            if box.contains(*pos):
                self.kiosk.set_language(self.kiosk.config.site.languages[i])
                return
        self.press_content(pos)

    def press_content(self, pos: tuple[float, float]) -> None:
        """A touch on the screen's own content (not a language button)."""

    def key(self, key: int) -> list[Spoken]:
        if key in HELP_KEYS:
            return super().key(key)
        if DIGIT_KEYS.get(key) == 0:
            k = self.kiosk
            langs = k.config.site.languages
            k.set_language(langs[(langs.index(k.lang) + 1) % len(langs)])
            return []
        return self.content_key(key)

    def content_key(self, key: int) -> list[Spoken]:
        return []

    def timer(self) -> Countdown | None:
        k = self.kiosk
        if k.countdown is None and (k.session.started or k.focus is not None):
            return Countdown(k.last_input_at, k.session.timeout_s(LANGUAGE_RESET_S))
        return k.countdown

    def warning_shown(self, countdown: Countdown, left_s: int) -> None:
        k = self.kiosk
        k.notice = k.t("home_reset_warning", s=left_s)
        k.notice_until = countdown.started_at + countdown.timeout_s

    def expire(self) -> None:
        k = self.kiosk
        k.end_session()
        k.notice = ""
        k.dirty = True


class HomeView(RestingView):
    screen = Screen.HOME

    def __init__(self, *, kiosk: Kiosk) -> None:
        super().__init__(kiosk=kiosk)
        self._layout: HomeLayout
        self.label_px = 0
        self.relayout()

    @property
    def layout(self) -> HomeLayout:
        return self._layout

    def relayout(self) -> None:
        """The layout for this session's language, text size and page."""
        k = self.kiosk
        self._layout, self.label_px = render.choose_home_layout(
            k.size, config=k.config, lang=k.session.lang, large=k.session.large, page=k.session.page,
            diagonal_in=k.config.accessibility.screen_diagonal_in)
        k.dirty = True

    def press_content(self, pos: tuple[float, float]) -> None:
        layout = self.layout
        if layout.text_size.contains(*pos):
            self.set_large(not self.kiosk.session.large)
        elif layout.prev is not None and layout.prev.contains(*pos):
            self.set_page(self.kiosk.session.page - 1)
        elif layout.next is not None and layout.next.contains(*pos):
            self.set_page(self.kiosk.session.page + 1)
        else:
            index = layout.service_at(*pos)
            if index is not None:
                self.kiosk.start_ticket(self.kiosk.config.services[index].id)

    def content_key(self, key: int) -> list[Spoken]:
        k = self.kiosk
        if key in LARGER_KEYS or key in SMALLER_KEYS:
            self.set_large(key in LARGER_KEYS)
            return []
        digit = DIGIT_KEYS.get(key)
        if digit is not None and digit <= len(k.config.services):
            self.show_service(digit - 1)
            return spoken.selected(k.config, k.lang, digit - 1)
        if key in ENTER_KEYS and k.focus is not None:
            k.start_ticket(k.config.services[k.focus].id)
        return []

    def set_large(self, large: bool) -> None:
        session = self.kiosk.session
        if large != session.large:
            session.large = large
            session.page = 0
            self.relayout()
            log.info("large text %s", "on" if large else "off")
        self.kiosk.say(spoken.text_size(self.kiosk.lang, large=large))

    def set_page(self, page: int) -> None:
        self.kiosk.session.page = max(0, min(page, self.layout.pages - 1))
        self.relayout()

    def show_service(self, index: int) -> None:
        """Focus a service chosen on the keypad, turning to its page in large text."""
        layout = self.layout
        self.kiosk.focus = index
        if layout.per_page and not (layout.first <= index < layout.first + len(layout.buttons)):
            self.set_page(index // layout.per_page)
        self.kiosk.dirty = True

    def paint(self, surface: pygame.Surface, now: float) -> None:
        k = self.kiosk
        t = k.t
        notice = k.notice
        if not notice and k.focus is not None:
            notice = t("home_confirm", label=k.config.services[k.focus].label(k.lang))
        render.draw_home(surface, config=k.config, t=t, layout=self.layout, now=k.local_now(),
                         schedule=k.services.schedule, lang=k.lang, focus=k.focus, notice=notice,
                         label_px=self.label_px, large=k.session.large,
                         no_desk=services_without_desk(k.config, k.local_now().date()))


class BesideHome(RestingView):
    """Closed and Out of service: drawn on Home's layout (its language buttons, its corner)."""

    def __init__(self, *, kiosk: Kiosk, home: HomeView) -> None:
        super().__init__(kiosk=kiosk)
        self.home = home

    @property
    def layout(self) -> HomeLayout:
        return self.home.layout


class ClosedView(BesideHome):
    screen = Screen.CLOSED

    def paint(self, surface: pygame.Surface, now: float) -> None:
        k = self.kiosk
        render.draw_closed(surface, config=k.config, t=k.t, opening=k.opening, now=k.local_now(),
                           schedule=k.services.schedule, layout=self.layout, notice=k.notice)


class OutView(BesideHome):
    screen = Screen.OUT

    def paint(self, surface: pygame.Surface, now: float) -> None:
        k = self.kiosk
        render.draw_out_of_service(surface, t=k.t, config=k.config, layout=self.layout, notice=k.notice,
                                   detail=self.detail(), voided=k.voided)
