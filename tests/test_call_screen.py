"""The call screen on SDL's dummy driver: the called code is really on the surface."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import pygame
import pytest
import requests
from conftest import ROOT, rome, write_site
from kiosk_harness import count_draws

from config import load_config
from config.model import Config
from display.call_screen import EV_HUB, EV_LINK, CallScreen
from display.feed import HubFeed
from display.server import HubServer
from display.sound import Announcer, chime_wav, spoken_phrase
from totem.clock import FrozenClock
from totem.ui.events import post
from totem.ui.render import fit

AUTH = {"Authorization": "Bearer demo-token-change-me-0123456789"}


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(write_site(tmp_path))


@pytest.fixture
def screen(config: Config) -> Iterator[CallScreen]:
    pygame.display.init()
    pygame.font.init()
    window = pygame.display.set_mode((1280, 720))
    announcer = Announcer(speech=None, volume=0.0)
    yield CallScreen(config=config, window=window, announcer=announcer, now=lambda: rome(2026, 12, 1, 10, 5))
    pygame.quit()


def code_on_surface(screen: CallScreen, code: str) -> bool:
    """Render the code exactly as the screen would and compare the pixels in its box."""
    box = screen.code_box
    assert box is not None
    u = min(screen.window.get_size()) / 100.0
    f, lines = fit(code, box, round(40 * u), 1)
    expected = f.render(lines[0], True, (255, 255, 255))
    x = box.x + (box.w - expected.get_width()) // 2
    y = box.y + (box.h - f.get_linesize()) // 2
    region = screen.window.subsurface((x, y, expected.get_width(), expected.get_height()))
    white = sum(1 for px in range(0, expected.get_width(), 3) for py in range(0, expected.get_height(), 3)
                if expected.get_at((px, py))[3] > 200 and region.get_at((px, py))[:3] == (255, 255, 255))
    ink = sum(1 for px in range(0, expected.get_width(), 3) for py in range(0, expected.get_height(), 3)
              if expected.get_at((px, py))[3] > 200)
    return ink > 50 and white / ink > 0.95


def test_call_is_shown_large_and_announced(screen: CallScreen) -> None:
    pygame.event.clear()
    post(EV_HUB, event="call", data={"code": "A007", "desk": "1", "desk_name": "Sportello 1", "recall": False})
    screen.step()
    assert screen.current is not None and screen.current["code"] == "A007"
    screen.flash_until = 0  # past the flash: white text on the dark background
    screen.step()
    screen.draw()
    assert code_on_surface(screen, "A007")
    assert not code_on_surface(screen, "B123")
    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    pygame.image.save(screen.window, str(artifacts / "call-screen.png"))


def test_redraws_only_on_change(screen: CallScreen, monkeypatch: pytest.MonkeyPatch) -> None:
    from display import call_screen

    monkeypatch.setattr(call_screen, "BOTTOM_ROTATE_S", 3600.0)  # the bottom line's turn must not fall inside
    monkeypatch.setattr(call_screen, "LANGUAGE_CYCLE_S", 3600.0)  # nor the language's
    screen.step()
    assert count_draws(screen, 30) == 0
    post(EV_LINK, up=True)
    assert count_draws(screen, 1) == 1


def test_live_feed_from_hub_and_lost_link_marker(config: Config, screen: CallScreen) -> None:
    with HubServer(config, port=0, clock=FrozenClock(rome(2026, 12, 1, 10, 5))) as hub:
        feed = HubFeed(hub.url, on_event=lambda e, d: post(EV_HUB, event=e, data=d),
                       on_link=lambda up: post(EV_LINK, up=up)).start()
        try:
            deadline = time.monotonic() + 10
            while not screen.linked and time.monotonic() < deadline:
                screen.step()
                time.sleep(0.01)
            assert screen.linked
            body = {"id": "0b6f4d8e-1111-2222-3333-444455556666", "code": "E004", "service": "sanita", "number": 4,
                    "issued_at": rome(2026, 12, 1, 10, 0).isoformat(), "totem": "totem-1"}
            requests.post(hub.url + "/api/tickets", json=body, headers=AUTH, timeout=5)
            requests.post(hub.url + "/api/desks/1/next", headers=AUTH, timeout=5)
            deadline = time.monotonic() + 10
            while (screen.current or {}).get("code") != "E004" and time.monotonic() < deadline:
                screen.step()
                time.sleep(0.01)
            assert screen.current is not None and screen.current["code"] == "E004"
            assert screen.announcer is not None
            deadline = time.monotonic() + 5
            while not screen.announcer.played and time.monotonic() < deadline:
                time.sleep(0.01)
        finally:
            hub.close()
        deadline = time.monotonic() + 15
        while screen.linked and time.monotonic() < deadline:
            screen.step()
            time.sleep(0.01)
        assert not screen.linked, "a lost hub shows the marker instead of crashing"
        feed.close()


def test_phrase_and_chime() -> None:
    assert spoken_phrase("A007", "Sportello 1") == "Numero A 7, Sportello 1"
    wav = chime_wav()
    assert wav[:4] == b"RIFF" and len(wav) > 40_000


def test_state_clears_the_call_after_done_and_on_the_next_day(config: Config) -> None:
    """No-show, done and transfer clear the current call; at 00:00:01 yesterday shows nothing."""
    pygame.display.init()
    pygame.font.init()
    now = [rome(2026, 12, 1, 12, 59)]
    try:
        screen = CallScreen(config=config, window=pygame.display.set_mode((640, 360)), announcer=None,
                            now=lambda: now[0])
        call = {"seq": 1, "id": "t1", "code": "A004", "desk": "1", "desk_name": "Sportello 1", "active": True}
        screen.handle(pygame.event.Event(EV_HUB, event="state", data={"service_day": "2026-12-01", "calls": [call]}))
        assert screen.current is not None and screen.current["code"] == "A004" and len(screen.calls()) == 1
        finished = {**call, "active": False}
        screen.handle(pygame.event.Event(EV_HUB, event="state", data={"service_day": "2026-12-01",
                                                                       "calls": [finished]}))
        assert screen.current is None and [c["code"] for c in screen.calls()] == ["A004"]  # history stays
        screen.handle(pygame.event.Event(EV_HUB, event="state", data={"service_day": "2026-12-01", "calls": [call]}))
        now[0] = rome(2026, 12, 2, 0, 0, 1)  # the link is lost overnight: the last state is yesterday's
        screen.handle(pygame.event.Event(EV_LINK, up=False))
        screen.step()
        assert screen.calls() == []
        assert screen.code_box is None  # nothing drawn as the current call
    finally:
        pygame.quit()


STATE = {"service_day": "2026-12-01", "calls": [
    {"code": "A007", "desk_name": "Sportello 1", "active": True}, {"code": "C002", "desk_name": "Sportello 1"}],
    "services": [{"id": s, "prefix": p, "colour": c, "waiting": n} for s, p, c, n in (
        ("uffici", "A", "#1f4e8c", 3), ("procedure", "B", "#0c5e50", 12), ("rimborsi", "C", "#8a3b12", 0),
        ("bollette", "D", "#6b2c91", 1), ("sanita", "E", "#a4161a", 4), ("regione", "F", "#275e46", 2),
        ("lavoro", "G", "#5c4d1a", 0), ("appuntamento", "P", "#333333", 1))]}


def drawn_texts(screen: CallScreen, monkeypatch: pytest.MonkeyPatch, at_s: float,  # type: ignore[no-untyped-def]
                state: dict | None = None, flash_until: float = 0):
    """Draw the screen as it is `at_s` seconds into the cycle; what each draw_text wrote, where, in which colour."""
    from display import call_screen

    calls: list[tuple[str, object, tuple[int, int, int]]] = []
    original = call_screen.draw_text

    def spy(surface, text, box, max_px, colour=(0, 0, 0), *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((text, box, tuple(colour[:3])))
        return original(surface, text, box, max_px, colour, *args, **kwargs)

    monkeypatch.setattr(call_screen, "draw_text", spy)
    monkeypatch.setattr(call_screen.time, "monotonic", lambda: at_s)
    screen.state = state or STATE
    screen.current = next((c for c in screen.state["calls"] if c.get("active")), None)
    screen.flash_until = flash_until
    screen.step()
    screen.draw()
    monkeypatch.undo()
    return calls


def test_two_languages_take_turns_and_calls_are_spoken_in_both(screen: CallScreen,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from display.call_screen import LANGUAGE_CYCLE_S

    italian = [text for text, _, _ in drawn_texts(screen, monkeypatch, 1.0)]
    english = [text for text, _, _ in drawn_texts(screen, monkeypatch, LANGUAGE_CYCLE_S + 1.0)]
    assert "Ultime chiamate" in italian and "In attesa" in italian and "Oggi: 08:45-13:00, 14:30-16:30" in italian
    assert "Last calls" in english and "Waiting" in english and "Today: 08:45-13:00, 14:30-16:30" in english
    assert "A 3" in italian and "B 12" in english  # each service's prefix and how many wait
    announcer = Announcer(speech=None, volume=0.0).start()
    screen.announcer = announcer
    try:
        pygame.event.clear()
        post(EV_HUB, event="call", data={"code": "B012", "desk": "1", "desk_name": "Sportello 1", "recall": False})
        screen.step()
        deadline = time.monotonic() + 5
        while not announcer.played and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        announcer.close()
    assert [(p.text, p.lang) for p in announcer.played[0]] == [("Numero B 12, Sportello 1", "it"),
                                                              ("Number B 12, Sportello 1", "en")]


def test_every_call_screen_text_is_7_to_1_and_counts_read_from_5_m(config: Config,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """1920x1080 on a 43-inch TV: the waiting counts' capitals >= 25 mm (1:200 of 5 m)."""
    from test_accessibility import background

    from config.colours import contrast
    from totem.ui.geometry import px_per_mm

    pygame.display.init()
    pygame.font.init()
    try:
        window = pygame.display.set_mode((1920, 1080))
        screen = CallScreen(config=config, window=window, announcer=None, now=lambda: rome(2026, 12, 1, 10, 5))
        for at_s in (1.0, 9.0, 17.0, 25.0):
            screen.linked = at_s > 10  # the offline marker too
            calls = drawn_texts(screen, monkeypatch, at_s)
            assert len(calls) > 12
            for text, box, fg in calls:
                ratio = contrast(fg, background(window, box, fg))
                assert ratio >= 7.0, f"{text!r} at {ratio:.2f}:1"
        counts = [(text, box) for text, box, _ in calls if text == "A 3"]
        text, box = counts[0]
        from display.call_screen import fit as screen_fit

        f, _ = screen_fit(text, box.inset(round(10.8)), round(11 * 10.8), 1)
        cap_px = f.render("A", True, (255, 255, 255)).get_bounding_rect().h
        assert cap_px / px_per_mm((1920, 1080), 43) >= 25.0, cap_px
    finally:
        pygame.quit()


def test_an_undo_during_the_flash_never_leaves_grey_on_yellow(config: Config,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 20: the call undone during its 6 s flash left the site's name grey on yellow (1.32:1)."""
    from test_accessibility import background

    from config.colours import contrast
    from display.call_screen import FLASH_PERIOD_S

    undone = {**STATE, "calls": [{**c, "active": False} for c in STATE["calls"]]}
    pygame.display.init()
    pygame.font.init()
    try:
        window = pygame.display.set_mode((1280, 720))
        screen = CallScreen(config=config, window=window, announcer=None, now=lambda: rome(2026, 12, 1, 10, 5))
        for at_s in (FLASH_PERIOD_S * 3 + 0.1, FLASH_PERIOD_S * 4 + 0.1):  # both phases of the flash
            calls = drawn_texts(screen, monkeypatch, at_s, undone, flash_until=at_s + 5)
            for text, box, fg in calls:
                ratio = contrast(fg, background(window, box, fg))
                assert ratio >= 4.5, f"{text!r} at {ratio:.2f}:1"
    finally:
        pygame.quit()
