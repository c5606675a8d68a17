"""Right-to-left text for Arabic, as runs a renderer can draw one by one.

pygame-ce's fonts shape Arabic with HarfBuzz (`Font.set_script("Arab")`,
`set_direction(DIRECTION_RTL)`), but SDL_ttf 2.24 lays the words of a multi-word RTL string
out left to right, and a ticket code or a time inside an Arabic sentence must stay left to
right. So a line is cut here into words (each shaped on its own, right to left) and runs of
left-to-right text (codes, times, numbers, Latin words), in logical order; the renderer places
them from the right edge leftwards. Pure functions: no pygame, no Pillow.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\S+")


def is_rtl_char(ch: str) -> bool:
    cp = ord(ch)
    return 0x0590 <= cp <= 0x08FF or 0xFB1D <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF


def has_rtl(text: str) -> bool:
    return any(is_rtl_char(ch) for ch in text)


def _strong_ltr(token: str) -> bool:
    return any(ch.isalnum() and not is_rtl_char(ch) for ch in token)


def logical_runs(text: str) -> list[tuple[str, bool]]:
    """(text, is_rtl) runs in reading order: each RTL word alone, LTR words (with the neutral
    signs between them) together. Placed right to left, they read as an Arabic line should."""
    tokens = _TOKEN.findall(text)
    runs: list[tuple[str, bool]] = []
    pending: list[str] = []  # an LTR run being collected, with the neutral tokens inside it

    def flush() -> None:
        trailing: list[str] = []
        while pending and not _strong_ltr(pending[-1]):
            trailing.insert(0, pending.pop())  # trailing neutral signs belong to the RTL flow
        if pending:
            runs.append((" ".join(pending), False))
            pending.clear()
        runs.extend((token, True) for token in trailing)

    for token in tokens:
        if has_rtl(token):
            flush()
            runs.append((token, True))
        elif _strong_ltr(token) or pending:
            pending.append(token)
        else:
            runs.append((token, True))  # a neutral between RTL words: RTL flow
    flush()
    return runs
