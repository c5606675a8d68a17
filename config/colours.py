"""Colour contrast as WCAG 2.1 defines it: used by check-config, the screens and their tests."""

from __future__ import annotations

Rgb = tuple[int, int, int]
WHITE: Rgb = (255, 255, 255)


def hex_colour(value: str) -> Rgb:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def luminance(colour: Rgb) -> float:
    """WCAG 2.1 relative luminance."""
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = colour[:3]
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: Rgb, b: Rgb) -> float:
    """The contrast ratio, 1.0 (none) to 21.0 (black on white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
