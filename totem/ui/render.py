"""Drawing of the kiosk screens with pygame. Pure drawing: state comes in as arguments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

import pygame

from config.model import Config, Service
from printer.fonts import font_file
from totem.hours import Opening, Schedule
from totem.i18n import Translator
from totem.ui.geometry import Box, HomeLayout, keypad_layout, menu_layout

INK = (20, 20, 20)
PAPER = (246, 246, 240)
BAND = (11, 37, 69)
WHITE = (255, 255, 255)
MUTED = (70, 70, 70)
WARN = (150, 40, 20)
FOCUS = (255, 196, 0)


@lru_cache(maxsize=64)
def font(px: int) -> pygame.font.Font:
    return pygame.font.Font(font_file(bold=True), max(8, px))  # the product's typeface (printer/fonts.py)


def hex_colour(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def wrap(text: str, f: pygame.font.Font, width: int) -> list[str]:
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}".strip()
        if f.size(trial)[0] <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines or [""]


def fit_px(text: str, box: Box, max_px: int, max_lines: int = 2) -> int:
    """The largest font size (<= max_px) at which text fits the box in at most max_lines lines."""
    px = max_px
    while px > 10:
        f = font(px)
        lines = wrap(text, f, box.w)
        if len(lines) <= max_lines and all(f.size(x)[0] <= box.w for x in lines) \
                and len(lines) * f.get_linesize() <= box.h:
            return px
        px = int(px * 0.9)
    return 10


def fit(text: str, box: Box, max_px: int, max_lines: int = 2) -> tuple[pygame.font.Font, list[str]]:
    f = font(fit_px(text, box, max_px, max_lines))
    return f, wrap(text, f, box.w)[:max_lines]


def draw_text(surface: pygame.Surface, text: str, box: Box, max_px: int, colour: tuple[int, int, int] = INK,
              align: str = "center", max_lines: int = 2) -> None:
    f, lines = fit(text, box, max_px, max_lines)
    line_h = f.get_linesize()
    y = box.y + (box.h - line_h * len(lines)) // 2
    for line in lines:
        img = f.render(line, True, colour)
        if align == "left":
            x = box.x
        elif align == "right":
            x = box.x + box.w - img.get_width()
        else:
            x = box.x + (box.w - img.get_width()) // 2
        surface.blit(img, (x, y))
        y += line_h


def rect(box: Box) -> pygame.Rect:
    return pygame.Rect(box.x, box.y, box.w, box.h)


def unit(surface: pygame.Surface) -> float:
    return min(surface.get_size()) / 100.0


def hours_text(t: Translator, schedule: Schedule, day: datetime) -> str:
    ranges = schedule.ranges_on(day.date())
    return ", ".join(f"{r.start:%H:%M}-{r.end:%H:%M}" for r in ranges) or t("hours_closed_day")


def draw_header(surface: pygame.Surface, config: Config, t: Translator, layout: HomeLayout, now: datetime,
                schedule: Schedule, lang: str) -> None:
    u = unit(surface)
    pygame.draw.rect(surface, BAND, rect(layout.header))
    draw_text(surface, f"{now:%H:%M}", layout.clock, round(9 * u), WHITE, align="left", max_lines=1)
    rest = layout.header.h - (layout.clock.y + layout.clock.h)
    title = Box(layout.header.x + round(4 * u), layout.clock.y + layout.clock.h,
                layout.header.w - round(8 * u), rest * 3 // 5)
    draw_text(surface, config.site.desk_name, title, round(9 * u), WHITE, max_lines=1)
    sub = Box(title.x, title.y + title.h, title.w, rest - title.h - round(u))
    draw_text(surface, f"{config.site.name} · " + t("hours_today", ranges=hours_text(t, schedule, now)), sub,
              round(4.5 * u), WHITE, max_lines=1)
    for code, box in zip(config.site.languages, layout.languages, strict=True):
        selected = code == lang
        pygame.draw.rect(surface, WHITE if selected else BAND, rect(box), border_radius=round(u))
        pygame.draw.rect(surface, WHITE, rect(box), width=max(2, round(0.4 * u)), border_radius=round(u))
        draw_text(surface, Translator(code)("language_name"), box.inset(round(u)), round(4 * u),
                  BAND if selected else WHITE, max_lines=1)


def draw_home(surface: pygame.Surface, *, config: Config, t: Translator, layout: HomeLayout, now: datetime,
              schedule: Schedule, lang: str, focus: int | None, notice: str = "") -> None:
    u = unit(surface)
    surface.fill(PAPER)
    draw_header(surface, config, t, layout, now, schedule, lang)
    draw_text(surface, notice or t("home_prompt"), layout.prompt, round(7 * u), WARN if notice else INK, max_lines=1)
    labels = [label_box(surface, box) for box in layout.buttons]
    label_px = min(fit_px(s.label(lang), b, round(6.5 * u)) for s, b in zip(config.services, labels, strict=True))
    for i, (service, box) in enumerate(zip(config.services, layout.buttons, strict=True)):
        draw_service_button(surface, service, box, i + 1, lang, focused=(focus == i), label_px=label_px)


def badge_box(surface: pygame.Surface, box: Box) -> Box:
    u = unit(surface)
    badge_d = min(box.h - round(2 * u), round(12 * u))
    return Box(box.x + round(1.5 * u), box.y + (box.h - badge_d) // 2, badge_d, badge_d)


def label_box(surface: pygame.Surface, box: Box) -> Box:
    u = unit(surface)
    badge = badge_box(surface, box)
    return Box(badge.x + badge.w + round(2 * u), box.y + round(u), box.w - badge.w - round(5 * u), box.h - round(2 * u))


def draw_service_button(surface: pygame.Surface, service: Service, box: Box, number: int, lang: str,
                        focused: bool, label_px: int) -> None:
    """One service button; every label uses the same size (`label_px`), so none looks less important."""
    u = unit(surface)
    radius = round(1.5 * u)
    pygame.draw.rect(surface, hex_colour(service.colour), rect(box), border_radius=radius)
    if focused:
        pygame.draw.rect(surface, FOCUS, rect(box), width=max(4, round(1.2 * u)), border_radius=radius)
    badge = badge_box(surface, box)
    pygame.draw.circle(surface, WHITE, badge.center, badge.w // 2)
    draw_text(surface, str(number), badge.inset(round(badge.w * 0.15)), round(badge.w * 0.8),
              hex_colour(service.colour), max_lines=1)
    draw_text(surface, service.label(lang), label_box(surface, box), label_px, WHITE, align="left")


def draw_take(surface: pygame.Surface, *, t: Translator, code: str | None, service: Service | None, lang: str,
              lines: Sequence[str], ticket_image: pygame.Surface | None) -> None:
    u = unit(surface)
    w, h = surface.get_size()
    surface.fill(PAPER)
    portrait = h > w
    if ticket_image is not None:
        if portrait:
            slot = Box(round(20 * u), h // 2, w - round(40 * u), h // 2 - round(3 * u))
            text_area = Box(round(3 * u), round(3 * u), w - round(6 * u), h // 2 - round(3 * u))
        else:
            slot = Box(w - w * 2 // 5, round(3 * u), w * 2 // 5 - round(3 * u), h - round(6 * u))
            text_area = Box(round(3 * u), round(3 * u), w * 3 // 5 - round(6 * u), h - round(6 * u))
        scale = min(slot.w / ticket_image.get_width(), slot.h / ticket_image.get_height())
        image = pygame.transform.smoothscale(ticket_image, (max(1, int(ticket_image.get_width() * scale)),
                                                            max(1, int(ticket_image.get_height() * scale))))
        x = slot.x + (slot.w - image.get_width()) // 2
        y = slot.y + (slot.h - image.get_height()) // 2
        pygame.draw.rect(surface, MUTED, pygame.Rect(x + 6, y + 6, image.get_width(), image.get_height()))
        surface.blit(image, (x, y))
    else:
        text_area = Box(round(3 * u), round(3 * u), w - round(6 * u), h - round(6 * u))
    rows = [0.16, 0.40, 0.14, 0.10, 0.10, 0.10]
    boxes = []
    y = text_area.y
    for share in rows:
        boxes.append(Box(text_area.x, y, text_area.w, int(text_area.h * share)))
        y += int(text_area.h * share)
    draw_text(surface, t("take_title") if code else t("take_printing"), boxes[0], round(9 * u), BAND)
    if code:
        draw_text(surface, code, boxes[1], round(40 * u), INK, max_lines=1)
    if service is not None:
        draw_text(surface, service.label(lang), boxes[2], round(7 * u), hex_colour(service.colour))
    for line, box in zip(lines, boxes[3:5], strict=False):
        draw_text(surface, line, box, round(5.5 * u), INK)
    draw_text(surface, t("take_back"), boxes[5], round(4 * u), MUTED)


def reopening_text(t: Translator, reopens: datetime, now: datetime) -> str:
    """'oggi alle 14:30' after the lunch break, 'domani alle 08:45', else the weekday and date."""
    days = (reopens.date() - now.date()).days
    if days == 0:
        return t("closed_next_today", time=f"{reopens:%H:%M}")
    if days == 1:
        return t("closed_next_tomorrow", time=f"{reopens:%H:%M}")
    return t("closed_next_when", weekday=t(f"weekday_{reopens.weekday()}"), day=f"{reopens:%d/%m}",
             time=f"{reopens:%H:%M}")


def draw_closed(surface: pygame.Surface, *, config: Config, t: Translator, opening: Opening, now: datetime,
                schedule: Schedule) -> None:
    u = unit(surface)
    w, h = surface.get_size()
    surface.fill(BAND)
    pad = round(4 * u)
    draw_text(surface, t("closed_title"), Box(pad, pad, w - 2 * pad, round(14 * u)), round(10 * u), WHITE)
    reason = {"holiday": t("closed_holiday"), "cutoff": t("closed_after_cutoff")}.get(opening.reason, "")
    if opening.holiday_name and opening.reason == "holiday":
        name = schedule.holiday_name(now.date(), t.lang) or opening.holiday_name
        reason = f"{reason} ({name})"
    y = pad + round(15 * u)
    if reason:
        draw_text(surface, reason, Box(pad, y, w - 2 * pad, round(7 * u)), round(5.5 * u), FOCUS)
    y += round(8 * u)
    if opening.next_opening is not None:
        draw_text(surface, t("closed_next", when=reopening_text(t, opening.next_opening, now)),
                  Box(pad, y, w - 2 * pad, round(12 * u)), round(8 * u), WHITE)
    y += round(14 * u)
    # the week's hours, so nobody has to come back to find out
    table_h = h - y - round(16 * u)
    row_h = max(1, table_h // 7)
    monday = now.date().toordinal() - now.weekday()
    for i in range(7):
        day = datetime.fromordinal(monday + i).replace(tzinfo=now.tzinfo)
        ranges = hours_text(t, schedule, day)
        colour = FOCUS if i == now.weekday() else WHITE
        draw_text(surface, t(f"weekday_{i}"), Box(w // 6, y + i * row_h, w // 3, row_h), round(5 * u), colour,
                  align="left", max_lines=1)
        draw_text(surface, ranges, Box(w // 2, y + i * row_h, w // 3, row_h), round(5 * u), colour, align="left",
                  max_lines=1)
    contacts = t("closed_appointments", phone=config.contacts.phone, email=config.contacts.email)
    draw_text(surface, contacts, Box(pad, h - round(14 * u), w - 2 * pad, round(11 * u)), round(5 * u), WHITE)


def draw_out_of_service(surface: pygame.Surface, *, t: Translator, config: Config, detail: str = "") -> None:
    u = unit(surface)
    w, h = surface.get_size()
    surface.fill(PAPER)
    pad = round(6 * u)
    pygame.draw.rect(surface, BAND, pygame.Rect(0, 0, w, h // 4))
    draw_text(surface, config.site.desk_name, Box(pad, pad // 2, w - 2 * pad, h // 4 - pad), round(8 * u), WHITE)
    draw_text(surface, t("out_title"), Box(pad, h // 4 + pad, w - 2 * pad, h // 5), round(8 * u), WARN)
    draw_text(surface, t("out_sentence"), Box(pad, h // 2, w - 2 * pad, h // 4), round(7 * u), INK, max_lines=3)
    if detail:  # the cause, when a citizen can understand it ("orologio non sincronizzato")
        draw_text(surface, detail, Box(pad, h // 2 + h // 4, w - 2 * pad, h // 12), round(4.5 * u), MUTED,
                  max_lines=1)
    contacts = t("closed_appointments", phone=config.contacts.phone, email=config.contacts.email)
    draw_text(surface, contacts, Box(pad, h - h // 6, w - 2 * pad, h // 8), round(4.5 * u), MUTED)


def draw_pin(surface: pygame.Surface, *, t: Translator, entered: int, wrong: bool) -> None:
    u = unit(surface)
    w, _ = surface.get_size()
    surface.fill(INK)
    draw_text(surface, t("tech_pin_prompt"), Box(0, round(3 * u), w, round(10 * u)), round(7 * u), WHITE)
    draw_text(surface, ("•" * entered) or "-", Box(0, round(13 * u), w, round(9 * u)), round(8 * u), FOCUS)
    if wrong:
        draw_text(surface, t("tech_wrong_pin"), Box(0, round(22 * u), w, round(6 * u)), round(5 * u), (255, 90, 90))
    for label, box in keypad_layout(surface.get_size()):
        pygame.draw.rect(surface, (60, 60, 60), rect(box), border_radius=round(u))
        text = {"cancel": "✕", "ok": "OK"}.get(label, label)
        draw_text(surface, text if label != "cancel" else "X", box, round(7 * u), WHITE, max_lines=1)


def draw_menu(surface: pygame.Surface, *, t: Translator, items: Sequence[str], info: Sequence[str]) -> None:
    u = unit(surface)
    w, h = surface.get_size()
    surface.fill(INK)
    draw_text(surface, t("tech_title"), Box(0, round(2 * u), w, round(8 * u)), round(6 * u), WHITE)
    draw_text(surface, "  ·  ".join(info[:3]), Box(round(2 * u), round(10 * u), w - round(4 * u), round(5 * u)),
              round(3.5 * u), FOCUS, max_lines=1)
    draw_text(surface, "  ·  ".join(info[3:]), Box(round(2 * u), round(15 * u), w - round(4 * u), round(5 * u)),
              round(3.5 * u), FOCUS, max_lines=1)
    for label, box in zip(items, menu_layout((w, h), len(items)), strict=True):
        pygame.draw.rect(surface, (60, 60, 60), rect(box), border_radius=round(u))
        draw_text(surface, label, box.inset(round(u)), round(5 * u), WHITE)
