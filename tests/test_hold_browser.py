"""Sospendi and Richiama in a real browser (Debian's Chromium driven by Playwright): the operator
holds the ticket in service, calls the next, then calls the held turn back from the list; and
records a phone contact without a ticket, timed, with one click."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from conftest import write_site
from test_desk_browser import NOW, browser, issue, unlocked, wait_text  # noqa: F401 (the fixture)

from config import load_config
from display.server import HubServer
from totem.clock import FrozenClock

pytestmark = pytest.mark.browser
AUTH = {"Authorization": "Bearer demo-token-change-me-0123456789"}


def desk_state(hub: HubServer) -> dict:
    return next(d for d in requests.get(hub.url + "/api/state", timeout=5).json()["desks"] if d["id"] == "1")


def test_hold_then_call_back_in_a_browser(tmp_path: Path, browser: object) -> None:  # noqa: F811
    clock = FrozenClock(NOW)
    with HubServer(load_config(write_site(tmp_path)), port=0, clock=clock) as hub:
        for n in (1, 2):
            issue(hub, "uffici", "A", n)
        page = unlocked(browser.new_page(), hub)  # type: ignore[attr-defined]
        page.click("#next")  # type: ignore[attr-defined]
        wait_text(page, "#current-code", lambda t: t == "A001")
        page.click("#hold")  # type: ignore[attr-defined]
        wait_text(page, "#message", lambda t: "A001 sospeso" in t)
        wait_text(page, "#held", lambda t: "A001" in t)
        wait_text(page, "#current-code", lambda t: t == "—")  # the desk is free
        assert desk_state(hub)["held"][0]["code"] == "A001"
        page.click("#next")  # type: ignore[attr-defined]
        wait_text(page, "#current-code", lambda t: t == "A002")
        page.click("#held button.call-back")  # type: ignore[attr-defined]  # "Richiama": the citizen is back
        wait_text(page, "#current-code", lambda t: t == "A001")
        wait_text(page, "#message", lambda t: "Chiamato A001" in t)
        assert page.is_hidden("#held-title")  # type: ignore[attr-defined]
        me = desk_state(hub)
        assert me["current"]["code"] == "A001" and me["held"] == []
        assert requests.get(hub.url + "/api/state", timeout=5).json()["calls"][0]["code"] == "A001"
        # A phone call, timed: channel and service chosen, the timer started, one click records it.
        page.select_option("#contact-channel", "phone")  # type: ignore[attr-defined]
        page.select_option("#contact-service", "sanita")  # type: ignore[attr-defined]
        page.click("#contact-timer")  # type: ignore[attr-defined]
        wait_text(page, "#contact-timer", lambda t: "In corso" in t)
        page.click("#contact-save")  # type: ignore[attr-defined]
        wait_text(page, "#message", lambda t: "Contatto registrato" in t)
        assert desk_state(hub)["contacts"] == {"phone": 1}
        page.select_option("#second-service", "sanita")  # type: ignore[attr-defined]
        page.click("#add_service")  # type: ignore[attr-defined]
        wait_text(page, "#message", lambda t: "Secondo servizio registrato per A001" in t)
        work = requests.get(hub.url + "/reports/csv/work?from=2026-12-01&to=2026-12-01&lang=en", headers=AUTH,
                            timeout=5).content.decode("utf-8-sig").splitlines()
        phone = [r.split(";") for r in work if ";Phone;" in r]
        assert [r[3:5] for r in phone] == [["1", "1"]], work  # one contact, timed
        assert any(";Second service;" in r for r in work)
