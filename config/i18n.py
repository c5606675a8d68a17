"""Translation catalogues: one TOML file per language in config/locales/.

Adding a language is adding `XX.toml` with the same keys as `it.toml` and listing
"XX" in `site.languages`. A missing key falls back to the default language's text.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
FALLBACK = "it"


def available_languages() -> list[str]:
    return sorted(p.stem for p in LOCALES_DIR.glob("*.toml"))


@cache
def _catalogue(lang: str) -> dict[str, str]:
    with open(LOCALES_DIR / f"{lang}.toml", "rb") as fh:
        return {k: str(v) for k, v in tomllib.load(fh).items()}


class Translator:
    """Looks up messages for one language, falling back to Italian."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._messages = _catalogue(lang)
        self._fallback = _catalogue(FALLBACK)

    def __call__(self, key: str, **values: object) -> str:
        text = self._messages.get(key) or self._fallback[key]
        return text.format(**values) if values else text
