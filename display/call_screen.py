"""The waiting-room call screen (pygame-ce): the current call huge, the last calls,
people waiting per service, clock, and a line with hours and the site's message.

Fed by HubFeed (server-sent events) through posted events; redraws only on change
(a call, a state update, the minute, the flash, the alternating bottom line). With two
site languages the words on screen take turns (LANGUAGE_CYCLE_S); each call is spoken
in the site's first language, the ticket holder's and the site's chosen others
(display.sound.call_languages). Every text is 7:1 or more on its background; the waiting counts are
sized for a 43" TV seen from 5 m (README).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pygame

from config.colours import hex_colour
from config.i18n import Translator
from config.model import Config
from display.call_reasons import call_reason_words
from display.sound import Announcer, call_languages, call_phrases
from totem.hours import Schedule
from totem.ui.geometry import Box
from totem.ui.render import BAND, FOCUS, WHITE, draw_text, fit, font
from totem.ui.text import font_for_text, render_line
from totem.wording import hours_text

log = logging.getLogger(__name__)

EV_HUB = pygame.event.custom_type()    # event=..., data=...
EV_LINK = pygame.event.custom_type()   # up=bool
FPS = 10
FLASH_PERIOD_S = 0.5
BOTTOM_ROTATE_S = 8.0
LANGUAGE_CYCLE_S = 16.0  # each language shows the hours and the message once per turn
DARK = (8, 20, 38)
GREY = (170, 180, 190)  # 8.8:1 on DARK (was 4.7:1)
OFFLINE = (240, 110, 110)


class CallScreen:
    def __init__(self, *, config: Config, window: pygame.Surface, announcer: Announcer | None,
                 now: Callable[[], datetime]) -> None:
        font.cache_clear()  # fonts from an earlier pygame.init() are invalid
        self.config = config
        self.window = window
        self.announcer = announcer
        self._now = now
        self.schedule = Schedule(config.hours, config.site.timezone)
        self.t = Translator(config.site.languages[0])
        self.state: dict[str, Any] = {}
        self.current: dict[str, Any] | None = None
        self.flash_until = 0.0
        self.linked = False
        self.dirty = True
        self.running = True
        self._frame_key: tuple[Any, ...] = ()
        self.code_box: Box | None = None
        self.reason_box: Box | None = None  # where the reason of the current call is drawn, if it has one

    def handle(self, event: pygame.event.Event) -> None:
        if event.type == pygame.QUIT:
            self.running = False
        elif event.type == EV_LINK:
            if event.up != self.linked:
                self.linked = event.up
                self.dirty = True
        elif event.type == EV_HUB:
            if event.event == "state":
                self.state = event.data
                self.current = self._current_call()
                self.dirty = True
            elif event.event == "call":
                self.current = event.data
                self.flash_until = time.monotonic() + self.config.display.flash_s
                if self.announcer is not None:
                    self.announcer.announce(call_phrases(event.data["code"], event.data["desk_name"],
                                                         call_languages(self.config, event.data.get("lang"))))
                self.dirty = True
        elif event.type in (pygame.WINDOWEXPOSED, pygame.VIDEOEXPOSE):
            self.dirty = True

    def _today(self) -> str:
        return self._now().date().isoformat()

    def _current_call(self) -> dict[str, Any] | None:
        """The newest call whose citizen is still called at that desk: done, no-show and
        transfer clear it. Nothing from a service day other than today's (rule 7)."""
        if self.state.get("service_day") != self._today():
            return None
        return next((c for c in self.state.get("calls") or [] if c.get("active")), None)

    def calls(self) -> list[dict[str, Any]]:
        """Today's last calls (the history list); empty when the state is not today's."""
        return list(self.state.get("calls") or [])[:5] if self.state.get("service_day") == self._today() else []

    def frame_key(self) -> tuple[Any, ...]:
        """Everything time-dependent that is on screen; a change means a redraw."""
        now = time.monotonic()
        flashing = now < self.flash_until
        phase = int(now / FLASH_PERIOD_S) % 2 if flashing else -1
        langs = self.config.site.languages
        return (self._now().strftime("%H:%M"), phase, int(now / BOTTOM_ROTATE_S) % 2, self._today(),
                langs[int(now / LANGUAGE_CYCLE_S) % len(langs)])

    def draw(self) -> None:
        s = self.window
        w, h = s.get_size()
        u = min(w, h) / 100.0
        key = self._frame_key
        self.t = Translator(key[4])
        current = self.current if self.state.get("service_day", self._today()) == self._today() else None
        # Only a call flashes: a call undone during its flash leaves the dark screen (never grey on yellow).
        flashing_on = key[1] == 1 and current is not None
        s.fill(DARK)
        # top bar
        bar = Box(0, 0, w, round(11 * u))
        pygame.draw.rect(s, BAND, (bar.x, bar.y, bar.w, bar.h))
        draw_text(s, self.config.site.desk_name, Box(round(3 * u), 0, w * 2 // 3, bar.h), round(7 * u), WHITE,
                  align="left", max_lines=1)
        draw_text(s, key[0], Box(w * 2 // 3, 0, w // 3 - round(3 * u), bar.h), round(8 * u), WHITE, align="right",
                  max_lines=1)
        # current call
        main = Box(round(3 * u), bar.h + round(3 * u), w * 62 // 100, h - bar.h - round(30 * u))
        if flashing_on:
            pygame.draw.rect(s, FOCUS, (main.x, main.y, main.w, main.h), border_radius=round(2 * u))
        ink = DARK if flashing_on else WHITE
        self.reason_box = None
        if current:
            why = call_reason_words(current.get("reason"), self.t)
            code_box = Box(main.x, main.y, main.w, main.h * (52 if why else 62) // 100)
            self.code_box = code_box
            draw_text(s, str(current["code"]), code_box, round(40 * u), ink, max_lines=1)
            rest = main.h - code_box.h - (main.h * 20 // 100 if why else 0)
            self._draw_destination(str(current["desk_name"]),
                                   Box(main.x, code_box.y + code_box.h, main.w, rest), ink, u)
            if why:  # why this call goes before earlier tickets (issue 22): the rule, not a queue-jumper
                self.reason_box = Box(main.x, code_box.y + code_box.h + rest, main.w, main.h - code_box.h - rest)
                draw_text(s, why, self.reason_box, round(9 * u), ink, max_lines=1)
        else:
            self.code_box = None
            draw_text(s, self.config.site.name, main, round(9 * u), GREY)
        # last calls
        side = Box(main.x + main.w + round(3 * u), main.y, w - main.w - round(9 * u), main.h)
        draw_text(s, self.t("display_last_calls"), Box(side.x, side.y, side.w, round(8 * u)), round(5.5 * u),
                  GREY, align="left", max_lines=1)
        row_h = (side.h - round(9 * u)) // 5
        for i, call in enumerate(self.calls()):
            y = side.y + round(9 * u) + i * row_h
            draw_text(s, str(call["code"]), Box(side.x, y, side.w * 45 // 100, row_h), round(9 * u), WHITE,
                      align="left", max_lines=1)
            draw_text(s, str(call["desk_name"]), Box(side.x + side.w * 45 // 100, y, side.w * 55 // 100, row_h),
                      round(5.5 * u), WHITE, align="left", max_lines=1)
        # waiting per service: the title once, then each prefix with its count, large enough for 5 m
        chips = [x for x in (self.state.get("services") or [])]
        strip = Box(round(3 * u), h - round(28 * u), w - round(6 * u), round(16 * u))
        if chips:
            title_w = round(22 * u)
            draw_text(s, self.t("display_waiting_title"), Box(strip.x, strip.y, title_w, strip.h), round(6 * u),
                      GREY, align="left", max_lines=2)
            cw = (strip.w - title_w) // len(chips)
            for i, service in enumerate(chips):
                box = Box(strip.x + title_w + i * cw + round(0.5 * u), strip.y, cw - round(u), strip.h)
                pygame.draw.rect(s, hex_colour(service["colour"]), (box.x, box.y, box.w, box.h),
                                 border_radius=round(u))
                draw_text(s, f"{service['prefix']} {service['waiting']}", box.inset(round(u)), round(11 * u),
                          WHITE, max_lines=1)
        # bottom line: today's hours and the site's message, alternating
        today = self._now()
        line = self.t("hours_today", ranges=hours_text(self.t, self.schedule, today))
        if key[2] == 1 and self.config.hub.message:
            line = self.config.hub.message
        draw_text(s, line, Box(round(3 * u), h - round(11 * u), w - round(6 * u), round(9 * u)), round(5 * u), WHITE,
                  max_lines=1)
        if not self.linked:  # discreet marker: the screen keeps the last known state
            pygame.draw.circle(s, OFFLINE, (w - round(2 * u), h - round(2 * u)), max(4, round(0.8 * u)))
            offline = self.t("display_offline")
            label = render_line(font_for_text(round(2.5 * u), offline), offline, GREY)
            s.blit(label, (w - round(4 * u) - label.get_width(), h - round(2 * u) - label.get_height() // 2))
        pygame.display.flip()
        self.dirty = False

    def _draw_destination(self, desk_name: str, box: Box, ink: tuple[int, int, int], u: float) -> None:
        """An arrow (drawn: the bundled font has no arrow glyph) and the desk's name, centred."""
        f, lines = fit(desk_name, Box(box.x, box.y, box.w * 80 // 100, box.h), round(14 * u), 1)
        text = render_line(f, lines[0], ink)
        arrow_w = round(f.get_height() * 0.8)
        gap = round(f.get_height() * 0.3)
        x = box.x + (box.w - arrow_w - gap - text.get_width()) // 2
        cy = box.y + box.h // 2
        half = arrow_w // 2
        shaft = max(3, arrow_w // 6)
        s = self.window
        pygame.draw.polygon(s, ink, [
            (x, cy - shaft), (x + half, cy - shaft), (x + half, cy - half), (x + arrow_w, cy),
            (x + half, cy + half), (x + half, cy + shaft), (x, cy + shaft)])
        s.blit(text, (x + arrow_w + gap, cy - text.get_height() // 2))

    def step(self) -> None:
        for event in pygame.event.get():
            self.handle(event)
        key = self.frame_key()
        if key != self._frame_key:
            self._frame_key = key
            self.dirty = True
        if self.dirty:
            self.draw()

    def run(self, *, on_frame: Callable[[], None] = lambda: None, max_seconds: float | None = None) -> None:
        clock = pygame.time.Clock()
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        self.step()
        log.info("call screen: first frame drawn")
        while self.running and (deadline is None or time.monotonic() < deadline):
            self.step()
            on_frame()
            clock.tick(FPS)
