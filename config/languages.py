"""The languages a site may list in `site.languages`, as data: each one's name in itself (the
totem's language picker), its writing system (which font draws it, which way it runs) and
its espeak-ng voice. Its messages are its gettext catalogue (config/i18n.py).

Adding a language: a catalogue `config/locales/XX/LC_MESSAGES/totem.po` (scripts/locales),
a line here, and, for a new script, a font in printer/fonts.py; tests/test_languages.py
fails until every message has its glyphs and the voice exists.
"""

from __future__ import annotations

from config.frozen import frozen


@frozen
class Language:
    code: str  # ISO 639-1, as in site.languages
    native_name: str  # how its speakers name it: what the picker shows
    script: str  # ISO 15924: Latn, Cyrl, Arab, Hans (printer/fonts.py picks the font for it)
    voice: str  # espeak-ng voice (`espeak-ng --voices`); [accessibility] voices can override it

    @property
    def rtl(self) -> bool:
        return self.script in RTL_SCRIPTS


RTL_SCRIPTS = frozenset({"Arab", "Hebr"})

LANGUAGES: dict[str, Language] = {lang.code: lang for lang in (
    Language("it", "Italiano", "Latn", "it"),
    Language("en", "English", "Latn", "en-gb"),
    Language("ro", "Română", "Latn", "ro"),
    Language("sq", "Shqip", "Latn", "sq"),
    Language("ar", "العربية", "Arab", "ar"),
    Language("zh", "中文", "Hans", "cmn"),
    Language("uk", "Українська", "Cyrl", "uk"),
)}

DEFAULT_LANGUAGES = ("it", "en")


def language(code: str) -> Language:
    """The language's facts; an unknown code (only reachable past check-config) reads as Latin."""
    return LANGUAGES.get(code) or Language(code, code, "Latn", code)


def is_rtl(code: str) -> bool:
    return language(code).rtl


# What technicians type instead of the ISO 639-1 code: country codes and English names.
_ALIASES = {"ua": "uk", "cn": "zh", "al": "sq", "gb": "en", "us": "en", "md": "ro",
            "zh-cn": "zh", "zh-hans": "zh", "zh_cn": "zh", "cmn": "zh", "chinese": "zh", "mandarin": "zh",
            "italian": "it", "english": "en", "romanian": "ro", "albanian": "sq", "arabic": "ar",
            "ukrainian": "uk", "ita": "it", "eng": "en", "ron": "ro", "rum": "ro", "sqi": "sq", "alb": "sq",
            "ara": "ar", "zho": "zh", "chi": "zh", "ukr": "uk"}


def suggest(value: str, available: list[str]) -> str | None:
    """The language code a technician most likely meant by `value`, if it has a catalogue."""
    key = value.strip().lower()
    guess = _ALIASES.get(key) or next((c for c, lang in LANGUAGES.items() if lang.native_name.lower() == key), None)
    if guess is None and ("-" in key or "_" in key):
        guess = key.replace("_", "-").split("-")[0]
    return guess if guess in available and guess != value else None


def script_of(text: str) -> str:
    """The script whose font must draw `text` (each of those fonts also has the Latin letters
    and digits, so a code or a time inside the sentence is drawn too)."""
    from config.bidi import has_rtl

    if has_rtl(text):
        return "Arab"
    if any(0x2E80 <= ord(ch) <= 0x9FFF or 0xF900 <= ord(ch) <= 0xFAFF or 0xFF00 <= ord(ch) <= 0xFFEF for ch in text):
        return "Hans"
    if any(0x0400 <= ord(ch) <= 0x052F for ch in text):
        return "Cyrl"
    return "Latn"
