"""Calls spoken in the languages of the town (issue 22, point 3): the call screen rotates all the
site's languages on screen, but speaks a call in the room's language (the site's first), then in
the one the ticket holder chose at the totem (EN 301 549 5.1.3.14: speech in the language of the
screen they used), then the site's chosen others (English), at most `display.call_languages_max`
phrases: seven a call would keep a busy room waiting. Through the real path: a ticket with its
language posted to a real hub, a desk calls it, the call screen hears the hub's stream, the
announcer has espeak-ng speak it and plays it on SDL's disk audio driver, whose file is read back."""

from __future__ import annotations

import io
import os
import re
import time
import wave
from pathlib import Path

import pygame
import pytest
import requests
from conftest import HUB_NOW
from test_accessibility import need_espeak
from test_hub_api import AUTH, ticket
from test_languages import SEVEN, seven_language_site

from config import load_config
from config.errors import ConfigError
from config.model import Config
from display.call_screen import EV_HUB, EV_LINK, CallScreen
from display.feed import HubFeed
from display.server import HubServer
from display.sound import Announcer, call_languages, call_phrases, call_voices, chime_wav, spoken_phrase
from totem.clock import FrozenClock
from totem.speech import Synth
from totem.ui.events import post


def site(tmp_path: Path, display: str = "", languages: list[str] | None = None) -> Config:
    """The shipped site with these languages (Italian and English by default), every label
    uncommented, `display` added to its [display] table."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = seven_language_site(tmp_path)
    text = path.read_text(encoding="utf-8")
    if languages != SEVEN:
        listed = f"languages = {languages or ['it', 'en']}".replace("'", '"')
        text = re.sub(r"^languages = .*$", listed, text, count=1, flags=re.M)
    assert "\n# call_languages = " in text  # commented in the shipped file (a rollback must read it)
    text = text.replace("[display]\n", f"[display]\n{display}\n" if display else "[display]\n", 1)
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_the_shipped_site_speaks_italian_then_english(tmp_path: Path) -> None:
    config = site(tmp_path)
    assert (config.display.call_languages, config.display.call_languages_max) == (("en",), 2)
    for lang in ("it", "en", None, "ar"):  # Arabic is not one of its languages: not spoken
        assert call_languages(config, lang) == ["it", "en"], lang


def test_seven_languages_speak_italian_then_the_ticket_holders(tmp_path: Path) -> None:
    config = site(tmp_path, languages=SEVEN)
    assert call_languages(config, "ar") == ["it", "ar"]  # two phrases: English gives way
    assert call_languages(config, "zh") == ["it", "zh"]
    assert call_languages(config, "it") == ["it", "en"]  # an Italian ticket: English fills the place
    assert call_languages(config, "en") == ["it", "en"]
    assert call_languages(config, None) == ["it", "en"]  # a ticket from before the totem said its language


def test_the_site_bounds_and_chooses_the_other_languages(tmp_path: Path) -> None:
    three = site(tmp_path / "a", 'call_languages = ["en"]\ncall_languages_max = 3', SEVEN)
    assert call_languages(three, "uk") == ["it", "uk", "en"]
    assert call_languages(three, "en") == ["it", "en"]
    only = site(tmp_path / "b", "call_languages = []\ncall_languages_max = 2", SEVEN)
    assert call_languages(only, "ro") == ["it", "ro"] and call_languages(only, "it") == ["it"]
    one = site(tmp_path / "c", 'call_languages = ["en"]\ncall_languages_max = 1', SEVEN)
    assert call_languages(one, "sq") == ["it"]
    default = site(tmp_path / "d", "", SEVEN)  # keys left out: the site's second language, two phrases
    assert (default.display.call_languages, default.display.call_languages_max) == (("en",), 2)
    second = site(tmp_path / "e", "", ["it", "ar", "en"])
    assert second.display.call_languages == ("ar",) and call_languages(second, "it") == ["it", "ar"]


def test_a_wrong_call_language_is_refused_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        site(tmp_path, 'call_languages = ["ua", "ar"]\ncall_languages_max = 9')
    text = str(caught.value)
    assert "display.call_languages[0]: not one of site.languages (it, en) (got 'ua')" in text
    assert "display.call_languages[1]: not one of site.languages (it, en) (got 'ar')" in text
    assert "display.call_languages_max: must be 1-7" in text
    with pytest.raises(ConfigError) as caught:
        site(tmp_path / "b", 'call_languages = ["ua"]\ncall_languages_max = 2', SEVEN)
    assert "display.call_languages[0]: not one of site.languages (it, en, ro, sq, ar, zh, uk); did you mean 'uk'? " \
           "(got 'ua')" in str(caught.value)


def pcm(data: bytes) -> bytes:
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)
        return w.readframes(w.getnframes())


def loud(samples: bytes) -> bool:
    values = memoryview(samples).cast("h")
    return (sum(x * x for x in values[::7]) / max(1, len(values[::7]))) ** 0.5 > 300


def loudest(samples: bytes, size: int = 2000) -> bytes:
    """The loudest stretch of a sound (never a silence, which would match anywhere)."""
    values = memoryview(samples).cast("h")
    peak = max(range(len(values)), key=lambda i: abs(values[i]))
    start = max(0, min(peak - size // 4, len(values) - size // 2)) * 2
    return samples[start:start + size]


def test_an_arabic_ticket_is_called_in_italian_then_in_arabic_through_the_speakers(tmp_path: Path) -> None:
    need_espeak()
    config = site(tmp_path, languages=SEVEN)
    audio = tmp_path / "audio.raw"
    pygame.mixer.quit()
    os.environ.update(SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(audio), SDL_DISKAUDIODELAY="1")
    pygame.display.init()
    pygame.font.init()
    synth = Synth(voices=call_voices(config), rate_wpm=config.accessibility.rate_wpm)
    announcer = Announcer(speech=synth, volume=1.0)
    try:
        announcer.start()
        screen = CallScreen(config=config, window=pygame.display.set_mode((640, 360)), announcer=announcer,
                            now=lambda: HUB_NOW)
        with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
            feed = HubFeed(hub.url, on_event=lambda e, d: post(EV_HUB, event=e, data=d),
                           on_link=lambda up: post(EV_LINK, up=up)).start()
            try:
                deadline = time.monotonic() + 10
                while not screen.linked and time.monotonic() < deadline:
                    screen.step()
                    time.sleep(0.01)
                arabic = {**ticket(number=7, minutes_ago=3), "lang": "ar"}
                assert requests.post(hub.url + "/api/tickets", json=arabic, headers=AUTH, timeout=5).status_code == 201
                assert requests.post(hub.url + "/api/desks/1/next", headers=AUTH, timeout=5).status_code == 200
                deadline = time.monotonic() + 10
                while not announcer.played and time.monotonic() < deadline:
                    screen.step()
                    time.sleep(0.01)
            finally:
                feed.close()
        assert screen.current is not None and screen.current["lang"] == "ar"
        desk = config.desks[0].name
        [played] = announcer.played
        assert [(p.text, p.lang) for p in played] == [(spoken_phrase("A007", desk, "it"), "it"),
                                                      (spoken_phrase("A007", desk, "ar"), "ar")]
        assert played[0].text == f"Numero A 7, {desk}" and "7" in played[1].text and "Numero" not in played[1].text
        # espeak-ng spoke each phrase with its language's voice; the mixer played chime, Italian, Arabic
        chime = pcm(chime_wav(1.0))
        voices = [pcm(synth.wav(p.text, p.lang)) for p in played]  # cached: the very samples played
        assert all(loud(v) for v in voices) and voices[0] != voices[1]
        marks = [loudest(sound) for sound in (chime, *voices)]
        deadline = time.monotonic() + 30
        while marks[-1] not in audio.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.05)
        recorded = audio.read_bytes()
        where = [recorded.find(mark) for mark in marks]
        assert all(at >= 0 for at in where), f"not all played: {where}"
        assert where == sorted(where), f"chime, Italian, Arabic in this order: {where}"
    finally:
        announcer.close()
        pygame.mixer.quit()
        os.environ["SDL_AUDIODRIVER"] = "dummy"
        pygame.quit()


def test_every_site_language_speaks_its_call(tmp_path: Path) -> None:
    """Each configured language's call phrase, with the voice the call screen gives it, is speech."""
    need_espeak()
    config = site(tmp_path, languages=SEVEN)
    synth = Synth(voices=call_voices(config), rate_wpm=config.accessibility.rate_wpm)
    for lang in SEVEN:
        [phrase] = call_phrases("B012", "Sportello 2", [lang])
        data = synth.wav(phrase.text, phrase.lang)
        assert data is not None and loud(pcm(data)), lang
