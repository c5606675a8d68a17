"""No tofu: every string a citizen can see has a glyph in the product's typeface, on screen
and in the ticket image (Pillow's bundled font drew boxes for the accented letters)."""

from __future__ import annotations

from conftest import SHIPPED

from config import load_config
from config.i18n import _catalogue, available_languages
from config.languages import script_of
from printer.fonts import font_file
from printer.layout import Text, TicketLayout
from printer.png_render import _font, render_png

EXTRA = "àèéìòù ÀÈÉÌÒÙ ç € · … « » – ’"


def visible_strings() -> list[str]:
    config = load_config(SHIPPED)
    out = [EXTRA, config.site.name, config.site.desk_name, config.site.address, config.hub.message]
    for lang in available_languages():
        out += list(_catalogue(lang).values())
        out += [s.label(lang) for s in config.services]
    return [s for s in out if s]


def test_every_visible_string_has_its_glyphs() -> None:
    """Latin strings, in Atkinson's cmap (pygame-ce's metrics measure .notdef for a missing
    glyph, so they cannot tell); the other scripts' fonts: tests/test_languages.py."""
    from fontTools.ttLib import TTFont

    for bold in (True, False):
        cmap = TTFont(font_file(bold=bold)).getBestCmap()
        missing = {ch for text in visible_strings() if script_of(text) == "Latn" for ch in text
                   if ord(ch) not in cmap and not ch.isspace()}
        assert not missing, f"no glyph for {sorted(missing)}"


def test_the_ticket_image_draws_accents_not_boxes() -> None:
    font = _font(40, True)
    notdef = font.getmask("\uffff").getbbox()
    for ch in "àèéìòù€":
        assert font.getmask(ch).getbbox() != notdef, ch
    image = render_png(TicketLayout(80, (Text("Città, perché, più, già", width=1, height=2),)))
    assert image.getextrema()[0] == 0  # ink on the paper
