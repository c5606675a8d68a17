""""Nearly your turn" and the call's reason on the follow page, in Chromium (issue 22 points 2
and 4): the page, hidden behind another tab, raises the system notification when the desk has
called until 3 are ahead, and not before; it says plainly it must stay open where the site has
no Web Push; a waiting citizen reads why a later ticket went first."""

from __future__ import annotations

import time
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

# Before any page script: every system notification the page raises is recorded (and still shown).
CAPTURE = """
(() => {
  const Real = window.Notification;
  window.__notes = [];
  function Captured(title, options) {
    window.__notes.push({title: title, body: (options || {}).body || "", tag: (options || {}).tag || ""});
    return new Real(title, options);
  }
  Object.defineProperty(Captured, "permission", {get: () => Real.permission});
  Captured.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Captured;
  // Headless Chromium reports every tab as visible, even behind another (no CDP call changes that):
  // the page's visibility is emulated here, as the browser reports it for a background tab.
  let hidden = false;
  Object.defineProperty(Document.prototype, "visibilityState", {get: () => (hidden ? "hidden" : "visible")});
  Object.defineProperty(Document.prototype, "hidden", {get: () => hidden});
  window.__toBackground = () => { hidden = true; document.dispatchEvent(new Event("visibilitychange")); };
})();
"""


def notes(page: object) -> list[dict]:
    return page.evaluate("() => window.__notes")  # type: ignore[attr-defined]


def test_the_hidden_follow_page_notifies_when_three_are_ahead_and_not_before(tmp_path: Path,
                                                                              browser: object) -> None:  # noqa: F811
    config = load_config(write_site(tmp_path))
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        tickets = [ticket(number=n, minutes_ago=40 - n) for n in range(1, 7)]
        for t in tickets:
            assert requests.post(hub.url + "/api/tickets", json=t, headers=AUTH, timeout=5).status_code == 201
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="it-IT")  # type: ignore[attr-defined]
        context.grant_permissions(["notifications"], origin=hub.url)  # CDP Browser.grantPermissions
        page = context.new_page()
        page.add_init_script(CAPTURE)  # CDP Page.addScriptToEvaluateOnNewDocument
        page.goto(f"{hub.url}/t/{follow_key(config.hub.token, tickets[5]['id'])}")
        wait_text(page, "#headline", lambda t: t == "5 persone prima di lei")
        assert page.input_value("#near-ahead") == "3", "3 ahead is the default"
        page.click("#near-on")  # the citizen's tap: notification permission, sound
        wait_text(page, "#near-status", lambda t: t.startswith("Avviso attivo: quando ci saranno 3 persone"))
        assert "Tenga aperta questa pagina" in (page.text_content("#near-status") or ""), \
            "no Web Push on this site: the page says it must stay open"
        front = context.new_page()  # another tab in front: the follow page goes to the background
        front.goto(hub.url + "/healthz")
        front.bring_to_front()
        page.evaluate("() => window.__toBackground()")
        assert page.evaluate("() => [document.visibilityState, document.hidden]") == ["hidden", True]

        requests.post(hub.url + "/api/desks/1/next", headers=AUTH, timeout=5)  # A001: 4 ahead
        wait_text(page, "#headline", lambda t: t == "4 persone prima di lei", timeout_s=30)
        assert notes(page) == [], "4 ahead: not yet"
        assert page.is_hidden("#near-alert")

        requests.post(hub.url + "/api/desks/1/next", headers=AUTH, timeout=5)  # A002: 3 ahead
        deadline = time.monotonic() + 30
        while not notes(page) and time.monotonic() < deadline:
            time.sleep(0.1)
        got = notes(page)
        assert len(got) == 1, got
        assert got[0]["title"] == "Manca poco: A006" and got[0]["body"] == "Manca poco! 3 persone prima di lei"
        assert page.evaluate("() => document.visibilityState") == "hidden", "it came while hidden"
        assert page.text_content("#near-alert-text") == "Manca poco! 3 persone prima di lei"
        size = page.evaluate("() => parseFloat(getComputedStyle(document.getElementById('near-alert-text')).fontSize)")
        assert size >= 32, f"the alert in large type ({size} px)"

        requests.post(hub.url + "/api/desks/1/next", headers=AUTH, timeout=5)  # A003: 2 ahead
        wait_text(page, "#headline", lambda t: t == "2 persone prima di lei", timeout_s=30)
        assert len(notes(page)) == 1, "one alert, not one per call"
        context.close()


def test_a_waiting_citizen_reads_why_a_later_ticket_went_first(tmp_path: Path, browser: object) -> None:  # noqa: F811
    config = load_config(write_site(tmp_path))
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        mine = ticket(number=1, minutes_ago=30)
        priority = ticket("appuntamento", "P", 1, minutes_ago=2)
        for t in (mine, priority):
            assert requests.post(hub.url + "/api/tickets", json=t, headers=AUTH, timeout=5).status_code == 201
        page = browser.new_page(viewport={"width": 360, "height": 740}, locale="it-IT")  # type: ignore[attr-defined]
        page.goto(f"{hub.url}/t/{follow_key(config.hub.token, mine['id'])}")
        wait_text(page, "#headline", lambda t: t == "1 persona prima di lei")  # the priority ticket, by the order
        assert page.is_hidden("#reason")
        requests.post(hub.url + "/api/desks/1/next", headers=AUTH, timeout=5)  # P001 before A001: a priority
        wait_text(page, "#reason", lambda t: t == "Ultima chiamata: P001, Sportello 1 — Precedenza")
        page.click("#lang")
        wait_text(page, "#reason", lambda t: t == "Last call: P001, Sportello 1 — Priority")
        called = browser.new_page(viewport={"width": 360, "height": 740}, locale="it-IT")  # type: ignore[attr-defined]
        called.goto(f"{hub.url}/t/{follow_key(config.hub.token, priority['id'])}")
        wait_text(called, "#headline", lambda t: t == "Tocca a lei: Sportello 1")
        wait_text(called, "#reason", lambda t: t == "Precedenza")
