"""The "may not be called before closing" screen: told before a number is used.

1. A tap on a service (its keypad digit and Enter, the GPIO button) asks the worker for a
   ticket with `accept_late=False`; when the wait the totem would print reaches past
   today's closing (`totem.closing`), the dispenser refuses with `MayNotBeCalled` before
   issuing, and this screen opens: the closing time, the phone and e-mail for an
   appointment (from the site file), and two choices.
2. "Take the ticket anyway" (touch, Enter or 1) issues it as usual; the ticket prints the
   same warning. "Book an appointment" (touch, 2 or Esc) goes back to the start.
3. Read out with spoken guidance on; like every timed screen it warns, then goes back to
   Home after its time without input.
4. The same screen tells a service no desk works today (`totem.no_desk`, `NoDeskToday`):
   with `site.issue_when_no_desk_today` the two choices as above ("take"); without, only
   "Back to the start" ("refused": every key and the button go back, no ticket).
"""

from __future__ import annotations

import pygame

from config.errors import MayNotBeCalled
from config.frozen import frozen
from config.i18n import Translator
from config.model import Config
from totem.spoken import Spoken
from totem.ui import render
from totem.ui.context import Kiosk
from totem.ui.events import DIGIT_KEYS, ENTER_KEYS, HELP_KEYS, Screen, Shown
from totem.ui.geometry import Box, mirrored
from totem.ui.view import View

LATE_S = 40.0  # the screen's time without input (x the session's time factor)
TAKE = (27, 94, 32)  # white on it: 7.9:1


@frozen
class LateLayout:
    title: Box
    body: Box
    contacts: Box
    take: Box
    back: Box

    def key_at(self, x: float, y: float) -> str | None:
        if self.take.contains(x, y):
            return "take"
        if self.back.contains(x, y):
            return "back"
        return None


def late_layout(size: tuple[int, int], *, rtl: bool = False) -> LateLayout:
    """Texts from the top; the two choices side by side at the bottom (stacked in portrait),
    each at least 15% of the short side high: 12 mm and more on a 7" panel. Right to left,
    "take" (the first choice) is on the right."""
    w, h = size
    u = min(w, h) / 100.0
    pad, gap = round(4 * u), round(3 * u)
    button_h = round(18 * u)
    if w >= h * 1.2:
        bottom = h - pad - button_h
        half = (w - 2 * pad - gap) // 2
        take, back = Box(pad, bottom, half, button_h), Box(pad + half + gap, bottom, half, button_h)
    else:
        bottom = h - pad - 2 * button_h - gap
        take = Box(pad, bottom, w - 2 * pad, button_h)
        back = Box(pad, bottom + button_h + gap, w - 2 * pad, button_h)
    room = bottom - 2 * pad
    title = Box(pad, pad, w - 2 * pad, round(room * 0.3))
    body = Box(pad, title.y + title.h + gap, w - 2 * pad, round(room * 0.4))
    contacts = Box(pad, body.y + body.h + gap, w - 2 * pad, max(1, bottom - gap - (body.y + body.h + gap)))
    layout = LateLayout(title, body, contacts, take, back)
    return mirrored(layout, w) if rtl else layout


def texts(t: Translator, config: Config, closes_at: str, no_desk: str = "",
          service: str = "") -> tuple[str, str, str]:
    """`no_desk`: "" (a late ticket), "take" or "refused" (no desk today, `service` its label)."""
    contacts = t("closed_appointments", phone=config.contacts.phone, email=config.contacts.email)
    if no_desk:
        return (t("no_desk_title", service=service),
                t("no_desk_sentence_take" if no_desk == "take" else "no_desk_sentence"), contacts)
    return t("late_title", time=closes_at), t("late_sentence", time=closes_at), contacts


