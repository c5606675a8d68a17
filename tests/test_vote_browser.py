"""The satisfaction vote in Chromium (issue 22 point 1): a served ticket's follow page takes
one vote and refuses a second; the desk's paired tablet (`/vote/1`) lights up after Fatto,
records, and goes dark after 30 s of the hub's frozen clock; the votes appear in the report
with the shares of our own count. Every vote page fits 360-1920 px and passes axe's WCAG 2.1 AA."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import requests
from conftest import HUB_NOW, ROOT, write_site
from helpers.consoles import pair_page
from test_desk_browser import browser, wait_text  # noqa: F401  (the fixture)
from test_hub_api import AUTH, ticket
from test_pages_a11y import SHOT_WIDTHS, WIDTHS, axe_violations

from config import load_config
from config.follow import follow_key
from display.server import HubServer
from totem.clock import FrozenClock

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots"


def post(hub: HubServer, path: str, body: object = None) -> requests.Response:
    return requests.post(hub.url + path, json=body, headers=AUTH, timeout=5)


def serve(hub: HubServer, number: int, desk: str = "1", **kw: object) -> dict:
    t = {**ticket(number=number, minutes_ago=10), **kw}
    assert post(hub, "/api/tickets", t).status_code == 201
    assert post(hub, f"/api/desks/{desk}/call", {"code": t["code"]}).status_code == 200
    assert post(hub, f"/api/desks/{desk}/done").status_code == 200
    return t


def faces(hub: HubServer) -> list[str]:
    db = sqlite3.connect(Path(hub.config.hub.data_dir) / "hub.sqlite3")
    try:
        return [r[0] for r in db.execute("SELECT face FROM votes ORDER BY rowid")]
    finally:
        db.close()


def follow(browser: object, hub: HubServer, t: dict, width: int = 360) -> object:  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 800}, locale="it-IT")  # type: ignore[attr-defined]
    page.goto(f"{hub.url}/t/{follow_key(hub.config.hub.token, t['id'])}")
    wait_text(page, "#headline", lambda s: s in ("Servito. Grazie della visita.", "Served. Thank you for your visit."))
    return page


def test_the_follow_page_takes_one_vote_and_refuses_a_second(tmp_path: Path, browser: object) -> None:  # noqa: F811
    config = load_config(write_site(tmp_path))
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        waiting = ticket(number=9)
        assert post(hub, "/api/tickets", waiting).status_code == 201
        early = browser.new_page(viewport={"width": 360, "height": 800}, locale="it-IT")  # type: ignore[attr-defined]
        early.goto(f"{hub.url}/t/{follow_key(config.hub.token, waiting['id'])}")
        wait_text(early, "#headline", lambda s: "prima di lei" in s)
        assert early.is_hidden("#vote")  # no faces before the ticket is served
        t = serve(hub, 1)
        phone, tablet_tab = follow(browser, hub, t), follow(browser, hub, t)  # the same ticket open twice
        for page in (phone, tablet_tab):
            page.wait_for_selector("#vote .vote-button.vote-positive")
        buttons = phone.locator("#vote .vote-button")
        assert buttons.count() == 3
        assert [buttons.nth(i).inner_text().strip() for i in range(3)] == ["Soddisfatto", "Così così",
                                                                          "Non soddisfatto"]
        phone.click("#vote .vote-positive")
        wait_text(phone, "#vote", lambda s: s == "Grazie del suo giudizio.")
        assert faces(hub) == ["positive"]
        # The second tab did not know: its red face asks the reasons, then the hub refuses, in words.
        tablet_tab.click("#vote .vote-negative")
        tablet_tab.wait_for_selector("#vote .vote-reasons")
        assert "Tempo di attesa" in tablet_tab.inner_text("#vote") and "Cortesia" in tablet_tab.inner_text("#vote")
        tablet_tab.check("#vote input[value=wait]")
        tablet_tab.click("#vote .vote-send")
        wait_text(tablet_tab, "#vote", lambda s: s == "Questo biglietto ha già un giudizio: uno per biglietto.")
        assert faces(hub) == ["positive"]
        # Opened again later: the rating given, no faces.
        again = follow(browser, hub, t)
        wait_text(again, "#vote", lambda s: s == "Giudizio già dato: Soddisfatto.")
        assert again.locator("#vote button").count() == 0
        # An English ticket asks in English; its red face sends the reasons ticked.
        english = serve(hub, 2, lang="en")
        page = follow(browser, hub, english)
        wait_text(page, "#headline", lambda s: s == "Served. Thank you for your visit.")
        page.wait_for_selector("#vote .vote-negative")
        assert page.inner_text("#vote .vote-question") == "How did it go at the desk?"
        page.click("#vote .vote-negative")
        page.click("#vote .vote-back")  # a mis-tap on red: back to the three faces, nothing sent
        page.wait_for_selector("#vote .vote-positive")
        assert faces(hub) == ["positive"]
        page.click("#vote .vote-negative")
        page.check("#vote input[value=clarity]")
        page.click("#vote .vote-send")
        wait_text(page, "#vote", lambda s: s == "Thank you for your rating.")
        assert faces(hub) == ["positive", "negative"]


def test_the_desk_tablet_lights_up_after_done_records_and_goes_dark(tmp_path: Path,
                                                                     browser: object) -> None:  # noqa: F811
    config = load_config(write_site(tmp_path))
    clock = FrozenClock(HUB_NOW)
    with HubServer(config, port=0, clock=clock) as hub:
        stranger = browser.new_page(viewport={"width": 800, "height": 600})  # type: ignore[attr-defined]
        stranger.goto(hub.url + "/vote/1")
        wait_text(stranger, "#unpaired", lambda s: "non è abbinato" in s)
        page = browser.new_page(viewport={"width": 1024, "height": 700}, locale="it-IT")  # type: ignore[attr-defined]
        pair_page(page, hub, "vote", "1")
        wait_text(page, "#idle", lambda s: s.startswith("Il giudizio si potrà dare"))
        assert "dark" in (page.get_attribute("body", "class") or "")
        serve(hub, 1)
        wait_text(page, "#ticket", lambda s: s == "Biglietto A001 · Problemi con un ufficio comunale")
        assert "dark" not in (page.get_attribute("body", "class") or "")
        page.click("#vote .vote-neutral")
        wait_text(page, "#vote", lambda s: s == "Grazie del suo giudizio.")
        assert faces(hub) == ["neutral"]
        clock.advance(seconds=31)
        page.wait_for_selector("body.dark", timeout=10_000)  # asked again while lit: the hub's clock says
        # The next citizen: lit again, not rated, dark after 30 s of frozen time with nothing stored.
        serve(hub, 2)
        wait_text(page, "#ticket", lambda s: s.startswith("Biglietto A002"))
        page.wait_for_selector("#vote .vote-positive")
        clock.advance(seconds=29)
        page.wait_for_timeout(2500)  # a poll at 29 s: still lit
        assert page.is_visible("#vote .vote-positive")
        clock.advance(seconds=1)
        page.wait_for_selector("body.dark", timeout=10_000)
        assert page.is_hidden("#vote") and faces(hub) == ["neutral"]
        # Its red face, on the next one: the reasons, then recorded.
        serve(hub, 3)
        page.wait_for_selector("#vote .vote-negative")
        page.click("#vote .vote-negative")
        page.check("#vote input[value=courtesy]")
        page.click("#vote .vote-send")
        wait_text(page, "#vote", lambda s: s == "Grazie del suo giudizio.")
        assert faces(hub) == ["neutral", "negative"]


def test_the_votes_appear_in_the_report_with_the_right_shares(tmp_path: Path, browser: object) -> None:  # noqa: F811
    config = load_config(write_site(tmp_path))
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        plan = ["positive", "negative", "positive", "neutral", "positive", "positive", "negative", "neutral"]
        for n, face in enumerate(plan, start=1):
            t = serve(hub, n)
            page = follow(browser, hub, t, width=390)
            page.click(f"#vote .vote-{face}")
            if face == "negative":
                page.check("#vote input[value=wait]")
                page.click("#vote .vote-send")
            wait_text(page, "#vote", lambda s: s == "Grazie del suo giudizio.")
            page.close()
        share = {f: round(100 * plan.count(f) / len(plan), 1) for f in ("positive", "neutral", "negative")}
        manager = browser.new_page(viewport={"width": 1440, "height": 900}, locale="it-IT")  # type: ignore[attr-defined]
        pair_page(manager, hub, "manager")
        manager.fill("input[name=pin]", config.hub.manager_pin)
        manager.click("button")
        manager.goto(hub.url + "/reports?period=today&lang=it")
        text = manager.inner_text("section[aria-label='Soddisfazione (Mettiamoci la faccia)']")
        pct = lambda v: f"{v:.1f}".replace(".", ",") + " %"  # noqa: E731
        assert f"Giudizi: {len(plan)}" in text
        assert f"Soddisfatto: {pct(share['positive'])}" in text and f"Così così: {pct(share['neutral'])}" in text
        assert f"Non soddisfatto: {pct(share['negative'])}" in text
        assert f"Tempo di attesa {plan.count('negative')}" in text


VOTE_PAGES = ("follow-vote", "follow-vote-reasons", "vote-open", "vote-dark", "vote-unpaired")


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> object:
    tmp = tmp_path_factory.mktemp("vote-pages")
    config = load_config(write_site(tmp))
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        yield hub, serve(hub, 1)


def open_vote_page(browser: object, hub: HubServer, t: dict, width: int, kind: str) -> object:  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="it-IT",  # type: ignore[attr-defined]
                                  bypass_csp=True)  # axe is injected as a script
    page = context.new_page()
    if kind.startswith("follow"):
        page.goto(f"{hub.url}/t/{follow_key(hub.config.hub.token, t['id'])}")
        page.wait_for_selector("#vote .vote-negative")
        if kind == "follow-vote-reasons":
            page.click("#vote .vote-negative")
            page.wait_for_selector("#vote .vote-reasons")
    elif kind == "vote-unpaired":
        page.goto(hub.url + "/vote/1")
        wait_text(page, "#unpaired", lambda s: "non è abbinato" in s)
    else:
        pair_page(page, hub, "vote", "1")
        if kind == "vote-open":
            page.wait_for_selector("#vote .vote-negative")
        else:
            hub.clock.advance(seconds=30)  # type: ignore[attr-defined]
            page.wait_for_selector("body.dark #idle:not([hidden])")
            hub.clock.advance(seconds=-30)  # type: ignore[attr-defined]
    return page


@pytest.mark.parametrize("kind", VOTE_PAGES)
def test_every_vote_page_fits_every_width_and_passes_wcag_aa(served_site: tuple[HubServer, dict],
                                                             browser: object, kind: str) -> None:  # noqa: F811
    hub, t = served_site
    report: dict[int, list[dict[str, object]]] = {}
    for width in WIDTHS:
        page = open_vote_page(browser, hub, t, width, kind)
        size = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")  # type: ignore[attr-defined]
        assert size[0] <= size[1], f"{kind} at {width} px: the page is {size[0]} px wide"
        if kind in ("follow-vote", "vote-open"):  # large targets: every face at least 88 px high
            heights = page.evaluate("() => Array.from(document.querySelectorAll('.vote-button'), "  # type: ignore[attr-defined]
                                    "b => b.getBoundingClientRect().height)")
            assert len(heights) == 3 and min(heights) >= 88, heights
        if width in SHOT_WIDTHS:
            report[width] = axe_violations(page)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{kind}-{width}.png"), full_page=True)  # type: ignore[attr-defined]
        page.context.close()  # type: ignore[attr-defined]
    out = ROOT / "tests" / "artifacts" / "axe"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{kind}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    assert all(not v for v in report.values()), f"{kind}: WCAG 2.1 AA violations: {json.dumps(report, indent=1)}"
