"""A hub error in the page's language, in Chromium (issue 20, point 5): the reception asks for a
ticket of a service no desk works today; the page shows the hub's own sentence, in Italian,
then in English after the language switch."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import HUB_NOW, write_site
from test_desk_browser import browser, wait_text  # noqa: F401  (the fixture)
from test_no_desk import two_desks
from test_reception_browser import unlocked

from config import load_config
from config.i18n import Translator
from display.server import HubServer
from totem.clock import FrozenClock

pytestmark = pytest.mark.browser


def test_the_reception_shows_the_hubs_refusal_in_its_language(tmp_path: Path, browser: object) -> None:  # noqa: F811
    config = load_config(write_site(tmp_path, extra=two_desks()))
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        page = unlocked(browser.new_page(viewport={"width": 1440, "height": 900}), hub)  # type: ignore[attr-defined]
        page.click('#services button[data-service="sanita"]')
        italian = Translator("it")("hub_err_no_desk_today")
        assert italian == "Oggi nessuno sportello per questo servizio: nessun biglietto emesso"
        wait_text(page, "#issue-error", lambda t: t == italian)
        page.click("#lang")
        page.click('#services button[data-service="sanita"]')
        wait_text(page, "#issue-error", lambda t: t == Translator("en")("hub_err_no_desk_today"))
        assert not list((config.reception.printer.folder / "2026-12-01").glob("E*.escpos"))
