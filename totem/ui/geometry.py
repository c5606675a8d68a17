"""Screen geometry without pygame: scaled layouts for any size and orientation, and the
mapping of touches back from a rotated panel. No pixel size is hard-coded: everything
is a fraction of the logical screen.

A right-to-left language (Arabic) reads the screen from the right: each layout is built
left to right and then `mirrored` as a whole (every box at its mirrored x), so the hit
tests, which use the same boxes, follow the drawing. What is drawn inside a box, or between
two, is placed through the layout's `Flow`, which turns a left-to-right box into its place
on the panel and says which way text starts."""

from __future__ import annotations

import dataclasses
import math
from typing import TypeVar

from config.frozen import frozen


@frozen
class Box:
    x: int
    y: int
    w: int
    h: int

    def contains(self, px: float, py: float) -> bool:
        return self.x <= px < self.x + self.w and self.y <= py < self.y + self.h

    @property
    def center(self) -> tuple[int, int]:
        return self.x + self.w // 2, self.y + self.h // 2

    def inset(self, d: int) -> Box:
        return Box(self.x + d, self.y + d, max(1, self.w - 2 * d), max(1, self.h - 2 * d))


def mirror(box: Box, width: int, left: int = 0) -> Box:
    """The box at its mirrored place in the span [left, left + width) (the screen by default)."""
    return Box(2 * left + width - box.x - box.w, box.y, box.w, box.h)


@frozen
class Flow:
    """Which way a screen reads: left to right, or right to left across `width` pixels."""

    rtl: bool = False
    width: int = 0

    def __call__(self, box: Box) -> Box:
        """A box placed left to right, where it goes on the panel (itself when LTR). Its own inverse:
        a box of a mirrored layout, called through it, is back in left-to-right terms."""
        return mirror(box, self.width) if self.rtl else box

    def within(self, inner: Box, outer: Box) -> Box:
        """`inner`, placed from the left of `outer`, placed from its right when RTL (a badge in a button)."""
        return mirror(inner, outer.w, outer.x) if self.rtl else inner

    @property
    def start(self) -> str:
        """The alignment where a line begins: "left", or "right" when RTL."""
        return "right" if self.rtl else "left"


LTR = Flow()
L = TypeVar("L")


def mirrored(layout: L, width: int, *, keep: tuple[str, ...] = ()) -> L:
    """A layout (a dataclass of boxes) for a right-to-left language: every box, and every box of
    its tuples, at its mirrored x across `width`; its `flow` field, if it has one, set RTL. The
    fields in `keep` are left as they are (a numeric keypad stays left to right)."""
    def flip(value: object) -> object:
        if isinstance(value, Box):
            return mirror(value, width)
        if isinstance(value, tuple):
            return tuple(flip(v) for v in value)
        return value

    changes: dict[str, object] = {f.name: flip(getattr(layout, f.name)) for f in dataclasses.fields(layout)  # type: ignore[arg-type]
                                  if f.name not in keep}
    if "flow" in changes:
        changes["flow"] = Flow(True, width)
    return dataclasses.replace(layout, **changes)  # type: ignore[type-var]


def logical_size(window: tuple[int, int], rotation: int) -> tuple[int, int]:
    w, h = window
    return (h, w) if rotation in (90, 270) else (w, h)


def to_logical(pos: tuple[float, float], window: tuple[int, int], rotation: int) -> tuple[float, float]:
    """Map a point on the physical window to the logical (unrotated) surface.

    The logical surface is rotated counter-clockwise by `rotation` degrees when shown
    (pygame.transform.rotate), so a touch is rotated back clockwise.
    """
    x, y = pos
    w, h = window
    if rotation == 0:
        return x, y
    if rotation == 90:  # logical (lx, ly) shown at (ly, lw - 1 - lx), lw = h
        return h - 1 - y, x
    if rotation == 180:
        return w - 1 - x, h - 1 - y
    if rotation == 270:
        return y, w - 1 - x
    raise ValueError(f"rotation must be 0, 90, 180 or 270 (got {rotation})")


