"""Fitting words to a printed line: a ticket line never runs past the paper's width.

Words wrap whole. A word longer than the line (an e-mail address, a web address) is broken
only after "@" (the domain then stays whole when it fits) or "/", or before "." "-" "_" "?" "&"
"=" "#", at the last such point that fits, so each piece still reads as part of an address;
only a word with no such point at all (none in practice) is cut at the margin.
"""

from __future__ import annotations

import re

# Break after "@" and "/" (the piece ends with them), or before these (the next piece starts with them).
_BEFORE = ".-_?&=#"


def fit_words(text: str, width: int) -> list[str]:
    """`text` as lines of at most `width` characters, broken only between words, or inside a
    too-long word at its sensible points."""
    if width < 1:
        raise ValueError(f"a line must hold at least one character (got width {width})")
    pieces: list[tuple[str, bool]] = []  # (piece, a space before it)
    for word in text.split():
        parts = _split_long(word, width)
        pieces += [(part, i == 0) for i, part in enumerate(parts)]
    lines: list[str] = []
    line = ""
    for piece, spaced in pieces:
        joined = f"{line} {piece}" if line and spaced else line + piece
        if line and len(joined) > width:
            lines.append(line)
            line = piece
        else:
            line = joined
    return [*lines, line]


def _split_long(word: str, width: int) -> list[str]:
    """A word in pieces of at most `width` characters (one piece when it fits)."""
    parts: list[str] = []
    while len(word) > width:
        cut = _break_at(word, width)
        parts.append(word[:cut])
        word = word[cut:]
    return [*parts, word]


def _break_at(text: str, width: int) -> int:
    """Where to end the next piece of a word: the last sensible point that fits, else the margin."""
    at = text.find("@", 0, width)
    if at > 0:  # an e-mail address: the mailbox, then the domain whole when it fits
        return at + 1
    slashes = [m.end() for m in re.finditer("/", text[:width])]
    if slashes and slashes[-1] > width // 2:  # a web address: at its last "/" that fits
        return slashes[-1]
    points = slashes + [m.start() for m in re.finditer(f"[{re.escape(_BEFORE)}]", text[:width + 1]) if m.start() > 0]
    return max(points) if points else width