def draw_late(surface: pygame.Surface, *, t: Translator, config: Config, closes_at: str,
              layout: LateLayout, no_desk: str = "", service: str = "") -> None:
    u = render.unit(surface)
    surface.fill(render.PAPER)
    title, sentence, contacts = texts(t, config, closes_at, no_desk, service)
    render.draw_text(surface, title, layout.title, round(8 * u), render.WARN, max_lines=2)
    render.draw_text(surface, sentence, layout.body, round(5.5 * u), render.INK, max_lines=3)
    render.draw_text(surface, contacts, layout.contacts, round(5.5 * u), render.INK, max_lines=2)
    if no_desk != "refused":
        pygame.draw.rect(surface, TAKE, render.rect(layout.take), border_radius=round(u))
        render.draw_text(surface, t("late_take"), layout.take.inset(round(2 * u)), round(6 * u), render.WHITE,
                         max_lines=2)
    pygame.draw.rect(surface, render.BAND, render.rect(layout.back), border_radius=round(u))
    render.draw_text(surface, t("no_desk_back" if no_desk == "refused" else "late_book"),
                     layout.back.inset(round(2 * u)), round(6 * u), render.WHITE, max_lines=2)


def phrases(config: Config, lang: str, closes_at: str, no_desk: str = "", service: str = "") -> list[Spoken]:
    t = Translator(lang)
    title, sentence, _ = texts(t, config, closes_at, no_desk, service)
    keys = t("speech_no_desk_keys" if no_desk == "refused" else "speech_late_keys")
    return [Spoken(text, lang) for text in (title, sentence, t("speech_appointments", phone=config.contacts.phone),
                                            keys)]


# -- the screen -----------------------------------------------------------------------------------

class LateView(View):
    screen = Screen.LATE

    def __init__(self, *, kiosk: Kiosk) -> None:
        super().__init__(kiosk=kiosk)
        self.closes_at = ""  # the closing time the screen names
        self.no_desk = ""  # step 4: "take" (the site's choice) or "refused"; "" for a late ticket

    def open(self, error: MayNotBeCalled) -> None:
        """Step 1: the dispenser refused before issuing."""
        self.kiosk.shown = Shown(service_id=error.service_id)
        self.closes_at = error.closes_at
        may_take = getattr(error, "may_take", None)  # NoDeskToday
        self.no_desk = "" if may_take is None else "take" if may_take else "refused"
        self.kiosk.go(Screen.LATE)

    def service_label(self) -> str:
        k = self.kiosk
        service = k.config.service_or_none(k.shown.service_id or "")
        return service.label(k.lang) if service else ""

    def timeout_s(self) -> float:
        return self.kiosk.session.timeout_s(LATE_S)

    def phrases(self) -> list[Spoken]:
        return phrases(self.kiosk.config, self.kiosk.lang, self.closes_at, self.no_desk, self.service_label())

    def press(self, pos: tuple[float, float]) -> None:
        self.choose(late_layout(self.kiosk.size, rtl=self.rtl).key_at(*pos))

    def key(self, key: int) -> list[Spoken]:
        """Enter or 1: take it anyway; 2 or Esc: book; "*" reads the screen out."""
        if key in HELP_KEYS:
            return super().key(key)
        digit = DIGIT_KEYS.get(key)
        self.choose("take" if key in ENTER_KEYS or digit == 1 else
                    "back" if key == pygame.K_ESCAPE or digit == 2 else None)
        if self.kiosk.screen is Screen.LATE:
            self.kiosk.extend()
        return []

    def choose(self, label: str | None) -> None:
        """Step 2 (touch or keypad); step 4's "refused" has one way out: the button, Enter, 2 or Esc."""
        k = self.kiosk
        if self.no_desk == "refused":
            if label in ("back", "take"):
                k.go(k.base_screen())
            return
        if label == "take" and k.shown.service_id:
            k.start_ticket(k.shown.service_id, accept_late=True)
        elif label == "back":
            k.go(k.base_screen())

    def paint(self, surface: pygame.Surface, now: float) -> None:
        k = self.kiosk
        draw_late(surface, t=k.t, config=k.config, closes_at=self.closes_at, layout=late_layout(k.size, rtl=self.rtl),
                  no_desk=self.no_desk, service=self.service_label())
        self.paint_countdown(surface, now)