@frozen
class HomeLayout:
    header: Box
    clock: Box
    prompt: Box
    buttons: tuple[Box, ...]  # the services first .. first + len(buttons) - 1
    languages: tuple[Box, ...]
    corner: Box  # technician gesture: long press here
    text_size: Box  # "Aa": large text on and off
    hint: Box | None = None  # the keypad hint (normal text only)
    first: int = 0
    pages: int = 1
    prev: Box | None = None  # page buttons, large text with more services than fit
    next: Box | None = None
    unit: float = 1.0  # a hundredth of the short side, in pixels
    per_page: int = 0  # services per page (0: all on one)
    compact: bool = False  # a slim header (clock and desk name), the services paged below
    prompt_px: int = 0  # font sizes the text needs on this panel (0: the layout's own proportion)
    hint_px: int = 0
    flow: Flow = LTR  # right to left: `mirrored` (an Arabic session)

    def service_at(self, px: float, py: float) -> int | None:
        for i, box in enumerate(self.buttons):
            if box.contains(px, py):
                return self.first + i
        return None


def grid_columns(n: int, size: tuple[int, int]) -> int:
    w, h = size
    if n <= 3:
        return 1
    if w > h * 1.2 and n > 6:  # landscape: three columns keep rows >= 20 mm tall
        return 3
    return 2


