"""The desk console in a real browser (Debian's Chromium driven by Playwright): a wrong PIN
keeps it locked; the right PIN unlocks it; Call next (button and keyboard) shrinks the queue."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest
import requests
from conftest import rome, write_site
from helpers.consoles import pair_page, paired

from config import load_config
from display.server import HubServer
from totem.clock import FrozenClock

NOW = rome(2026, 12, 1, 10, 0)

AUTH = {"Authorization": "Bearer demo-token-change-me-0123456789"}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
pytestmark = pytest.mark.browser


@pytest.fixture
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required under CI=true (.ci/run installs it)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def wait_text(page: object, selector: str, ok: Callable[[str], bool], timeout_s: float = 10.0) -> None:
    """Poll an element's text from Python (the page's CSP forbids evaluated strings, rightly)."""
    deadline = time.monotonic() + timeout_s
    text = ""
    while time.monotonic() < deadline:
        text = page.text_content(selector, timeout=1000) or ""  # type: ignore[attr-defined]
        if ok(text):
            return
        time.sleep(0.05)
    raise AssertionError(f"{selector}: {text!r} after {timeout_s} s")


def unlocked(page: object, hub: HubServer) -> object:
    """The operator opens desk 1 on a PC paired once (the pairing link) and types its PIN."""
    pair_page(page, hub, "desk", "1")
    page.fill("#pin", "1357")  # type: ignore[attr-defined]
    page.click("#unlock button")  # type: ignore[attr-defined]
    page.wait_for_selector("#console:not([hidden])")  # type: ignore[attr-defined]
    return page


def issue(hub: HubServer, service: str, prefix: str, number: int) -> None:
    body = {"id": str(uuid.uuid4()), "code": f"{prefix}{number:03d}", "service": service, "number": number,
            "issued_at": (NOW.astimezone(UTC) - timedelta(minutes=10 - number)).isoformat(), "totem": "totem-1"}
    assert requests.post(hub.url + "/api/tickets", json=body, headers=AUTH, timeout=5).status_code == 201


def test_unlock_and_call_next_in_a_browser(tmp_path: Path, browser: object) -> None:
    with HubServer(load_config(write_site(tmp_path)), port=0, clock=FrozenClock(NOW)) as hub:
        for n in (1, 2, 3):
            issue(hub, "uffici", "A", n)
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(hub.url + "/desk/1")  # not paired yet: the page says so before any PIN is typed
        wait_text(page, '#lock-error', lambda t: "non è abbinato" in t)
        assert page.is_visible("#pair-link a")
        page.fill("#pin", "1357")
        page.click("#unlock button")
        wait_text(page, '#lock-error', lambda t: "non è abbinato" in t)
        assert page.is_hidden("#console")
        pair_page(page, hub, "desk", "1")
        page.wait_for_selector("#lock:not([hidden])")
        page.fill("#pin", "0000")
        page.click("#unlock button")
        wait_text(page, '#lock-error', lambda t: t.startswith('PIN errato'))
        assert page.is_visible("#lock") and page.is_hidden("#console")
        page.fill("#pin", "1357")
        page.click("#unlock button")
        page.wait_for_selector("#console:not([hidden])")
        waiting = page.locator('.n[data-service="uffici"]')
        wait_text(page, '.n[data-service="uffici"]', lambda t: t == '3')
        page.click("#next")
        wait_text(page, '#current-code', lambda t: t == 'A001')
        assert waiting.text_content() == "2"
        page.keyboard.press("n")  # keyboard shortcut: serve A001, call A002
        wait_text(page, '#current-code', lambda t: t == 'A002')
        wait_text(page, '#counts', lambda t: t.startswith('1 servito · 0 assenti'))  # singular and plural right
        assert waiting.text_content() == "1"
        issue(hub, "uffici", "A", 4)  # a ticket from the totem appears at once (SSE)
        wait_text(page, '.n[data-service="uffici"]', lambda t: t == '2')
        page.click("#lang")
        assert page.text_content("#next span") == "Call next"
        out = Path(__file__).resolve().parent / "artifacts"
        out.mkdir(exist_ok=True)
        page.screenshot(path=str(out / "desk-console.png"), full_page=True)
        state = requests.get(hub.url + "/api/state", timeout=5).json()
        assert state["calls"][0]["code"] == "A002" and state["counts"]["served"] == 1


def test_transfer_asks_first_and_keeps_priority(tmp_path: Path, browser: object) -> None:
    """T opens a confirmation (nothing moves yet); confirming keeps the appointment's priority,
    and with one desk the console says the citizen will be called here again."""
    with HubServer(load_config(write_site(tmp_path)), port=0, clock=FrozenClock(NOW)) as hub:
        issue(hub, "uffici", "A", 1)
        issue(hub, "appuntamento", "P", 2)
        page = browser.new_page()  # type: ignore[attr-defined]
        unlocked(page, hub)
        page.click("#next")
        wait_text(page, '#current-code', lambda t: t == 'P002')
        page.select_option("#transfer-to", "sanita")
        page.keyboard.press("t")
        page.wait_for_selector("#confirm:not([hidden])")
        assert page.is_checked("#keep-priority")
        assert requests.get(hub.url + "/api/state", timeout=5).json()["desks"][0]["current"]["code"] == "P002"
        page.click("#confirm-yes")
        wait_text(page, '#message', lambda t: 'Solo questo sportello' in t)
        page.click("#next")  # P002 keeps its priority: called again before A001, as the console said
        wait_text(page, '#current-code', lambda t: t == 'P002')


def test_transfer_has_no_preselected_target(tmp_path: Path, browser: object) -> None:
    """Issue 20: T then Enter moves nothing; the operator must choose the service first."""
    with HubServer(load_config(write_site(tmp_path)), port=0, clock=FrozenClock(NOW)) as hub:
        issue(hub, "uffici", "A", 1)
        page = browser.new_page()  # type: ignore[attr-defined]
        unlocked(page, hub)
        page.click("#next")
        wait_text(page, '#current-code', lambda t: t == 'A001')
        assert page.input_value("#transfer-to") == ""
        page.keyboard.press("t")
        page.keyboard.press("Enter")
        wait_text(page, '#message', lambda t: t.startswith("Scegliere prima il servizio"))
        assert page.is_hidden("#confirm")
        me = requests.get(hub.url + "/api/state", timeout=5).json()["desks"][0]["current"]
        assert me["code"] == "A001" and me["service"] == "uffici"


def test_a_page_on_another_origin_cannot_act_on_the_desk(tmp_path: Path, browser: object) -> None:
    """Same machine, another port: the same *site* for SameSite, so the cookie alone would not
    protect. The hub's Origin check and JSON-only writes do; the console cannot be framed."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    with HubServer(load_config(write_site(tmp_path)), port=0, clock=FrozenClock(NOW)) as hub:
        issue(hub, "uffici", "A", 1)
        evil_page = f"""<!doctype html><body>
<iframe id="frame" src="{hub.url}/desk/1"></iframe>
<form id="form" method="post" action="{hub.url}/api/desks/1/next" target="sink"><input name="a" value="b"></form>
<iframe name="sink"></iframe>
<script>
const results = [];
fetch("{hub.url}/api/desks/1/next", {{method: "POST", mode: "no-cors", credentials: "include",
  headers: {{"Content-Type": "text/plain"}}, body: "{{}}"}}).then(() => results.push("no-cors sent"));
fetch("{hub.url}/api/desks/1/next", {{method: "POST", credentials: "include",
  headers: {{"Content-Type": "application/json"}}, body: "{{}}"}})
  .then((r) => results.push("json " + r.status)).catch(() => results.push("json blocked"));
document.getElementById("form").submit();
window.results = results;
</script></body>"""

        class Evil(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                data = evil_page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        evil = ThreadingHTTPServer(("127.0.0.1", 0), Evil)
        threading.Thread(target=evil.serve_forever, daemon=True).start()
        try:
            context = browser.new_context()  # type: ignore[attr-defined]
            page = context.new_page()
            unlocked(page, hub)
            attack = context.new_page()  # the operator opens another tab: the attacker's page
            attack.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
            time.sleep(1.5)  # let the three attempts run their course
            state = requests.get(hub.url + "/api/state", timeout=5).json()
            assert state["desks"][0]["current"] is None and state["counts"]["waiting"] == 1  # nothing was called
            frame = attack.frame_locator("#frame")
            assert frame.locator("#next").count() == 0  # X-Frame-Options / frame-ancestors: not rendered
        finally:
            evil.shutdown()
            evil.server_close()


def test_a_lost_hub_shows_at_once_and_no_action_is_queued(tmp_path: Path, browser: object) -> None:
    """Connection honesty: an action with the hub away says it was not done within 1 s, and
    the link badge turns red within 3 s (the hub pings every second)."""
    hub = HubServer(load_config(write_site(tmp_path)), port=0, clock=FrozenClock(NOW)).start()
    try:
        issue(hub, "uffici", "A", 1)
        page = browser.new_page()  # type: ignore[attr-defined]
        unlocked(page, hub)
        wait_text(page, "#link", lambda t: t == "collegato")
        wait_text(page, '.n[data-service="uffici"]', lambda t: t == "1")
    finally:
        hub.close()
    wait_text(page, "#link", lambda t: t == "non collegato", timeout_s=3)  # the deadlines are safety nets
    page.click("#next")
    wait_text(page, "#message", lambda t: "NON eseguita" in t, timeout_s=2)


def test_call_a_chosen_ticket_by_click_or_code(tmp_path: Path, browser: object) -> None:
    """Issue 14: the operator calls a waiting ticket out of order, by a click on the list or by
    typing its code; the console says what happened."""
    with HubServer(load_config(write_site(tmp_path)), port=0, clock=FrozenClock(NOW)) as hub:
        for n in (1, 2, 3):
            issue(hub, "uffici", "A", n)
        issue(hub, "rimborsi", "C", 4)
        page = unlocked(browser.new_page(), hub)  # type: ignore[attr-defined]
        wait_text(page, '.n[data-service="uffici"]', lambda t: t == '3')
        page.click("button[aria-label='Chiama A003']")
        wait_text(page, '#current-code', lambda t: t == 'A003')
        wait_text(page, '#message', lambda t: t == 'Chiamato A003')
        page.fill("#code", "c004")
        page.press("#code", "Enter")
        wait_text(page, '#current-code', lambda t: t == 'C004')
        page.fill("#code", "A009")
        page.press("#code", "Enter")
        wait_text(page, '#message', lambda t: t == "A009 non è in attesa oggi")  # the console's language (issue 20)
        assert page.text_content('#current-code') == 'C004'
        state = requests.get(hub.url + "/api/state", timeout=5).json()
        assert [c["code"] for c in state["calls"][:2]] == ["C004", "A003"] and state["counts"]["served"] == 1


def test_a_no_show_is_put_back_from_the_console(tmp_path: Path, browser: object) -> None:
    with HubServer(load_config(write_site(tmp_path)), port=0, clock=FrozenClock(NOW)) as hub:
        for n in (1, 2):
            issue(hub, "uffici", "A", n)
        page = unlocked(browser.new_page(), hub)  # type: ignore[attr-defined]
        wait_text(page, '.n[data-service="uffici"]', lambda t: t == '2')
        page.click("#next")
        wait_text(page, '#current-code', lambda t: t == 'A001')
        page.click("#noshow")  # asks first: one click must not send a citizen away
        wait_text(page, '#confirm-text', lambda t: t == "Segnare A001 come assente?")
        assert page.is_hidden("#keep-priority") and page.text_content('#current-code') == 'A001'
        page.click("#confirm-no")
        page.wait_for_selector("#confirm", state="hidden")
        assert requests.get(hub.url + "/api/state", timeout=5).json()["counts"]["noshow"] == 0
        page.keyboard.press("a")
        page.click("#confirm-yes")
        wait_text(page, '#message', lambda t: t == "A001 segnato assente")
        page.wait_for_selector("#noshows-title:not([hidden])")
        page.click("button[aria-label='Rimetti in coda A001']")
        wait_text(page, '#message', lambda t: t == "A001 è di nuovo in coda, al posto del suo biglietto")
        wait_text(page, '.n[data-service="uffici"]', lambda t: t == '2')
        page.wait_for_selector("#noshows-title", state="hidden")
        page.click("#next")
        wait_text(page, '#current-code', lambda t: t == 'A001')  # its place is its ticket's time


def test_pause_and_resume_the_desk(tmp_path: Path, browser: object) -> None:
    with HubServer(load_config(write_site(tmp_path)), port=0, clock=FrozenClock(NOW)) as hub:
        issue(hub, "uffici", "A", 1)
        page = unlocked(browser.new_page(), hub)  # type: ignore[attr-defined]
        wait_text(page, '.n[data-service="uffici"]', lambda t: t == '1')
        page.click("#pause")
        page.wait_for_selector("#paused:not([hidden])")
        wait_text(page, '#message', lambda t: t == "Sportello in pausa")
        assert page.is_disabled("#next") and page.is_disabled("#code")
        wait_text(page, '#pause span', lambda t: t == "Riprendi")
        page.keyboard.press("p")  # the shortcut resumes
        page.wait_for_selector("#paused", state="hidden")
        assert page.is_enabled("#next")
        page.click("#next")
        wait_text(page, '#current-code', lambda t: t == 'A001')
        assert page.is_disabled("#pause"), "the ticket in service is finished before a pause"


def test_undo_a_mis_click_from_the_console(tmp_path: Path, browser: object) -> None:
    with HubServer(load_config(write_site(tmp_path)), port=0, clock=FrozenClock(NOW)) as hub:
        for n in (1, 2, 3):
            issue(hub, "uffici", "A", n)
        page = unlocked(browser.new_page(), hub)  # type: ignore[attr-defined]
        wait_text(page, '.n[data-service="uffici"]', lambda t: t == '3')
        assert page.is_hidden("#undo"), "nothing to undo yet"
        page.dblclick("#next")  # a double click calls one citizen
        wait_text(page, '#current-code', lambda t: t == 'A001')
        wait_text(page, '.n[data-service="uffici"]', lambda t: t == '2')
        page.click("#next")  # the mis-click: A001 was not finished
        wait_text(page, '#current-code', lambda t: t == 'A002')
        wait_text(page, '#undo', lambda t: t.startswith("Annulla: Chiamato A002"))
        page.click("#undo")
        wait_text(page, '#message', lambda t: t == "Annullato: Chiamato A002")
        wait_text(page, '#current-code', lambda t: t == 'A001')
        wait_text(page, '.n[data-service="uffici"]', lambda t: t == '2')
        page.wait_for_selector("#undo", state="hidden")
        state = requests.get(hub.url + "/api/state", timeout=5).json()
        assert [c["code"] for c in state["calls"]] == ["A001"] and state["counts"]["served"] == 0
        page.keyboard.press("a")
        page.click("#confirm-yes")
        wait_text(page, '#message', lambda t: t == "A001 segnato assente")
        page.keyboard.press("u")  # the shortcut
        wait_text(page, '#message', lambda t: t == "Annullato: A001 segnato assente")
        wait_text(page, '#current-code', lambda t: t == 'A001')


def test_waiting_minutes_are_the_hubs_and_appointments_are_named(tmp_path: Path, browser: object) -> None:
    """The PC's own clock is not the hub's (here: hours apart): "attende da" counts by the hub's."""
    with HubServer(load_config(write_site(tmp_path)), port=0, clock=FrozenClock(NOW)) as hub:
        reception = paired(hub, "reception")
        assert reception.post(hub.url + "/reception/unlock", json={"pin": "2580"}, timeout=5).ok
        number = reception.post(hub.url + "/api/reception/appointments", json={
            "day": "2026-12-01", "time": "10:10", "service": "rimborsi"}, timeout=5).json()["appointment"]["number"]
        assert requests.post(hub.url + "/api/appointments/checkin", json={"number": number, "totem": "totem-1"},
                             headers=AUTH, timeout=5).ok
        body = {"id": str(uuid.uuid4()), "code": "P001", "service": "appuntamento", "number": 1,
                "issued_at": (NOW.astimezone(UTC) - timedelta(minutes=12)).isoformat(), "totem": "totem-1",
                "appointment": number}
        assert requests.post(hub.url + "/api/tickets", json=body, headers=AUTH, timeout=5).status_code == 201
        page = unlocked(browser.new_page(), hub)  # type: ignore[attr-defined]
        wait_text(page, '.n[data-service="appuntamento"]', lambda t: t == '1')
        row = page.locator(".queue li span").first.text_content()
        assert row == "P001 — appuntamento delle 10:10, Rimborsi e reclami — attende da 12 min", row


def test_with_a_priority_ratio_the_console_says_an_ordinary_turn_comes_next(tmp_path: Path, browser: object) -> None:
    """Issue 23: on a site with calling rules the console says who "Chiama il prossimo" calls and why."""
    site = write_site(tmp_path)
    site.write_text(site.read_text(encoding="utf-8") + "\n[calling]\npriority_ratio = 2\n", encoding="utf-8")
    with HubServer(load_config(site), port=0, clock=FrozenClock(NOW)) as hub:
        issue(hub, "uffici", "A", 1)
        for n in (2, 3, 4):
            issue(hub, "appuntamento", "P", n)
        page = unlocked(browser.new_page(), hub)  # type: ignore[attr-defined]
        wait_text(page, "#next-up", lambda t: t == "Prossimo: P002")
        for code in ("P002", "P003"):
            page.click("#next")  # type: ignore[attr-defined]
            wait_text(page, "#current-code", lambda t, code=code: t == code)  # type: ignore[misc]
        wait_text(page, "#next-up", lambda t: t == "Prossimo: A001 (turno ordinario: 2 con precedenza di fila)")
