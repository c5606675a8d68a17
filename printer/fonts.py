"""The product's typefaces, one per writing system, all under the SIL Open Font License.

- Latin (it, en, ro, sq): Atkinson Hyperlegible, chosen for legibility by low-vision readers,
  from the `fontpkg-atkinson-hyperlegible` wheel (130 KB);
- Cyrillic (uk): Noto Sans, `fontpkg-noto-sans` wheel (variable font, 4.3 MB with its italic);
- Arabic (ar): Noto Sans Arabic, `fontpkg-noto-sans-arabic` wheel (860 KB, Latin digits and
  letters included, so a ticket code inside an Arabic sentence has its glyphs);
- Simplified Chinese (zh): Noto Sans CJK from Debian's `fonts-noto-cjk` (20 MB for the bold
  face), installed by systemd/install.sh only when the site lists "zh": a Pi has little room.

The kiosk, the call screen and the ticket image draw a language's text with its font, so the
screen and the paper look alike and every character has its glyph (tests/test_languages.py).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from config.errors import FontMissing
from config.frozen import frozen
from config.languages import language

PACKAGE = "fontpkg_atkinson_hyperlegible"
CJK_DIR = Path("/usr/share/fonts/opentype/noto")
CJK_PACKAGE = "fonts-noto-cjk"
CJK_SC_INDEX = 2  # NotoSansCJK-*.ttc holds JP, KR, SC, TC, HK: SC is Simplified Chinese


@frozen
class FontChoice:
    path: str
    index: int = 0  # the face inside a .ttc collection (Pillow reads it; pygame opens face 0)
    bold_by_weight: bool = False  # a variable font: ask for the bold weight (Pillow) or embolden (pygame)


@cache
def font_file(*, bold: bool = True) -> str:
    """Path of the Latin TTF (bold by default: everything the totem shows is read from afar)."""
    name = "AtkinsonHyperlegible-Bold.ttf" if bold else "AtkinsonHyperlegible-Regular.ttf"
    return str(resources.files(PACKAGE).joinpath("files", name))


def _wheel_font(package: str, name: str) -> str:
    return str(resources.files(package).joinpath("files", name))


def font_for(lang: str, *, bold: bool = True) -> FontChoice:
    """The font that draws `lang`'s script; FontMissing names the package to install."""
    return font_for_script(language(lang).script, bold=bold, lang=lang)


@cache
def font_for_script(script: str, *, bold: bool = True, lang: str = "zh") -> FontChoice:
    """The font for an ISO 15924 script (config.languages.script_of tells a text's)."""
    if script == "Cyrl":
        return FontChoice(_wheel_font("fontpkg_noto_sans", "NotoSans[wdth,wght].ttf"), bold_by_weight=bold)
    if script == "Arab":
        return FontChoice(_wheel_font("fontpkg_noto_sans_arabic", "NotoSansArabic[wdth,wght].ttf"),
                          bold_by_weight=bold)
    if script == "Hans":
        path = CJK_DIR / ("NotoSansCJK-Bold.ttc" if bold else "NotoSansCJK-Regular.ttc")
        if not path.is_file():
            raise FontMissing(lang, str(path), CJK_PACKAGE)
        return FontChoice(str(path), CJK_SC_INDEX)
    return FontChoice(font_file(bold=bold))


def fonts_needed(languages: tuple[str, ...] | list[str]) -> list[str]:
    """The Debian font packages a site's languages need (systemd/install.sh installs them)."""
    return [CJK_PACKAGE] if any(language(lang).script == "Hans" for lang in languages) else []
