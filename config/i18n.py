"""Translation catalogues: gettext, one `config/locales/XX/LC_MESSAGES/totem.po` per language.

Translators edit the `.po` files (the format every translation tool reads: Poedit, Weblate,
Lokalize); `scripts/locales compile` turns them into the `.mo` files read here with the
standard library's `gettext`, so the running programs load no extra library and a catalogue
loads in well under a millisecond (`tests/bench/bench_i18n.py`). `scripts/locales check`
(and tests/test_locales.py) fail when a `.mo` is older than its `.po`.

Message ids are the program's keys (`ticket_your_number`), the Italian text is each entry's
source comment. Adding a language is adding its `.po`, compiling it and listing "XX" in
`site.languages` (config/languages.py says its script, font and voice). A key missing in a
language falls back to Italian; the tests refuse that for any key a citizen can see.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "totem"
FALLBACK = "it"
# Read only by the manager and the technician, who use the hub and the totem in Italian or
# English: these keys may stay untranslated in the citizens' other languages.
STAFF_PREFIXES = ("report_", "tech_", "channel_")  # channel_: the desk's work in the reports (display.visit_report)


def po_file(lang: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_file(lang: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def available_languages() -> list[str]:
    return sorted(p.name for p in LOCALES_DIR.iterdir() if mo_file(p.name).is_file())


# The hub's answers to the staff's pages (desk, reception, pairing, reports: display/page_messages.py) are
# in Italian and English; those a citizen's follow or vote page can get are citizen keys like any other.
HUB_PAGE_PREFIXES = ("hub_err_", "hub_refused_")
HUB_CITIZEN_KEYS = frozenset({"hub_err_follow_unknown", "hub_err_generic", "hub_err_too_many_streams",
                              "hub_err_bad_field", "hub_err_too_large", "hub_err_slow_body", "hub_err_json_body"})


def citizen_key(key: str) -> bool:
    """Whether a citizen can read this message (then every language must translate it)."""
    if key.startswith(HUB_PAGE_PREFIXES):
        return key in HUB_CITIZEN_KEYS
    return not key.startswith(STAFF_PREFIXES)


@cache
def _catalogue(lang: str) -> dict[str, str]:
    """Key -> text for one language, translated entries only (the header is not a message)."""
    with open(mo_file(lang), "rb") as fh:
        messages = gettext.GNUTranslations(fh)._catalog  # the parsed .mo, msgid -> msgstr
    return {k: v for k, v in messages.items() if isinstance(k, str) and k and v}


class Translator:
    """Looks up messages for one language, falling back to Italian."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._messages = _catalogue(lang)
        self._fallback = _catalogue(FALLBACK)

    def __call__(self, key: str, **values: object) -> str:
        text = self._messages.get(key) or self._fallback[key]
        return text.format(**values) if values else text
