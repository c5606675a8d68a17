"""The reception point in Chromium (issue 14): the staff unlock the page, issue a ticket for a
citizen and enter a phone appointment, on a desktop and on a 390 px phone."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from conftest import HUB_NOW, write_site
from helpers.consoles import pair_page
from test_desk_browser import browser, wait_text  # noqa: F401  (the fixture)
from test_follow_browser import no_sideways_scroll

from config import load_config
from display.server import HubServer
from totem.clock import FrozenClock

pytestmark = pytest.mark.browser


def unlocked(page: object, hub: HubServer) -> object:
    pair_page(page, hub, "reception")
    page.wait_for_selector("#lock:not([hidden])")  # type: ignore[attr-defined]
    page.fill("#pin", "0000")  # type: ignore[attr-defined]
    page.click("#unlock button")  # type: ignore[attr-defined]
    wait_text(page, "#lock-error", lambda t: t.startswith("PIN errato"))
    page.fill("#pin", "2580")  # type: ignore[attr-defined]
    page.click("#unlock button")  # type: ignore[attr-defined]
    page.wait_for_selector("#reception:not([hidden])")  # type: ignore[attr-defined]
    return page


@pytest.mark.parametrize("width", [1440, 390])
def test_reception_issues_a_ticket_and_enters_an_appointment(tmp_path: Path, browser: object, width: int) -> None:  # noqa: F811
    config = load_config(write_site(tmp_path))
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        page = unlocked(browser.new_page(viewport={"width": width, "height": 900}), hub)  # type: ignore[attr-defined]
        page.dblclick('#services button[data-service="sanita"]')  # a double click: one ticket
        wait_text(page, "#issued-code", lambda t: t == "E800")
        wait_text(page, "#issued-ahead", lambda t: t == "Nessuno prima")
        assert page.text_content("#issued-printed") == "Stampato: consegni il biglietto."
        assert (config.reception.printer.folder / "2026-12-01" / "E800.escpos").exists()
        page.click('#services button[data-service="sanita"]')  # the next citizen: E801, not E802
        wait_text(page, "#issued-code", lambda t: t == "E801")
        state = requests.get(hub.url + "/api/state", timeout=5).json()
        assert sorted(q["code"] for s in state["services"] for q in s["queue"]) == ["E800", "E801"]
        page.fill("#time", "10:20")
        page.select_option("#service", "rimborsi")
        page.fill("#reference", "pratica 42")
        page.click("#book button[type=submit]")
        wait_text(page, "#booked-number", lambda t: len(t) == 13 and t.replace(" ", "").isdigit())  # 1234 5678 901
        shown = page.text_content("#booked-number")
        number = shown.replace(" ", "")
        wait_text(page, "#list tbody", lambda t: shown in t and "pratica 42" in t and "Prenotato" in t)
        page.click(f"button[aria-label='Annulla l\\'appuntamento {number}']")
        wait_text(page, "#list tbody", lambda t: "Annullato" in t)
        page.click(f"button[aria-label='Riattiva l\\'appuntamento {number}']")
        wait_text(page, "#list tbody", lambda t: "Prenotato" in t)
        checked = requests.post(hub.url + "/api/appointments/checkin", json={"number": number, "totem": "totem-1"},
                                headers={"Authorization": f"Bearer {config.hub.token}"}, timeout=5)
        assert checked.ok, checked.text
        wait_text(page, "#list tbody", lambda t: "Arrivato alle 10:00" in t)  # live, in the site's time zone
        page.fill("#time", "13:30")  # the lunch break: refused, with the hours
        page.click("#book button[type=submit]")
        wait_text(page, "#book-error", lambda t: t.startswith("Lo sportello non è aperto alle 13:30 del 01/12/2026"))
        no_sideways_scroll(page)
        out = Path(__file__).resolve().parent / "artifacts"
        out.mkdir(exist_ok=True)
        page.screenshot(path=str(out / f"reception-{width}.png"), full_page=True)
