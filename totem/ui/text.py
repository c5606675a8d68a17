"""Text to pixels for every script the site's languages use: the font for the text's script
(printer/fonts.py) and, for Arabic, shaped words placed right to left (config/bidi.py)."""

from __future__ import annotations

import re
from functools import lru_cache

import pygame

from config.bidi import has_rtl, logical_runs
from config.languages import script_of
from printer.fonts import font_for_script


@lru_cache(maxsize=128)
def font(px: int, script: str = "Latn") -> pygame.font.Font:
    """The product's typeface for that script at px (cached: clear it after a new pygame.init())."""
    choice = font_for_script(script, bold=True)
    f = pygame.font.Font(choice.path, max(8, px))  # a .ttc opens its first face (pygame has no index)
    if choice.bold_by_weight:
        f.bold = True  # a variable font opens at its regular weight: embolden, as Atkinson Bold is
    if script == "Arab":
        f.set_script("Arab")  # HarfBuzz shaping: joined letters
    return f


# Noto Sans Arabic's line is 2.1 times its size (room for stacked marks); Atkinson's is 1.24,
# CJK's 1.45. Lines are set at most 1.45 sizes apart, so an Arabic label fits a button as an
# Italian one does (the glyphs' own surfaces may overlap in their empty margins).
MAX_LINE_RATIO = 1.45


def line_height(f: pygame.font.Font) -> int:
    return min(f.get_linesize(), round(MAX_LINE_RATIO * f.point_size))


_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_TOKENS = re.compile(f"[{_CJK}]|[^\\s{_CJK}]+|\\s+")  # a Chinese character alone, a word, a space


def wrap(text: str, f: pygame.font.Font, width: int) -> list[str]:
    """Greedy lines at most `width` wide; Chinese breaks between any two characters."""
    lines: list[str] = []
    current = ""
    for token in _TOKENS.findall(text):
        if token.isspace():
            current += " " if current else ""
            continue
        trial = current + token
        if line_width(f, trial) <= width or not current.strip():
            current = trial
        else:
            lines.append(current.rstrip())
            current = token
    if current.strip():
        lines.append(current.rstrip())
    return lines or [""]


def font_for_text(px: int, text: str) -> pygame.font.Font:
    return font(px, script_of(text))


def line_width(f: pygame.font.Font, line: str) -> int:
    """The width `render_line` draws the line at: an Arabic line, set word by word, is wider
    than the font's own measure of it (by a fifth for "مزيد من الوقت")."""
    return render_line(f, line, (0, 0, 0)).get_width() if has_rtl(line) else f.size(line)[0]


def render_line(f: pygame.font.Font, line: str, colour: tuple[int, int, int]) -> pygame.Surface:
    """One line of text; an Arabic one right to left, word by word (see config/bidi.py)."""
    if not has_rtl(line):
        return f.render(line, True, colour)
    space = f.size(" ")[0]
    parts = []
    for text, rtl in logical_runs(line):
        f.set_direction(pygame.DIRECTION_RTL if rtl else pygame.DIRECTION_LTR)
        f.set_script("Arab" if rtl else "Latn")
        parts.append(f.render(text, True, colour))
    f.set_direction(pygame.DIRECTION_LTR)
    f.set_script("Arab")
    width = sum(p.get_width() for p in parts) + space * (len(parts) - 1)
    out = pygame.Surface((max(1, width), max(p.get_height() for p in parts)), pygame.SRCALPHA)
    x = width
    for part in parts:  # reading order, from the right edge leftwards
        x -= part.get_width()
        out.blit(part, (x, 0))
        x -= space
    return out
