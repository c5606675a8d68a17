"""The citizen's "follow your turn" page in Chromium on a 360 px phone (issue 14): it moves
from "3 persone prima di lei" to "Tocca a lei: Sportello 1" without a reload."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from conftest import HUB_NOW, write_site
from test_desk_browser import browser, wait_text  # noqa: F401  (the fixture)
from test_hub_api import AUTH, ticket

from config import load_config
from config.follow import follow_key
from display.server import HubServer
from totem.clock import FrozenClock

pytestmark = pytest.mark.browser


def no_sideways_scroll(page: object) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")  # type: ignore[attr-defined]
    assert width[0] <= width[1], f"page {width[0]} px wide in a {width[1]} px window"


def test_the_follow_page_goes_from_three_ahead_to_your_turn(tmp_path: Path, browser: object) -> None:  # noqa: F811
    config = load_config(write_site(tmp_path))
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        tickets = [ticket(number=n, minutes_ago=30 - n) for n in range(1, 5)]
        for t in tickets:
            assert requests.post(hub.url + "/api/tickets", json=t, headers=AUTH, timeout=5).status_code == 201
        page = browser.new_page(viewport={"width": 360, "height": 740}, locale="it-IT")  # type: ignore[attr-defined]
        page.goto(f"{hub.url}/t/{follow_key(config.hub.token, tickets[3]['id'])}")
        wait_text(page, "#headline", lambda t: t == "3 persone prima di lei")
        assert page.text_content("#code") == "A004"
        assert page.text_content("#service") == "Problemi con un ufficio comunale"
        wait_text(page, "#detail", lambda t: t.startswith("Attesa stimata:"))
        no_sideways_scroll(page)
        requests.post(hub.url + "/api/desks/1/next", headers=AUTH, timeout=5)
        wait_text(page, "#headline", lambda t: t == "2 persone prima di lei")
        page.click("#sound")  # the citizen allows the tone
        wait_text(page, "#sound", lambda t: t.startswith("Suono attivo"))
        requests.post(hub.url + "/api/desks/1/call", json={"code": "A004"}, headers=AUTH, timeout=5)
        wait_text(page, "#headline", lambda t: t == "Tocca a lei: Sportello 1")
        assert "called" in (page.get_attribute("#status", "class") or "")
        no_sideways_scroll(page)
        out = Path(__file__).resolve().parent / "artifacts"
        out.mkdir(exist_ok=True)
        page.screenshot(path=str(out / "follow-called-360.png"), full_page=True)
        page.click("#lang")
        wait_text(page, "#headline", lambda t: t == "Your turn: Sportello 1")
        requests.post(hub.url + "/api/desks/1/done", headers=AUTH, timeout=5)
        wait_text(page, "#headline", lambda t: t == "Served. Thank you for your visit.")
        unknown = browser.new_page(viewport={"width": 360, "height": 740})  # type: ignore[attr-defined]
        unknown.goto(f"{hub.url}/t/{'a' * 26}")
        wait_text(unknown, "#headline", lambda t: t in ("Biglietto non ancora registrato", "Ticket not registered yet"))


def test_the_follow_page_speaks_the_tickets_language_with_a_switch(tmp_path: Path,
                                                                    browser: object) -> None:  # noqa: F811
    """Issue 20: an English ticket opens in English on an Italian phone; the switch still works."""
    config = load_config(write_site(tmp_path))
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        english = {**ticket(number=1, minutes_ago=5), "lang": "en"}
        assert requests.post(hub.url + "/api/tickets", json=english, headers=AUTH, timeout=5).status_code == 201
        bad = {**ticket(number=2), "lang": "english"}
        assert requests.post(hub.url + "/api/tickets", json=bad, headers=AUTH, timeout=5).status_code == 400
        page = browser.new_page(viewport={"width": 360, "height": 740}, locale="it-IT")  # type: ignore[attr-defined]
        page.goto(f"{hub.url}/t/{follow_key(config.hub.token, english['id'])}")
        wait_text(page, "#headline", lambda t: t == "Nobody ahead of you")
        assert page.text_content("#service") == "Problem with a council office"
        page.click("#lang")
        wait_text(page, "#headline", lambda t: t == "Nessuno prima di lei")
