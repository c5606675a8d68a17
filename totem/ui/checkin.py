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

from dataclasses import replace

import pygame

from config.errors import AppointmentRefused
from config.frozen import frozen
from config.i18n import Translator
from totem.appointment_numbers import NUMBER_DIGITS, shown
from totem.spoken import Spoken
from totem.ui import render
from totem.ui.context import Kiosk
from totem.ui.events import DELETE_KEYS, DIGIT_KEYS, ENTER_KEYS, HELP_KEYS, Screen, Shown
from totem.ui.geometry import Box, mirror, mirrored
from totem.ui.session import Countdown
from totem.ui.view import View

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


@frozen
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


def checkin_layout(size: tuple[int, int], *, rtl: bool = False) -> CheckInLayout:
    """Texts and number on the left with the keypad on the right (landscape), or texts above
    the keypad (portrait). Keys are 15% of the short side: 12 mm and more on a 7" panel.
    Right to left the texts go right and the keypad left, the keypad itself as it is (1 2 3
    left to right, as on every phone)."""
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
    layout = CheckInLayout(title, prompt, field, message, back, keys)
    if not rtl:
        return layout
    left, right = min(b.x for _, b in keys), max(b.x + b.w for _, b in keys)
    shift = mirror(Box(left, 0, right - left, 1), w).x - left  # the keypad moves as one block
    return replace(mirrored(layout, w, keep=("keys",)),
                   keys=tuple((label, Box(b.x + shift, b.y, b.w, b.h)) for label, b in keys))


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


# -- the screen -----------------------------------------------------------------------------------

CHECKIN_S = 40.0  # the screen's time without input (x the session's time factor)


class CheckInView(View):
    screen = Screen.CHECKIN
    pad = True

    def __init__(self, *, kiosk: Kiosk) -> None:
        super().__init__(kiosk=kiosk)
        self.state = CheckIn()  # the appointment number being typed

    @property
    def busy(self) -> bool:
        """The number is with the hub: the screen waits for the ticket's code or the refusal."""
        return self.state.busy

    def open(self) -> None:
        """Step 1: instead of a ticket for the appointments service."""
        k = self.kiosk
        self.state.reset()
        k.shown = Shown(service_id=k.config.appointment_service().id)  # type: ignore[union-attr]
        k.go(Screen.CHECKIN)

    def timeout_s(self) -> float:
        return self.kiosk.session.timeout_s(CHECKIN_S)

    def timer(self) -> Countdown | None:
        # asking the hub (its brake may hold a number up to 30 s): the answer restarts the screen's time
        return None if self.state.busy else self.kiosk.countdown

    def detail(self) -> str:
        return self.state.message

    def press(self, pos: tuple[float, float]) -> None:
        self.type(checkin_layout(self.kiosk.size, rtl=self.rtl).key_at(*pos))

    def key(self, key: int) -> list[Spoken]:
        """Digits, Enter = OK, minus = delete, Esc = back; "*" reads the screen out."""
        if key in HELP_KEYS:
            return super().key(key)
        digit = DIGIT_KEYS.get(key)
        self.type(str(digit) if digit is not None else "ok" if key in ENTER_KEYS else "del" if key in DELETE_KEYS
                  else "back" if key == pygame.K_ESCAPE else None)
        return []

    def type(self, label: str | None) -> None:
        """Steps 2 and 3: a key of the screen (touch or keypad); the digit typed is said with guidance on."""
        if label is None:
            return
        k = self.kiosk
        k.extend()
        outcome = self.state.press(label)
        k.dirty = True
        if outcome == "back":
            k.go(k.base_screen())
        elif outcome == "submit":
            k.say([Spoken(k.t("checkin_busy"), k.lang)])
            number, lang, services = self.state.entered, k.lang, k.services
            k.issue(k.shown.service_id or "",
                    lambda on_issued: services.check_in(number, lang, on_issued=on_issued))
        elif label.isdigit():
            k.say([Spoken(label, k.lang)])

    def refused(self, error: AppointmentRefused) -> None:
        """Step 3's refusal: shown and spoken here, the digits cleared for another try."""
        k = self.kiosk
        k.go(Screen.CHECKIN)
        message = self.state.refused(error, k.t)
        k.say([Spoken(message, k.lang)])
        k.dirty = True

    def paint(self, surface: pygame.Surface, now: float) -> None:
        draw_checkin(surface, t=self.kiosk.t, state=self.state, layout=checkin_layout(self.kiosk.size, rtl=self.rtl))
        self.paint_countdown(surface, now)
