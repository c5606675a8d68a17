"""The appointment check-in screen: what it holds, where its keys are, how it is drawn.

1. The appointments button (the service with `appointments = true`), its keypad digit and
   Enter, or the GPIO ticket button set to it, open this screen instead of issuing: nobody
   is called first by a tap alone.
2. Digits (touch or keypad) fill the number's field, eleven digits in groups of four
   (`totem.appointment_numbers`), "_" for those still to type; "Cancella"
   (or the keypad's minus) deletes the last one; "Indietro" (or Esc) goes back to the start.
3. OK (or Enter) with all eleven digits hands the number to the kiosk's worker
   (`KioskServices.check_in`, `totem.checkin`); the screen says it is checking until the
   ticket's code comes (then the usual ticket screens follow) or the refusal, which is
   shown and spoken here, the digits cleared for another try.
4. Like every timed screen it warns, then goes back to Home after its time without input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pygame

from config.errors import AppointmentRefused
from config.i18n import Translator
from totem.appointment_numbers import NUMBER_DIGITS, shown
from totem.spoken import Spoken
from totem.ui import render
from totem.ui.events import Screen, Shown
from totem.ui.geometry import Box

if TYPE_CHECKING:
    from totem.ui.app import KioskApp

KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok")
READY = (27, 94, 32)  # OK once the number is complete (white on it: 7.9:1)
KEY = (11, 37, 69)


class CheckIn:
    def __init__(self) -> None:
        self.entered = ""
        self.message = ""
        self.busy = False

    def reset(self) -> None:
        self.entered, self.message, self.busy = "", "", False

    def press(self, label: str) -> str:
        """One key: "submit" (all the digits and OK), "back", or "" (the screen changed or not)."""
        if self.busy:
            return ""
        if label == "back":
            return "back"
        if label == "del":
            self.entered = self.entered[:-1]
        elif label == "ok":
            if len(self.entered) == NUMBER_DIGITS:
                self.busy = True
                self.message = ""
                return "submit"
        elif label.isdigit() and len(self.entered) < NUMBER_DIGITS:
            self.entered += label
            self.message = ""
        return ""

    def refused(self, error: AppointmentRefused, t: Translator) -> str:
        """The refusal in the citizen's words; the digits are cleared for another try."""
        detail = error.detail
        day = str(detail.get("day", ""))
        shown_day = f"{day[8:10]}/{day[5:7]}/{day[0:4]}" if len(day) == 10 else day
        self.message = t(f"checkin_{error.reason}", day=shown_day, time=str(detail.get("from", "")))
        self.entered = ""
        self.busy = False
        return self.message


@dataclass(frozen=True)
class CheckInLayout:
    title: Box
    prompt: Box
    field: Box  # the number as typed, in groups of four, "_" for the digits still to type
    message: Box
    back: Box
    keys: tuple[tuple[str, Box], ...]

    def key_at(self, x: float, y: float) -> str | None:
        if self.back.contains(x, y):
            return "back"
        return next((label for label, box in self.keys if box.contains(x, y)), None)