def _grid(area: Box, count: int, cols: int, gap: int) -> tuple[Box, ...]:
    rows = max(1, math.ceil(count / cols))
    bw = (area.w - gap * (cols - 1)) // cols
    bh = (area.h - gap * (rows - 1)) // rows
    return tuple(Box(area.x + (i % cols) * (bw + gap), area.y + (i // cols) * (bh + gap), bw, bh)
                 for i in range(count))


def home_layout(size: tuple[int, int], services: int, languages: int, *, large: bool = False,
                per_page: int | None = None, cols: int | None = None, page: int = 0, compact: bool = False,
                prompt_px: int = 0, hint_px: int = 0, line_ratio: float = 1.35) -> HomeLayout:
    """Normal text: header in the top third, every service button in the lower two-thirds
    (wheelchair reach). Large text, or `compact` normal text (a small panel, where the text
    must keep its size in millimetres): a slim header and `per_page` services at a time in
    `cols` columns, with page buttons at the bottom when they do not all fit. In compact normal
    text the keypad hint stays, on up to two lines of `hint_px` (each `line_ratio` x px tall)."""
    w, h = size
    unit = min(w, h) / 100.0
    margin = round(2 * unit)
    gap = round(1.5 * unit)
    slim = large or compact
    lang_h = round(7 * unit) if not slim else round(10 * unit) if large else round(9 * unit)
    lang_w = round(22 * unit) if slim else round(16 * unit)  # "Italiano" at 3 mm capitals on a 7" panel
    lang_boxes = language_boxes(w, margin, languages, lang_w, lang_h)
    lang_cols = math.ceil(languages / language_rows(languages))
    text_size = Box(w - margin - lang_cols * (lang_w + margin // 2) - lang_h - margin, margin, lang_h, lang_h)
    corner = Box(0, 0, round(10 * unit), round(10 * unit))
    if not slim:
        top = h // 3
        header = Box(0, 0, w, top - round(9 * unit))
        prompt = Box(margin, header.h, w - 2 * margin, (top - header.h) * 3 // 5)
        hint = Box(margin, prompt.y + prompt.h, w - 2 * margin, top - header.h - prompt.h)
        clock = Box(margin, margin, round(30 * unit), round(8 * unit))
        area = Box(margin, top, w - 2 * margin, h - top - margin)
        buttons = _grid(area, services, cols or grid_columns(services, size), gap)
        return HomeLayout(header, clock, prompt, buttons, lang_boxes, corner, text_size, hint, unit=unit)
    per_page = max(1, min(per_page or services, services))
    pages = math.ceil(services / per_page)
    page = max(0, min(page, pages - 1))
    first = page * per_page
    count = min(per_page, services - first)
    header = Box(0, 0, w, max(b.y + b.h for b in lang_boxes) + margin if lang_boxes else lang_h + 2 * margin)
    clock = Box(margin, margin, round(20 * unit), lang_h)
    prompt = Box(margin, header.h, w - 2 * margin,
                 math.ceil(prompt_px * line_ratio) if compact and prompt_px else round(10 * unit))
    hint = Box(margin, prompt.y + prompt.h, w - 2 * margin, math.ceil(2 * hint_px * line_ratio)) \
        if compact and hint_px else None
    nav_h = (round(11 * unit) if large else round(9 * unit)) if pages > 1 else 0
    top = (hint or prompt).y + (hint or prompt).h
    area = Box(margin, top, w - 2 * margin, h - top - margin - (nav_h + gap if nav_h else 0))
    buttons = _grid(area, count, cols or (1 if per_page <= 3 else 2), gap)
    prev = nxt = None
    if pages > 1:
        half = (w - 2 * margin - gap) // 2
        y = h - margin - nav_h
        prev = Box(margin, y, half, nav_h) if page > 0 else None
        nxt = Box(margin + half + gap, y, half, nav_h) if page < pages - 1 else None
    return HomeLayout(header, clock, prompt, buttons, lang_boxes, corner, text_size, hint, first, pages, prev, nxt,
                      unit, per_page, compact=compact, prompt_px=prompt_px, hint_px=hint_px)


def language_rows(languages: int) -> int:
    """The picker's rows: one for two languages, two for more (seven fit beside the clock)."""
    return 1 if languages <= 2 else 2


def language_boxes(w: int, margin: int, languages: int, lang_w: int, lang_h: int) -> tuple[Box, ...]:
    """The language picker at the top right, in the site's order, left to right then down."""
    cols = math.ceil(languages / language_rows(languages)) if languages else 1
    step_x, step_y = lang_w + margin // 2, lang_h + margin // 2
    return tuple(Box(w - margin - (cols - i % cols) * step_x, margin + (i // cols) * step_y, lang_w, lang_h)
                 for i in range(languages))


def px_per_mm(size: tuple[int, int], diagonal_in: float) -> float:
    w, h = size
    return math.hypot(w, h) / (diagonal_in * 25.4)


@frozen
class TakeLayout:
    text: Box  # title, code, service, people ahead, wait
    slot: Box | None  # the ticket image
    more_time: Box  # "Più tempo"
    bar: Box  # time left
    note: Box  # beside "Più tempo": "Tocchi lo schermo per tornare", or the seconds left
    flow: Flow = LTR


def take_layout(size: tuple[int, int], *, with_image: bool, rtl: bool = False) -> TakeLayout:
    w, h = size
    unit = min(w, h) / 100.0
    pad = round(3 * unit)
    bar = Box(0, h - round(2.5 * unit), w, round(2.5 * unit))
    bottom = bar.y - pad
    if with_image and h > w:
        slot: Box | None = Box(round(20 * unit), h // 2, w - round(40 * unit), bottom - h // 2 - round(16 * unit))
        text = Box(pad, pad, w - 2 * pad, h // 2 - pad)
    elif with_image:
        slot = Box(w - w * 2 // 5, pad, w * 2 // 5 - pad, bottom - pad)
        text = Box(pad, pad, w * 3 // 5 - 2 * pad, bottom - round(16 * unit) - pad)
    else:
        slot = None
        text = Box(pad, pad, w - 2 * pad, bottom - round(16 * unit) - pad)
    more = Box(pad, bottom - round(14 * unit), round(36 * unit), round(14 * unit))
    note = Box(more.x + more.w + pad, more.y, w - more.x - more.w - round(6 * unit), more.h)
    layout = TakeLayout(text, slot, more, bar, note)
    return mirrored(layout, w) if rtl else layout


def button_height_mm(layout: HomeLayout, size: tuple[int, int], diagonal_in: float = 10.1) -> float:
    """Physical height of the service buttons on a panel of that diagonal."""
    return min(b.h for b in layout.buttons) / px_per_mm(size, diagonal_in)


def keypad_layout(size: tuple[int, int]) -> tuple[tuple[str, Box], ...]:
    """The technician's PIN pad: 1-9, then cancel, 0, OK, centred in the lower part."""
    w, h = size
    unit = min(w, h) / 100.0
    key = round(14 * unit)
    gap = round(2 * unit)
    total_w = 3 * key + 2 * gap
    x0 = (w - total_w) // 2
    y0 = h - 4 * key - 3 * gap - round(4 * unit)
    labels = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "cancel", "0", "ok"]
    return tuple((label, Box(x0 + (i % 3) * (key + gap), y0 + (i // 3) * (key + gap), key, key))
                 for i, label in enumerate(labels))


def menu_layout(size: tuple[int, int], items: int) -> tuple[Box, ...]:
    w, h = size
    unit = min(w, h) / 100.0
    top = round(22 * unit)
    gap = round(2 * unit)
    cols = 2
    rows = math.ceil(items / cols)
    bw = (w - 2 * gap - gap * (cols - 1)) // cols
    bh = min(round(14 * unit), (h - top - gap * (rows + 1)) // rows)
    return tuple(Box(gap + (i % cols) * (bw + gap), top + (i // cols) * (bh + gap), bw, bh) for i in range(items))
