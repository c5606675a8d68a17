"""The follow page's words in every language the site lists, from the gettext catalogues
(keys `follow_*`), handed to the page inside its HTML so it needs no second request and
speaks the language the citizen chose at the totem, right to left for Arabic."""

from __future__ import annotations

import json
from typing import Any

from config.i18n import Translator, _catalogue
from config.languages import language
from config.model import Config

PREFIX = "follow_"


def page_texts(config: Config) -> dict[str, Any]:
    keys = [k for k in _catalogue("it") if k.startswith(PREFIX)]
    return {
        "languages": [{"code": lang, "name": Translator(lang)("language_name"), "rtl": language(lang).rtl}
                      for lang in config.site.languages],
        "text": {lang: {k.removeprefix(PREFIX): Translator(lang)(k) for k in keys} for lang in config.site.languages},
    }


def with_texts(html: str, config: Config) -> str:
    """The page with its texts as a JSON block before </head> (safe: '</' cannot close the script)."""
    data = json.dumps(page_texts(config), ensure_ascii=False).replace("</", "<\\/")
    return html.replace("</head>", f'<script type="application/json" id="texts">{data}</script>\n</head>', 1)
