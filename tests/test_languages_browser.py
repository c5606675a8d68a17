"""The follow page in the site's other languages (issue 22 point 3), in Chromium on a phone:
an Arabic ticket's page is right to left and in Arabic, a Chinese one in Chinese, the switch
goes through the site's languages, each named in itself. Saves the README's screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from conftest import HUB_NOW, ROOT
from test_desk_browser import browser, wait_text  # noqa: F401  (the fixture)
from test_hub_api import AUTH, ticket
from test_languages import seven_language_site

from config import load_config
from config.follow import follow_key
from display.server import HubServer
from totem.clock import FrozenClock

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots"


def test_the_follow_page_speaks_arabic_right_to_left_and_chinese(tmp_path: Path, browser: object) -> None:  # noqa: F811
    config = load_config(seven_language_site(tmp_path))
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        arabic = {**ticket(number=1, minutes_ago=5), "lang": "ar"}
        chinese = {**ticket(number=2, minutes_ago=4), "lang": "zh"}
        for t in (arabic, chinese):
            assert requests.post(hub.url + "/api/tickets", json=t, headers=AUTH, timeout=5).status_code == 201
        page = browser.new_page(viewport={"width": 360, "height": 740}, locale="it-IT")  # type: ignore[attr-defined]
        page.goto(f"{hub.url}/t/{follow_key(config.hub.token, arabic['id'])}")
        wait_text(page, "#headline", lambda t: t == "لا أحد قبلك")
        assert page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
        assert page.text_content("#service") == "مشكلة مع أحد مكاتب البلدية"
        assert page.text_content("[data-t=your_number]") == "رقمك"
        assert page.text_content("#lang") == "中文"  # the next of the site's languages, in itself
        page.screenshot(path=str(SHOTS / "follow-ar.png"), full_page=True)
        page.click("#lang")
        wait_text(page, "#headline", lambda t: t == "您前面没有人")
        assert page.evaluate("() => document.documentElement.dir") == "ltr"
        assert page.text_content("#lang") == "Українська"
        page.click("#lang")
        wait_text(page, "#headline", lambda t: t == "Перед вами нікого")
        page.click("#lang")
        wait_text(page, "#headline", lambda t: t == "Nessuno prima di lei")  # round again, Italian first
        other = browser.new_page(viewport={"width": 360, "height": 740}, locale="it-IT")  # type: ignore[attr-defined]
        other.goto(f"{hub.url}/t/{follow_key(config.hub.token, chinese['id'])}")
        other.evaluate("() => localStorage.removeItem('totem-follow-lang')")
        other.reload()
        wait_text(other, "#headline", lambda t: t == "您前面有 1 人")
        assert other.text_content("#service") == "市政办公室相关问题"
        other.screenshot(path=str(SHOTS / "follow-zh.png"), full_page=True)


def test_the_desk_vote_tablet_turns_right_to_left_for_an_arabic_ticket(tmp_path: Path,
                                                                       browser: object) -> None:  # noqa: F811
    from helpers.consoles import pair_page
    from test_vote_browser import serve

    config = load_config(seven_language_site(tmp_path))
    clock = FrozenClock(HUB_NOW)
    with HubServer(config, port=0, clock=clock) as hub:
        page = browser.new_page(viewport={"width": 1024, "height": 700}, locale="it-IT")  # type: ignore[attr-defined]
        pair_page(page, hub, "vote", "1")
        wait_text(page, "#idle", lambda s: s.startswith("Il giudizio si potrà dare"))
        assert page.evaluate("() => document.documentElement.dir") in ("", "ltr")
        serve(hub, 1, lang="ar")
        wait_text(page, "#ticket", lambda s: "مشكلة مع أحد مكاتب البلدية" in s)
        assert page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
        clock.advance(seconds=31)  # the tablet goes dark: the next citizen's ticket
        page.wait_for_selector("body.dark", timeout=10_000)
        serve(hub, 2, lang="it")
        wait_text(page, "#ticket", lambda s: s.startswith("Biglietto A002"))
        assert page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == ["it", "ltr"]
