"""The one typeface of the product: Atkinson Hyperlegible (SIL Open Font License), chosen
for legibility by low-vision readers, shipped by the `fontpkg-atkinson-hyperlegible`
wheel (130 KB). The kiosk, the call screen and the ticket image all draw with it, so the
screen and the paper look alike and every Italian accent has its glyph."""

from __future__ import annotations

from functools import cache
from importlib import resources

PACKAGE = "fontpkg_atkinson_hyperlegible"


@cache
def font_file(*, bold: bool = True) -> str:
    """Path of the TTF (bold by default: everything the totem shows is read from afar)."""
    name = "AtkinsonHyperlegible-Bold.ttf" if bold else "AtkinsonHyperlegible-Regular.ttf"
    return str(resources.files(PACKAGE).joinpath("files", name))
