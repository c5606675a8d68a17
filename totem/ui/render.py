"""Drawing of the kiosk screens with pygame. Pure drawing: state comes in as arguments."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

import pygame

from config.bidi import has_rtl
from config.colours import contrast, hex_colour
from config.i18n import Translator
from config.languages import is_rtl
from config.model import Config, Service
from totem.hours import Opening, Schedule
from totem.ui.geometry import (
    LTR,
    Box,
    Flow,
    HomeLayout,
    home_layout,
    keypad_layout,
    menu_layout,
    mirrored,
    px_per_mm,
    take_layout,
)
from totem.ui.text import font, font_for_text, line_height, line_width, render_line, wrap
from totem.wording import closed_reason, hours_text, reopening_text

INK = (20, 20, 20)
PAPER = (246, 246, 240)
BAND = (11, 37, 69)
WHITE = (255, 255, 255)
MUTED = (70, 70, 70)
WARN = (150, 40, 20)
FOCUS = (255, 196, 0)
RESTING_BG = (222, 222, 218)  # a service with no desk today (totem.no_desk): greyed, its text
RESTING_INK = (45, 45, 45)  # still 10.2:1 on it (>= 4.5:1, readable for every citizen)


def fit_px(text: str, box: Box, max_px: int, max_lines: int = 2) -> int:
    """The largest font size (<= max_px) at which text fits the box in at most max_lines lines."""
    px = max_px
    while px > 10:
        f = font_for_text(px, text)
        lines = wrap(text, f, box.w)
        if len(lines) <= max_lines and all(line_width(f, x) <= box.w for x in lines) \
                and len(lines) * line_height(f) <= box.h:
            return px
        px = int(px * 0.9)
    return 10


def fit(text: str, box: Box, max_px: int, max_lines: int = 2) -> tuple[pygame.font.Font, list[str]]:
    f = font_for_text(fit_px(text, box, max_px, max_lines), text)
    return f, wrap(text, f, box.w)[:max_lines]


def draw_text(surface: pygame.Surface, text: str, box: Box, max_px: int, colour: tuple[int, int, int] = INK,
              align: str = "center", max_lines: int = 2, rtl: bool | None = None) -> None:
    """`align` as in Italian; `rtl`: the screen reads right to left (None: as the text itself does)."""
    f, lines = fit(text, box, max_px, max_lines)
    line_h = line_height(f)
    y = box.y + (box.h - line_h * len(lines)) // 2
    if has_rtl(text) if rtl is None else rtl:  # Arabic reads from the right: the left in Italian is the right
        align = {"left": "right", "right": "left"}.get(align, align)
    for line in lines:
        img = render_line(f, line, colour)
        if align == "left":
            x = box.x
        elif align == "right":
            x = box.x + box.w - img.get_width()
        else:
            x = box.x + (box.w - img.get_width()) // 2
        surface.blit(img, (x, y - (img.get_height() - line_h) // 2))  # a taller (Arabic) line stays centred
        y += line_h


def rect(box: Box) -> pygame.Rect:
    return pygame.Rect(box.x, box.y, box.w, box.h)


def unit(surface: pygame.Surface) -> float:
    return min(surface.get_size()) / 100.0


@lru_cache(maxsize=4)
def cap_ratio() -> float:
    """Cap height of the typeface as a share of its pixel size (measured, not assumed)."""
    return font(200).render("H", True, INK).get_bounding_rect().h / 200


# Cap heights at the 50 cm a citizen stands from the panel. EN 301 549 5.1.4 (closed functionality,
# text size) asks a capital H of at least 0.7 degrees at the viewing distance: 6.1 mm at 50 cm for the
# main labels (the services); a secondary line (hours, keypad hint, prompt) never under 3 mm. Large
# text is a sixth again (7 mm): more would leave one service a page on a 7" panel.
NORMAL_CAP_MM = 6.0
SECONDARY_CAP_MM = 3.0
LARGE_CAP_MM = 7.0


def large_label_px(size: tuple[int, int], diagonal_in: float, cap_mm: float = LARGE_CAP_MM) -> int:
    """The label size whose capitals are `cap_mm` tall on a panel of that diagonal."""
    return math.ceil(cap_mm * px_per_mm(size, diagonal_in) / cap_ratio())


GRIDS = ((6, 3), (6, 2), (4, 2), (4, 1), (3, 1), (2, 1), (1, 1))


def choose_home_layout(size: tuple[int, int], *, config: Config, lang: str, large: bool, page: int = 0,
                       diagonal_in: float = 7.0) -> tuple[HomeLayout, int]:
    """The Home layout and its label size: the most services per page whose labels all fit at
    the size that panel needs (6 mm capitals, 8 mm in large text), paging the rest. Normal text
    keeps the roomy layout (header in the top third) where its labels and keypad hint reach
    their sizes, as on a large panel; a small one gets the slim header and pages. Mirrored for
    a right-to-left language."""
    layout, px = _choose_home_layout(size, config=config, lang=lang, large=large, page=page, diagonal_in=diagonal_in)
    return (mirrored(layout, size[0]) if is_rtl(lang) else layout), px


def _choose_home_layout(size: tuple[int, int], *, config: Config, lang: str, large: bool, page: int,
                        diagonal_in: float) -> tuple[HomeLayout, int]:
    n, langs = len(config.services), len(config.site.languages)
    secondary = large_label_px(size, diagonal_in, SECONDARY_CAP_MM)
    if large:
        target, kind = large_label_px(size, diagonal_in), {"large": True}
    else:
        target = large_label_px(size, diagonal_in, NORMAL_CAP_MM)
        roomy = home_layout(size, n, langs)
        px = label_px_for(roomy, config, lang, max(target, round(6.5 * min(size) / 100)))
        if px >= target and roomy.hint is not None and fits(Translator(lang)("home_keypad_hint"), roomy.hint,
                                                             secondary, max_lines=1):
            return roomy, px
        prompt_px = max(secondary, round(5 * min(size) / 100))
        kind = {"compact": True, "prompt_px": prompt_px, "hint_px": secondary, "line_ratio": line_ratio()}
    candidates = [(n, None)] + [(per, cols) for per, cols in GRIDS if per < n]
    for per, cols in candidates:
        layouts = [home_layout(size, n, langs, per_page=per, cols=cols, page=p, **kind)  # type: ignore[arg-type]
                   for p in range(math.ceil(n / per))]
        if all(label_px_for(lay, config, lang, target) >= target for lay in layouts):
            return layouts[min(page, len(layouts) - 1)], target
    per, cols = candidates[-1]  # one a page, and still too long: one size for every page, the largest that fits
    layouts = [home_layout(size, n, langs, per_page=per, cols=cols, page=p, **kind)  # type: ignore[arg-type]
               for p in range(math.ceil(n / per))]
    return layouts[min(page, len(layouts) - 1)], min(label_px_for(lay, config, lang, target) for lay in layouts)


def fits(text: str, box: Box, px: int, max_lines: int) -> bool:
    """`text` fits the box at `px` (not smaller) in at most `max_lines` lines."""
    return fit_px(text, box, px, max_lines) >= px


@lru_cache(maxsize=4)
def line_ratio() -> float:
    """Line height of the typeface as a share of its pixel size."""
    return font(200).get_linesize() / 200


def label_px_for(layout: HomeLayout, config: Config, lang: str, max_px: int) -> int:
    """One size for every label on the page, so none looks less important."""
    boxes = [label_box_for(box, layout) for box in layout.buttons]
    services = config.services[layout.first:layout.first + len(layout.buttons)]
    return min(fit_px(s.label(lang), b, max_px, max_lines=3) for s, b in zip(services, boxes, strict=True))


def draw_header(surface: pygame.Surface, config: Config, t: Translator, layout: HomeLayout, now: datetime,
                schedule: Schedule, lang: str, large: bool = False) -> None:
    u = unit(surface)
    flow = layout.flow
    pygame.draw.rect(surface, BAND, rect(layout.header))
    if large or layout.compact:
        clock, text_size = flow(layout.clock), flow(layout.text_size)  # in left-to-right terms
        left = clock.x + clock.w
        draw_text(surface, f"{now:%H:%M}", layout.clock, round(9 * u), WHITE, align="left", max_lines=1, rtl=flow.rtl)
        name = flow(Box(left, clock.y, text_size.x - left - round(2 * u), clock.h))  # between clock and "Aa"
        draw_text(surface, config.site.desk_name, name, round(9 * u), WHITE, align="left", max_lines=1,
                  rtl=flow.rtl)
    else:
        draw_text(surface, f"{now:%H:%M}", layout.clock, round(9 * u), WHITE, align="left", max_lines=1,
                  rtl=flow.rtl)
        below = max([layout.clock.y + layout.clock.h] + [b.y + b.h for b in layout.languages])  # a 2-row picker
        rest = layout.header.h - below
        title = Box(layout.header.x + round(4 * u), below,
                    layout.header.w - round(8 * u), rest * 3 // 5)
        draw_text(surface, config.site.desk_name, title, round(9 * u), WHITE, max_lines=1)
        sub = Box(title.x, title.y + title.h, title.w, rest - title.h - round(u))
        line = f"{config.site.name} · " + t("hours_today", ranges=hours_text(t, schedule, now))
        draw_text(surface, line, sub, round(4.5 * u), WHITE, max_lines=1)
    draw_toggle(surface, layout.text_size, t("home_large_text"), selected=large)
    draw_languages(surface, config, layout.languages, lang)


def draw_toggle(surface: pygame.Surface, box: Box, label: str, *, selected: bool) -> None:
    u = unit(surface)
    pygame.draw.rect(surface, WHITE if selected else BAND, rect(box), border_radius=round(u))
    pygame.draw.rect(surface, WHITE, rect(box), width=max(2, round(0.4 * u)), border_radius=round(u))
    draw_text(surface, label, box.inset(round(u)), round(box.h * 0.6), BAND if selected else WHITE, max_lines=1)


def draw_languages(surface: pygame.Surface, config: Config, boxes: Sequence[Box], lang: str) -> None:
    for code, box in zip(config.site.languages, boxes, strict=True):
        draw_toggle(surface, box, Translator(code)("language_name"), selected=code == lang)


def draw_home(surface: pygame.Surface, *, config: Config, t: Translator, layout: HomeLayout, now: datetime,
              schedule: Schedule, lang: str, focus: int | None, notice: str = "", label_px: int,
              large: bool = False, no_desk: frozenset[str] = frozenset()) -> None:
    u = unit(surface)
    surface.fill(PAPER)
    draw_header(surface, config, t, layout, now, schedule, lang, large)
    draw_text(surface, notice or t("home_prompt"), layout.prompt, layout.prompt_px or round((9 if large else 7) * u),
              WARN if notice else INK, max_lines=1)
    if layout.hint is not None:
        draw_text(surface, t("home_keypad_hint"), layout.hint, layout.hint_px or round(3.6 * u), MUTED,
                  max_lines=2 if layout.hint_px else 1)
    for i, box in enumerate(layout.buttons):
        index = layout.first + i
        service = config.services[index]
        draw_service_button(surface, service, box, index + 1, lang, focused=(focus == index),
                            label_px=label_px, layout=layout,
                            resting=t("home_no_desk_today") if service.id in no_desk else "")
    for box, key in ((layout.prev, "home_page_prev"), (layout.next, "home_page_next")):
        if box is not None:
            pygame.draw.rect(surface, BAND, rect(box), border_radius=round(1.5 * u))
            draw_text(surface, t(key), box.inset(round(u)), round(8 * u), WHITE, max_lines=1)


def badge_box_for(box: Box, layout: HomeLayout) -> Box:
    """The number's disc at the start of a service button (its right end in a right-to-left language)."""
    u = layout.unit
    badge_d = min(box.h - round(2 * u), round(12 * u))
    return layout.flow.within(Box(box.x + round(1.5 * u), box.y + (box.h - badge_d) // 2, badge_d, badge_d), box)


def label_box_for(box: Box, layout: HomeLayout) -> Box:
    """The label's room after the disc."""
    u = layout.unit
    badge_d = min(box.h - round(2 * u), round(12 * u))
    start = box.x + round(1.5 * u) + badge_d + round(2 * u)
    return layout.flow.within(Box(start, box.y + round(u), box.w - badge_d - round(5 * u), box.h - round(2 * u)), box)


def draw_service_button(surface: pygame.Surface, service: Service, box: Box, number: int, lang: str,
                        focused: bool, label_px: int, layout: HomeLayout, resting: str = "") -> None:
    """One service button; every label uses the same size (`label_px`), so none looks less important.
    `resting`: the words for a service no desk works today, drawn greyed under its label."""
    u = unit(surface)
    radius = round(1.5 * u)
    if resting:
        draw_resting_button(surface, service, box, number, lang, focused, label_px, layout, resting)
        return
    pygame.draw.rect(surface, hex_colour(service.colour), rect(box), border_radius=radius)
    if focused:
        pygame.draw.rect(surface, FOCUS, rect(box), width=max(4, round(1.2 * u)), border_radius=radius)
    badge = badge_box_for(box, layout)
    pygame.draw.circle(surface, WHITE, badge.center, badge.w // 2)
    draw_text(surface, str(number), badge.inset(round(badge.w * 0.15)), round(badge.w * 0.8),
              hex_colour(service.colour), max_lines=1)
    draw_text(surface, service.label(lang), label_box_for(box, layout), label_px, WHITE, align="left", max_lines=3,
              rtl=layout.flow.rtl)


def draw_resting_button(surface: pygame.Surface, service: Service, box: Box, number: int, lang: str,
                        focused: bool, label_px: int, layout: HomeLayout, resting: str) -> None:
    """Greyed, dark text on it (10.2:1), the label and under it "Oggi nessuno sportello"."""
    u = unit(surface)
    radius = round(1.5 * u)
    pygame.draw.rect(surface, RESTING_BG, rect(box), border_radius=radius)
    pygame.draw.rect(surface, MUTED, rect(box), width=max(2, round(0.3 * u)), border_radius=radius)
    if focused:
        pygame.draw.rect(surface, FOCUS, rect(box), width=max(4, round(1.2 * u)), border_radius=radius)
    badge = badge_box_for(box, layout)
    pygame.draw.circle(surface, RESTING_INK, badge.center, badge.w // 2)
    draw_text(surface, str(number), badge.inset(round(badge.w * 0.15)), round(badge.w * 0.8), RESTING_BG,
              max_lines=1)
    text = label_box_for(box, layout)
    top = Box(text.x, text.y, text.w, text.h * 3 // 5)
    bottom = Box(text.x, top.y + top.h, text.w, text.h - top.h)
    draw_text(surface, service.label(lang), top, label_px, RESTING_INK, align="left", max_lines=2, rtl=layout.flow.rtl)
    draw_text(surface, resting, bottom, max(round(label_px * 0.8), 1), RESTING_INK, align="left", max_lines=1,
              rtl=layout.flow.rtl)


def draw_take(surface: pygame.Surface, *, t: Translator, code: str | None, service: Service | None, lang: str,
              lines: Sequence[str], ticket_image: pygame.Surface | None, large: bool = False, printed: bool = True,
              left_s: float | None = None, total_s: float = 1.0, warning: bool = False, rtl: bool = False) -> None:
    """The ticket screen: the code at once, the ticket image when it is ready, the time left."""
    u = unit(surface)
    surface.fill(PAPER)
    layout = take_layout(surface.get_size(), with_image=ticket_image is not None and not large, rtl=rtl)
    if ticket_image is not None and layout.slot is not None:
        slot = layout.slot
        scale = min(slot.w / ticket_image.get_width(), slot.h / ticket_image.get_height())
        image = pygame.transform.smoothscale(ticket_image, (max(1, int(ticket_image.get_width() * scale)),
                                                            max(1, int(ticket_image.get_height() * scale))))
        x = slot.x + (slot.w - image.get_width()) // 2
        y = slot.y + (slot.h - image.get_height()) // 2
        pygame.draw.rect(surface, MUTED, pygame.Rect(x + 6, y + 6, image.get_width(), image.get_height()))
        surface.blit(image, (x, y))
    area = layout.text
    rows = [0.16, 0.38, 0.16, 0.15, 0.15]
    boxes = []
    y = area.y
    for share in rows:
        boxes.append(Box(area.x, y, area.w, int(area.h * share)))
        y += int(area.h * share)
    scale = 1.45 if large else 1.0
    draw_text(surface, t("take_title") if printed and code else t("take_printing"), boxes[0], round(9 * u * scale),
              BAND)
    if code:
        draw_text(surface, code, boxes[1], round(40 * u * scale), INK, max_lines=1)
    if service is not None:
        draw_text(surface, service.label(lang), boxes[2], round(7 * u * scale), darker(hex_colour(service.colour)))
    for line, box in zip(lines, boxes[3:5], strict=False):
        draw_text(surface, line, box, round(5.5 * u * scale), INK)
    if code is None or left_s is None:
        return
    more = layout.more_time
    pygame.draw.rect(surface, BAND, rect(more), border_radius=round(1.5 * u))
    draw_text(surface, t("take_more_time"), more.inset(round(u)), round(7 * u), WHITE, max_lines=1)
    text = t("take_expires", s=math.ceil(left_s)) if warning else t("take_back")
    draw_text(surface, text, layout.note, round((6 if warning else 4.5) * u), WARN if warning else MUTED, max_lines=2)
    draw_countdown(surface, layout.bar, left_s, total_s, warning, flow=layout.flow)


def draw_countdown(surface: pygame.Surface, bar: Box, left_s: float, total_s: float, warning: bool,
                   flow: Flow = LTR) -> None:
    """A bar that shrinks towards the start of the line as the time runs out; red in the warning."""
    pygame.draw.rect(surface, (215, 215, 210), rect(bar))
    filled = round(bar.w * max(0.0, min(1.0, left_s / total_s)))
    pygame.draw.rect(surface, WARN if warning else BAND, rect(flow.within(Box(bar.x, bar.y, filled, bar.h), bar)))


def darker(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """A service colour dark enough to read as text on the paper background."""
    r, g, b = colour
    while contrast((r, g, b), PAPER) < 7.0 and (r or g or b):
        r, g, b = int(r * 0.85), int(g * 0.85), int(b * 0.85)
    return r, g, b


def draw_closed(surface: pygame.Surface, *, config: Config, t: Translator, opening: Opening, now: datetime,
                schedule: Schedule, layout: HomeLayout, notice: str = "") -> None:
    u = unit(surface)
    w, h = surface.get_size()
    surface.fill(BAND)
    pad = round(4 * u)
    draw_languages(surface, config, layout.languages, t.lang)
    flow = layout.flow
    side = (w - flow(layout.languages[0]).x) if len(config.site.languages) > 1 else pad  # centred, clear of them
    draw_text(surface, t("closed_title"), Box(side, pad + round(6 * u), w - 2 * side, round(10 * u)), round(10 * u),
              WHITE)
    holiday = (schedule.holiday_name(now.date(), t.lang) or opening.holiday_name) if opening.holiday_name else ""
    reason = closed_reason(t, opening.reason, holiday)
    y = pad + round(17 * u)
    if reason:
        draw_text(surface, reason, Box(pad, y, w - 2 * pad, round(7 * u)), round(5.5 * u), FOCUS)
    y += round(8 * u)
    if opening.next_opening is not None:
        draw_text(surface, t("closed_next", when=reopening_text(t, opening.next_opening, now)),
                  Box(pad, y, w - 2 * pad, round(12 * u)), round(8 * u), WHITE)
    y += round(13 * u)
    # the week's hours, so nobody has to come back to find out
    table_h = h - y - round(16 * u)
    row_h = max(1, table_h // 7)
    monday = now.date().toordinal() - now.weekday()
    for i in range(7):
        day = datetime.fromordinal(monday + i).replace(tzinfo=now.tzinfo)
        ranges = hours_text(t, schedule, day)
        colour = FOCUS if i == now.weekday() else WHITE
        draw_text(surface, t(f"weekday_{i}"), flow(Box(w // 6, y + i * row_h, w // 3, row_h)), round(5 * u), colour,
                  align="left", max_lines=1, rtl=flow.rtl)
        draw_text(surface, ranges, flow(Box(w // 2, y + i * row_h, w // 3, row_h)), round(5 * u), colour,
                  align="left", max_lines=1, rtl=flow.rtl)
    draw_text(surface, contacts_line(t, config), Box(pad, h - round(14 * u), w - 2 * pad, round(11 * u)),
              round(5 * u), WHITE)
    draw_notice(surface, notice)


def contacts_line(t: Translator, config: Config) -> str:
    """Where the desk is (when the site file says) and how to book."""
    contacts = t("closed_appointments", phone=config.contacts.phone, email=config.contacts.email)
    return f"{config.site.address} · {contacts}" if config.site.address else contacts


def draw_notice(surface: pygame.Surface, notice: str) -> None:
    """A warning band across the bottom (the reset countdown on Closed and Out of service)."""
    if notice:
        u = unit(surface)
        w, h = surface.get_size()
        band = Box(0, h - round(12 * u), w, round(12 * u))
        pygame.draw.rect(surface, WARN, rect(band))
        draw_text(surface, notice, band.inset(round(u)), round(6 * u), WHITE, max_lines=1)


def draw_out_of_service(surface: pygame.Surface, *, t: Translator, config: Config, layout: HomeLayout,
                        detail: str = "", notice: str = "", voided: str | None = None) -> None:
    """`voided`: the code a citizen just saw whose ticket did not print: told it is cancelled, and
    what to do, in the title's place of honour (issue 25)."""
    u = unit(surface)
    w, h = surface.get_size()
    surface.fill(PAPER)
    pad = round(6 * u)
    pygame.draw.rect(surface, BAND, pygame.Rect(0, 0, w, h // 4))
    draw_languages(surface, config, layout.languages, t.lang)
    side = (w - layout.flow(layout.languages[0]).x) if len(config.site.languages) > 1 else pad  # no "Aa" here
    name_box = Box(side, pad // 2 + round(4 * u), w - 2 * side, h // 4 - pad - round(4 * u))
    draw_text(surface, config.site.desk_name, name_box, round(8 * u), WHITE)
    if voided:
        draw_text(surface, t("out_voided", code=voided), Box(pad, h // 4 + pad, w - 2 * pad, h // 5), round(8 * u),
                  WARN)
        draw_text(surface, t("out_voided_next"), Box(pad, h // 2, w - 2 * pad, h // 4), round(7 * u), INK,
                  max_lines=3)
        draw_text(surface, t("out_title"), Box(pad, h // 2 + h // 4, w - 2 * pad, h // 12), round(4.5 * u), MUTED,
                  max_lines=1)
    else:
        draw_text(surface, t("out_title"), Box(pad, h // 4 + pad, w - 2 * pad, h // 5), round(8 * u), WARN)
        draw_text(surface, t("out_sentence"), Box(pad, h // 2, w - 2 * pad, h // 4), round(7 * u), INK, max_lines=3)
    if detail and not voided:  # the cause, when a citizen can understand it ("orologio non sincronizzato")
        draw_text(surface, detail, Box(pad, h // 2 + h // 4, w - 2 * pad, h // 12), round(4.5 * u), MUTED,
                  max_lines=1)
    draw_text(surface, contacts_line(t, config), Box(pad, h - h // 6, w - 2 * pad, h // 8), round(4.5 * u), MUTED)
    draw_notice(surface, notice)


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