def checkin_layout(size: tuple[int, int]) -> CheckInLayout:
    """Texts and number on the left with the keypad on the right (landscape), or texts above
    the keypad (portrait). Keys are 15% of the short side: 12 mm and more on a 7" panel."""
    w, h = size
    u = min(w, h) / 100.0
    key, gap = round(15 * u), round(2 * u)
    pad_w, pad_h = 3 * key + 2 * gap, 4 * key + 3 * gap
    if w >= h * 1.2:
        text = Box(round(4 * u), round(4 * u), w // 2 - round(6 * u), h - round(8 * u))
        x0, y0 = w // 2 + (w // 2 - pad_w) // 2, (h - pad_h) // 2
        back = Box(text.x, h - round(4 * u) - key, min(text.w, round(40 * u)), key)
    else:
        text = Box(round(4 * u), round(4 * u), w - round(8 * u), h - pad_h - key - round(14 * u))
        x0, y0 = (w - pad_w) // 2, h - pad_h - key - round(6 * u)
        back = Box(x0, h - key - round(2 * u), pad_w, key)
    line = text.h / 100.0
    title = Box(text.x, text.y, text.w, round(16 * line))
    prompt = Box(text.x, text.y + round(17 * line), text.w, round(22 * line))
    cell = round(20 * line)
    field = Box(text.x, text.y + round(42 * line), text.w, cell)
    top = text.y + round(44 * line) + cell
    bottom = min(text.y + text.h, back.y) - gap  # never under the back button
    message = Box(text.x, top, text.w, max(1, bottom - top))
    keys = tuple((label, Box(x0 + (i % 3) * (key + gap), y0 + (i // 3) * (key + gap), key, key))
                 for i, label in enumerate(KEYS))
    return CheckInLayout(title, prompt, field, message, back, keys)


def draw_checkin(surface: pygame.Surface, *, t: Translator, state: CheckIn, layout: CheckInLayout) -> None:
    u = render.unit(surface)
    surface.fill(render.PAPER)
    render.draw_text(surface, t("checkin_title"), layout.title, round(9 * u), render.INK, max_lines=1)
    render.draw_text(surface, t("checkin_prompt"), layout.prompt, round(5 * u), render.INK, max_lines=3)
    box = layout.field
    typing = not state.busy
    pygame.draw.rect(surface, render.WHITE, render.rect(box), border_radius=round(u))
    pygame.draw.rect(surface, render.BAND if typing else render.MUTED, render.rect(box),
                     width=max(2, round(u * (1.2 if typing else 0.5))), border_radius=round(u))
    render.draw_text(surface, shown(state.entered.ljust(NUMBER_DIGITS, "_")), box.inset(round(u)),
                     round(box.h * 0.7), render.INK, max_lines=1)
    if state.busy:
        render.draw_text(surface, t("checkin_busy"), layout.message, round(5 * u), render.INK, max_lines=2)
    elif state.message:
        render.draw_text(surface, state.message, layout.message, round(5 * u), render.WARN, max_lines=3)
    complete = len(state.entered) == NUMBER_DIGITS and not state.busy
    for label, box in layout.keys:
        colour = READY if label == "ok" and complete else (render.MUTED if label == "ok" else KEY)
        pygame.draw.rect(surface, colour, render.rect(box), border_radius=round(u))
        text = {"del": t("checkin_delete"), "ok": "OK"}.get(label, label)
        render.draw_text(surface, text, box.inset(round(u)), round((4 if label == "del" else 7) * u), render.WHITE,
                         max_lines=1)
    pygame.draw.rect(surface, render.WHITE, render.rect(layout.back), border_radius=round(u))
    pygame.draw.rect(surface, render.BAND, render.rect(layout.back), width=max(2, round(0.6 * u)),
                     border_radius=round(u))
    render.draw_text(surface, t("checkin_back"), layout.back.inset(round(u)), round(5 * u), render.BAND,
                     max_lines=1)


# -- the kiosk's side (called from KioskApp, on the screen loop) ------------------------------------

CHECKIN_S = 40.0  # the screen's time without input (x the session's time factor)


def open_checkin(app: KioskApp) -> None:
    app.checkin.reset()
    app.shown = Shown(service_id=app.config.appointment_service().id)  # type: ignore[union-attr]
    app.go(Screen.CHECKIN)


def checkin_key(app: KioskApp, label: str | None) -> None:
    """A key of the check-in screen (touch or keypad); the digit typed is said with guidance on."""
    if label is None:
        return
    app.extend()
    outcome = app.checkin.press(label)
    app.dirty = True
    if outcome == "back":
        app.go(app.base_screen())
    elif outcome == "submit":
        app._code_drawn.clear()
        app.say([Spoken(app.t("checkin_busy"), app.lang)])
        number, lang = app.checkin.entered, app.lang
        app._worker.submit(app.ticket_job, app.shown.service_id,
                           lambda on_issued: app.services.check_in(number, lang, on_issued=on_issued))
    elif label.isdigit():
        app.say([Spoken(label, app.lang)])


def checkin_refused(app: KioskApp, error: AppointmentRefused) -> None:
    app.go(Screen.CHECKIN)
    message = app.checkin.refused(error, app.t)
    app.say([Spoken(message, app.lang)])
    app.dirty = True
