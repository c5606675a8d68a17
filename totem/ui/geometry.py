"""Screen geometry without pygame: scaled layouts for any size and orientation, and the
mapping of touches back from a rotated panel. No pixel size is hard-coded: everything
is a fraction of the logical screen."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class HomeLayout:
    header: Box
    clock: Box
    prompt: Box
    buttons: tuple[Box, ...]
    languages: tuple[Box, ...]
    corner: Box  # technician gesture: long press here


def grid_columns(n: int, size: tuple[int, int]) -> int:
    w, h = size
    if n <= 3:
        return 1
    if w > h * 1.2 and n > 6:  # landscape: three columns keep rows >= 20 mm tall
        return 3
    return 2


def home_layout(size: tuple[int, int], services: int, languages: int) -> HomeLayout:
    """Header in the top third, service buttons in the lower two-thirds (wheelchair reach)."""
    w, h = size
    unit = min(w, h) / 100.0
    margin = round(2 * unit)
    top = h // 3
    header = Box(0, 0, w, top - round(9 * unit))
    prompt = Box(margin, header.h, w - 2 * margin, top - header.h)
    lang_w = round(16 * unit)
    lang_h = round(7 * unit)
    lang_boxes = tuple(Box(w - margin - (languages - i) * (lang_w + margin // 2), margin, lang_w, lang_h)
                       for i in range(languages))
    clock = Box(margin, margin, round(30 * unit), round(8 * unit))
    cols = grid_columns(services, size)
    rows = max(1, math.ceil(services / cols))
    area = Box(margin, top, w - 2 * margin, h - top - margin)
    gap = round(1.5 * unit)
    bw = (area.w - gap * (cols - 1)) // cols
    bh = (area.h - gap * (rows - 1)) // rows
    buttons = tuple(Box(area.x + (i % cols) * (bw + gap), area.y + (i // cols) * (bh + gap), bw, bh)
                    for i in range(services))
    corner = Box(0, 0, round(10 * unit), round(10 * unit))
    return HomeLayout(header, clock, prompt, buttons, lang_boxes, corner)


def button_height_mm(layout: HomeLayout, size: tuple[int, int], diagonal_in: float = 10.1) -> float:
    """Physical height of the service buttons on a panel of that diagonal."""
    w, h = size
    px_per_mm = math.hypot(w, h) / (diagonal_in * 25.4)
    return min(b.h for b in layout.buttons) / px_per_mm


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
