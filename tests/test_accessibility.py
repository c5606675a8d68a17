"""A totem every citizen can use: spoken guidance from the keypad, time that can be extended,
large text that fits every panel, every screen in every language (issue 12)."""

from __future__ import annotations

import array
import math
import os
import shutil
import threading
import time
import wave
from datetime import timedelta
from pathlib import Path

import pygame
import pytest
from conftest import SHIPPED, rome, write_site
from escpos_decode import decode
from kiosk_harness import RecordingVoice, key, kiosk, pump, tap

from config import load_config
from totem import spoken
from totem.clock import FrozenClock
from totem.hours import Schedule
from totem.speech import Synth
from totem.ui import render
from totem.ui.events import Screen
from totem.ui.geometry import px_per_mm, take_layout

OPEN = rome(2026, 12, 1, 10, 0)  # Tuesday morning
LUNCH = rome(2026, 12, 1, 13, 30)  # Tuesday lunch break: reopens today at 14:30


def need_espeak() -> None:
    if shutil.which("espeak-ng") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("espeak-ng is required under CI=true (.ci/run installs it)")
        pytest.skip("espeak-ng not installed (apt-get install espeak-ng)")


def recording_kiosk(site: Path, clock: FrozenClock, **kwargs: object):  # type: ignore[no-untyped-def]
    voice = RecordingVoice()
    return kiosk(site, clock, voice_factory=lambda config, stack: voice, **kwargs), voice


def every_phrase(lang: str) -> list[spoken.Spoken]:
    config = load_config(SHIPPED)
    schedule = Schedule(config.hours, config.site.timezone)
    return (spoken.home(config, lang) + spoken.selected(config, lang, 2) + spoken.printing(lang)
            + spoken.ticket(lang, code="C007", label=config.services[2].label(lang), people_ahead="3 persone",
                            wait="20-35 min")
            + spoken.closed(config, lang, opening=schedule.status(LUNCH), now=LUNCH, schedule=schedule)
            + spoken.out_of_service(config, lang) + spoken.timeout_warning(lang)
            + spoken.text_size(lang, large=True))


@pytest.mark.parametrize("lang", ["it", "en"])
def test_every_spoken_phrase_is_real_speech(lang: str, tmp_path: Path) -> None:
    """Each screen's phrases become WAV files: non-silent, of a length that fits the words."""
    need_espeak()
    synth = Synth(voices={"en": "en-gb"}, rate_wpm=140)
    phrases = every_phrase(lang)
    assert len(phrases) >= 20
    for i, phrase in enumerate(phrases):
        data = synth.wav(phrase.text, phrase.lang)
        assert data is not None, phrase
        path = tmp_path / f"{lang}-{i:02d}.wav"
        path.write_bytes(data)
        with wave.open(str(path)) as w:
            assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
            seconds = w.getnframes() / w.getframerate()
            samples = array.array("h", w.readframes(w.getnframes()))
        words = len(phrase.text.split())
        assert 0.25 <= seconds <= 1.5 + 0.8 * words, (phrase.text, seconds)  # 140 wpm is 0.43 s a word
        rms = math.sqrt(sum(s * s for s in samples[::7]) / len(samples[::7]))
        assert rms > 500, (phrase.text, rms)  # speech, not silence or a click
    assert synth.wav(phrases[0].text, phrases[0].lang) is synth.wav(phrases[0].text, phrases[0].lang)  # cached


def test_the_voice_plays_through_the_mixer(tmp_path: Path) -> None:
    """The real Voice on SDL's disk audio driver: what it plays lands in the file, non-silent."""
    need_espeak()
    from totem.ui.voice import Voice

    out = tmp_path / "audio.raw"
    pygame.mixer.quit()
    os.environ.update(SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(out), SDL_DISKAUDIODELAY="0")
    try:
        voice = Voice(synth=Synth(), volume=1.0).start()
        assert voice.audible
        voice.say([spoken.Spoken("Il suo numero è C 7.", "it"), spoken.Spoken("Your number is C 7.", "en")])
        deadline = time.monotonic() + 15
        while len(voice.spoken) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        voice.say([spoken.Spoken("Tempo quasi scaduto.", "it")])  # cuts off whatever is playing
        deadline = time.monotonic() + 15
        while len(voice.spoken) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        closing = threading.Thread(target=voice.close)  # cuts the phrase off, never waits for its end
        closing.start()
        closing.join(timeout=10)  # a safety net, not a measurement
        assert not closing.is_alive()
    finally:
        pygame.mixer.quit()
        os.environ["SDL_AUDIODRIVER"] = "dummy"
    assert [p.text for p in voice.spoken] == ["Il suo numero è C 7.", "Your number is C 7.", "Tempo quasi scaduto."]
    samples = array.array("h", out.read_bytes()[: len(out.read_bytes()) // 2 * 2])
    loud = sum(1 for s in samples[::5] if abs(s) > 1000)
    assert loud > 2000, "the mixer's output is silent"


def test_keypad_only_ticket_with_speech(open_site_path: Path, tmp_path: Path) -> None:
    """A blind citizen: '*' for help, 3 then Enter; every step is said, in order."""
    context, voice = recording_kiosk(open_site_path, FrozenClock(OPEN))
    with context as app:
        assert voice.prepared, "the Home phrases are synthesised ahead"
        key(pygame.K_KP_MULTIPLY)
        app.step()
        assert app.session.guided
        assert voice.last[:3] == ["Sportello Comune Amico. Guida vocale attiva.",
                                  "Premere il numero del servizio, poi il tasto Invio.",
                                  "1: Problemi con un ufficio comunale."]
        assert ("For English, press 0.", "en") in voice.said[-1]
        key(pygame.K_KP3)
        app.step()
        assert voice.last == ["3: Rimborsi e reclami. Premere Invio per il biglietto."]
        key(pygame.K_KP_ENTER)
        pump(app, lambda: app.screen is Screen.TAKE)
        assert ["Stampa in corso…"] in [[t for t, _ in said] for said in voice.said]
        # no hub here: what is said is what the screen and the ticket say ("dato non disponibile ora")
        assert voice.last == ["Il suo numero è C 1.", "Rimborsi e reclami", *app.shown.lines, "Prenda il biglietto",
                              "Premere un numero per più tempo, Invio per tornare all'inizio."]
        assert len(app.shown.lines) == 2
        assert app.countdown is not None and app.countdown.timeout_s == 3 * app.config.totem.take_ticket_timeout_s
        app.entered_at -= 2  # past the tap guard
        key(pygame.K_KP_ENTER)
        app.step()
        assert app.screen is Screen.HOME and not app.session.guided and voice.stops >= 1
    [ticket] = sorted((tmp_path / "data" / "tickets").glob("*/C001.escpos"))
    assert "C001" in decode(ticket.read_bytes()).texts()


def test_first_digit_greets_then_reads_the_choice_and_zero_switches_language(open_site_path: Path) -> None:
    context, voice = recording_kiosk(open_site_path, FrozenClock(OPEN))
    with context as app:
        key(pygame.K_2)
        app.step()
        assert voice.last == ["Sportello Comune Amico. Guida vocale attiva.",
                              "2: Servizi e pratiche del Comune. Premere Invio per il biglietto."]
        key(pygame.K_0)
        app.step()
        assert app.lang == "en"
        assert voice.last[:2] == ["Sportello Comune Amico. Spoken help is on.",
                                  "Press the number of the service, then the Enter key."]
        assert voice.said[-1][-1] == ("Per l'italiano, premere 0.", "it")  # said by the Italian voice


def test_help_button_on_gpio_starts_guidance(tmp_path: Path) -> None:
    from gpiozero.pins.mock import MockFactory

    site = write_site(tmp_path, always_open=True,
                      extra={"# [gpio]\n# status_led = 17\n# ticket_button = 27\n# button_service = \"uffici\"":
                             "[gpio]\nstatus_led = 17\nticket_button = 27\nhelp_button = 22"})
    factory = MockFactory()
    context, voice = recording_kiosk(site, FrozenClock(OPEN), pin_factory=factory)
    with context as app:
        factory.pin(22).drive_low()
        pump(app, lambda: app.session.guided and bool(voice.said))
        assert voice.last[0] == "Sportello Comune Amico. Guida vocale attiva."
        factory.pin(22).drive_high()


def test_ticket_screen_warns_by_sight_and_sound_and_can_be_extended(open_site_path: Path) -> None:
    context, voice = recording_kiosk(open_site_path, FrozenClock(OPEN))
    with context as app:
        tap(app, app.layout.buttons[0].center)
        pump(app, lambda: app.screen is Screen.TAKE)
        countdown = app.countdown
        assert countdown is not None and countdown.timeout_s == app.config.totem.take_ticket_timeout_s
        bar = take_layout(app.size, with_image=False).bar
        assert app.surface.get_at((bar.x + 2, bar.y + 1))[:3] == render.BAND
        countdown.started_at -= countdown.timeout_s - 2  # two seconds left
        app.step()
        assert app.warned and voice.beeps == 1
        assert app.surface.get_at((bar.x + 2, bar.y + 1))[:3] == render.WARN, "the bar turns red"
        assert not voice.said, "no speech in a session that did not ask for it"
        more = take_layout(app.size, with_image=False).more_time
        time.sleep(0.3)  # a new touch, not the first one bouncing
        tap(app, more.center)  # "Più tempo"
        app.step()
        assert app.screen is Screen.TAKE and countdown.left_s(time.monotonic()) > countdown.timeout_s - 1
        assert not app.warned
        countdown.started_at -= countdown.timeout_s - 1
        key(pygame.K_5)  # any key but Enter: more time
        app.step()
        assert app.screen is Screen.TAKE and countdown.left_s(time.monotonic()) > countdown.timeout_s - 1
        countdown.started_at -= countdown.timeout_s
        app.step()
        assert app.screen is Screen.HOME


def test_a_half_finished_session_warns_then_resets(open_site_path: Path) -> None:
    context, voice = recording_kiosk(open_site_path, FrozenClock(OPEN))
    with context as app:
        tap(app, app.layout.languages[1].center)
        app.step()
        assert app.lang == "en"
        from totem.ui.home import LANGUAGE_RESET_S

        app.last_input_at -= LANGUAGE_RESET_S - 4
        app.step()
        assert app.notice == "Back to the start in 4 s: touch the screen to stay" and voice.beeps == 1
        app.last_input_at = time.monotonic()  # any touch: the full time again
        app.step()
        assert app.notice == "" and app.lang == "en"
        app.last_input_at -= LANGUAGE_RESET_S + 1
        app.step()
        assert app.lang == "it" and not app.session.started


SIZES = [(800, 480), (1024, 600), (1280, 800), (480, 800), (600, 1024), (800, 1280)]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["it", "en"])
def test_large_text_has_5mm_capitals_on_a_7_inch_panel_and_every_service(size: tuple[int, int], lang: str) -> None:
    pygame.font.init()
    render.font.cache_clear()
    config = load_config(SHIPPED)
    layout, px = render.choose_home_layout(size, config=config, lang=lang, large=True, diagonal_in=7.0)
    cap_px = render.font(px).render("H", True, (0, 0, 0)).get_bounding_rect().h
    assert cap_px / px_per_mm(size, 7.0) >= 5.0
    _, normal_px = render.choose_home_layout(size, config=config, lang=lang, large=False)
    assert px > normal_px
    seen: list[int] = []
    w, h = size
    for page in range(layout.pages):
        lay, page_px = render.choose_home_layout(size, config=config, lang=lang, large=True, page=page)
        assert page_px == px and lay.pages == layout.pages
        seen += range(lay.first, lay.first + len(lay.buttons))
        boxes = list(lay.buttons) + [b for b in (lay.prev, lay.next, lay.text_size, *lay.languages) if b]
        assert all(b.x >= 0 and b.y >= 0 and b.x + b.w <= w and b.y + b.h <= h for b in boxes)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y, (a, b)
        assert render.label_px_for(lay, config, lang, px) >= px, "every label fits at the large size"
        if layout.pages > 1:
            assert (lay.prev is not None) == (page > 0) and (lay.next is not None) == (page < layout.pages - 1)
    assert seen == list(range(len(config.services)))


def test_large_text_by_tap_and_keypad_with_pages(tmp_path: Path) -> None:
    site = write_site(tmp_path, always_open=True, extra={"window_size = [1280, 800]": "window_size = [800, 480]"})
    context, voice = recording_kiosk(site, FrozenClock(OPEN))
    with context as app:
        tap(app, app.layout.text_size.center)
        app.step()
        assert app.session.large and app.layout.pages > 1 and app.layout.first == 0
        assert app.layout.next is not None
        tap(app, app.layout.next.center)
        time.sleep(0.3)
        app.step()
        assert app.layout.first > 0
        key(pygame.K_1)  # the keypad reaches every service: its page turns
        app.step()
        assert app.focus == 0 and app.layout.first == 0
        key(pygame.K_8)
        app.step()
        assert app.focus == 7 and app.layout.first <= 7 < app.layout.first + len(app.layout.buttons)
        key(pygame.K_KP_MINUS)
        app.step()
        assert not app.session.large and app.layout.first == 0  # normal text pages too (test_text_size)
        assert ("Testo normale.", "it") in voice.said[-1]
        key(pygame.K_KP_PLUS)
        key(pygame.K_7)  # 8 is the appointments button: its Enter asks for the number (test_checkin)
        key(pygame.K_KP_ENTER)
        pump(app, lambda: app.screen is Screen.TAKE)
        assert app.session.large  # the ticket screen is large too
        app.entered_at -= 2
        key(pygame.K_ESCAPE)
        app.step()
        assert not app.session.large, "large text ends with the session"


def test_closed_and_out_of_service_speak_the_citizens_language(site_path: Path) -> None:
    context, voice = recording_kiosk(site_path, FrozenClock(LUNCH))
    with context as app:
        assert app.screen is Screen.CLOSED
        tap(app, app.layout.languages[1].center)
        app.step()
        assert app.lang == "en"
        key(pygame.K_KP_MULTIPLY)
        app.step()
        assert voice.last[:3] == ["Sportello Comune Amico. Spoken help is on.", "The desk is closed",
                                  "Opens again today at 14:30"]
        assert "For an appointment, call 0 5 8 3, 4 2 8 3 7 0." in voice.last
        key(pygame.K_0)
        app.step()
        assert app.lang == "it" and voice.last[:2] == ["Lo sportello è chiuso", "Riapre oggi alle 14:30"]


def test_the_address_is_printed_and_shown(open_site_path: Path, tmp_path: Path) -> None:
    with kiosk(open_site_path, FrozenClock(OPEN)) as app:
        key(pygame.K_1)
        key(pygame.K_RETURN)
        pump(app, lambda: app.screen is Screen.TAKE)
    [ticket] = sorted((tmp_path / "data" / "tickets").glob("*/A001.escpos"))
    assert "Piazza Aldo Moro 1, Capannori" in decode(ticket.read_bytes()).texts()
    from config.i18n import Translator

    assert render.contacts_line(Translator("en"), app.config).startswith("Piazza Aldo Moro 1, Capannori · ")


def test_code_is_on_screen_before_the_ticket_is_printed(open_site_path: Path) -> None:
    """The number shows as soon as it is committed; the printer and the image follow."""
    with kiosk(open_site_path, FrozenClock(OPEN)) as app:
        printer = app.services.printer
        release = __import__("threading").Event()
        original = printer.print_ticket

        def slow_print(ticket, **kw):  # type: ignore[no-untyped-def]
            release.wait(5)
            return original(ticket, **kw)

        printer.print_ticket = slow_print
        try:
            tap(app, app.layout.buttons[1].center)
            pump(app, lambda: app.shown.code == "B001")
            assert app.screen is Screen.PRINTING and not app.shown.printed
        finally:
            release.set()
        pump(app, lambda: app.screen is Screen.TAKE)


def screens_drawn(app, lang: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Draw every screen in `lang`; yield (screen, surface copy, [(text, box, colour)])."""
    calls: list[tuple[str, object, tuple[int, int, int]]] = []
    original = render.draw_text

    def spy(surface, text, box, max_px, colour=render.INK, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((text, box, tuple(colour[:3])))
        return original(surface, text, box, max_px, colour, *args, **kwargs)

    monkeypatch.setattr(render, "draw_text", spy)
    app.lang = lang
    for screen, setup in (("home", lambda: None), ("home-large", lambda: app.set_large(True)),
                          ("take", lambda: app.set_large(False)), ("closed", lambda: None),
                          ("out", lambda: None), ("pin", lambda: None), ("menu", lambda: None),
                          ("checkin", lambda: None)):
        setup()
        calls.clear()
        if screen == "take":
            app.shown = app.shown.__class__("C007", "rimborsi", ("3 persone prima di lei", "Attesa stimata: 20-35"),
                                            None, printed=True)
            app.go(Screen.TAKE)
            app.countdown.started_at -= app.countdown.timeout_s - 2  # the warning shows too
        elif screen == "closed":
            app.go(Screen.CLOSED)
        elif screen == "out":
            app.clock_problem = "x"
            app.go(Screen.OUT)
        elif screen == "pin":
            app.go(Screen.PIN)
        elif screen == "menu":
            app.tech.info = ["totem-1 v1", "Stampante: ready"]
            app.go(Screen.MENU)
        elif screen == "checkin":
            app.checkin_view.open()
            app.checkin.entered, app.checkin.message = "482", app.t("checkin_unknown")
        else:
            app.go(Screen.HOME)
        app.lang = lang
        app.draw()
        yield screen, app.surface.copy(), list(calls)


def background(surface: pygame.Surface, box, fg: tuple[int, int, int]) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """The most common colour inside the box other than the text's own: what the text sits on."""
    from collections import Counter

    counts: Counter[tuple[int, int, int]] = Counter()
    w, h = surface.get_size()
    for x in range(max(0, box.x), min(w, box.x + box.w), 2):
        for y in range(max(0, box.y), min(h, box.y + box.h), 2):
            c = tuple(surface.get_at((x, y))[:3])
            if render.contrast(c, fg) > 1.5:  # not the glyph nor its antialiased edge
                counts[c] += 1
    return counts.most_common(1)[0][0]


@pytest.mark.parametrize("lang", ["it", "en"])
def test_every_text_on_every_screen_has_enough_contrast(open_site_path: Path, lang: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Measured on the drawn surfaces: 4.5:1 everywhere, 7:1 for the code and the buttons."""
    config = load_config(open_site_path)
    labels = {s.label(lang) for s in config.services}
    with kiosk(open_site_path, FrozenClock(OPEN)) as app:
        checked = 0
        for screen, surface, calls in screens_drawn(app, lang, monkeypatch):
            for text, box, fg in calls:
                ratio = render.contrast(fg, background(surface, box, fg))
                needed = 7.0 if text in labels or text == "C007" or screen in ("pin", "menu", "checkin") else 4.5
                assert ratio >= needed, f"{screen}: {text!r} at {ratio:.2f}:1"
                checked += 1
    assert checked > 60


def test_every_catalogue_key_is_reached_and_translated(site_path: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Walk every screen and state, phrase, ticket and technician line in every language,
    recording the catalogue keys used: each key is reached, and none is left untranslated."""
    from config.errors import AppointmentRefused
    from config.i18n import Translator, _catalogue, available_languages
    from config.records import Estimate
    from display import page_messages, report_cli, report_page, visit_report, vote_routes
    from display.call_screen import CallScreen
    from display.follow_texts import page_texts
    from display.reports import build_report
    from display.sound import call_phrases
    from printer.layout import TicketContent, build_test_page, build_ticket
    from totem import spoken
    from totem.no_desk import ticket_warning
    from totem.ui.checkin import CheckIn, checkin_layout, draw_checkin
    from totem.ui.late import draw_late, late_layout
    from totem.ui.late import phrases as late_phrases
    from totem.ui.technician import Technician

    used: set[str] = set()
    original = Translator.__call__

    def recording(self, key, **values):  # type: ignore[no-untyped-def]
        used.add(key)
        return original(self, key, **values)

    monkeypatch.setattr(Translator, "__call__", recording)
    config = load_config(site_path)
    schedule = Schedule(config.hours, config.site.timezone)
    estimates = [Estimate(0, True, 0, 10, "hub"), Estimate(1, True, 5, 15, "hub"), Estimate(3, False, 20, 35, "x"),
                 Estimate(None, False, None, None, "none"), Estimate(1, False, None, 5, "x"),
                 Estimate(0, False, 0, 5, "x"), Estimate(4, True, 0, 5, "x"),
                 Estimate(9, True, 5, 10, "hub", True, "16:30"), Estimate(20, True, None, None, "hub", True, "16:30")]
    closed_at = [rome(2026, 12, 1, 13, 30), rome(2026, 12, 1, 18, 0), rome(2026, 12, 5, 13, 0),
                 rome(2026, 12, 8, 10, 0), rome(2026, 12, 1, 12, 55)]  # lunch, evening, Saturday, holiday, cutoff
    small = pygame.Surface((800, 480))
    closures = {OPEN.date() + timedelta(days=i): why for i, why in enumerate(("", "holiday", "closed_date",
                                                                              "closed_day"))}
    with kiosk(site_path, FrozenClock(OPEN)) as app:
        tap(app, app.layout.buttons[0].center)
        pump(app, lambda: app.screen is Screen.TAKE)
        time.sleep(0.3)
        app.go(Screen.HOME)
        tap(app, app.layout.buttons[0].center)  # within min_interval_s: "Un momento, prego…"
        pump(app, lambda: bool(app.notice))
        for lang in available_languages():
            for _ in screens_drawn(app, lang, monkeypatch):
                pass
            t = Translator(lang)
            app.go(Screen.TAKE)
            app.draw()  # not yet warning: "touch the screen to go back"
            app.go(Screen.HOME)
            app.notice = ""
            app.focus = 1
            app.draw()  # "press ENTER for ..."
            from totem.ui.home import LANGUAGE_RESET_S

            app.last_input_at = time.monotonic() - LANGUAGE_RESET_S + 4
            app.tick_timers(time.monotonic())  # the reset warning
            assert app.notice
            app.clock_problem, app.device_problem = None, "taken"  # Out of service: the hub refused its id
            app.go(Screen.OUT)
            app.draw()
            app.device_problem = None
            app.go(Screen.HOME)
            layout, px = render.choose_home_layout((800, 480), config=config, lang=lang, large=True, page=1)
            render.draw_home(small, config=config, t=t, layout=layout, now=OPEN, schedule=schedule, lang=lang,
                             focus=None, label_px=px, large=True)
            for when in closed_at:
                render.draw_closed(small, config=config, t=t, opening=schedule.status(when), now=when,
                                   schedule=schedule, layout=layout)
            render.draw_pin(small, t=t, entered=2, wrong=True)
            render.draw_out_of_service(small, t=t, config=config, layout=layout, voided="A001")  # test_faults too
            spoken.out_of_service(config, lang, voided="A001")
            state = CheckIn()
            for reason in AppointmentRefused.REASONS:  # every refusal the check-in screen can say
                state.refused(AppointmentRefused(reason, day="2026-12-02", **{"from": "10:30"}), t)
                draw_checkin(small, t=t, state=state, layout=checkin_layout((800, 480)))
            state.busy = True
            draw_checkin(small, t=t, state=state, layout=checkin_layout((800, 480)))
            spoken.checkin(lang)
            draw_late(small, t=t, config=config, closes_at="16:30", layout=late_layout((800, 480)))
            late_phrases(config, lang, "16:30")
            for no_desk in ("take", "refused"):  # a service no desk works today (test_no_desk)
                draw_late(small, t=t, config=config, closes_at="", layout=late_layout((800, 480)), no_desk=no_desk,
                          service=config.services[4].label(lang))
                late_phrases(config, lang, "", no_desk, config.services[4].label(lang))
            render.draw_home(small, config=config, t=t, layout=layout, now=OPEN, schedule=schedule, lang=lang,
                             focus=None, label_px=px, large=True, no_desk=frozenset(s.id for s in config.services))
            ticket_warning(lang)
            for key in page_messages.catalogue_keys():  # the hub's answers to pages (test_page_messages)
                t(key, **dict.fromkeys(page_messages.VALUES, "X"))
            for phrase in every_phrase(lang):
                assert phrase.text
            for estimate in estimates:
                build_ticket(TicketContent("C007", config.services[2], OPEN, lang, estimate), config, copy=True)
            build_ticket(TicketContent("C007", config.services[2], OPEN, lang, None, "http://hub/t/x"), config)
            for action in ("status", "reprint", "counters"):
                app.services.technician(action, lang)
            Technician.job(None, "status", lang, lambda info, exit_: None)  # a failing action says so
            build_test_page(config)
            call_screen = CallScreen(config=config, window=app.window, announcer=None, now=lambda: OPEN)
            call_screen.state = {"service_day": OPEN.date().isoformat(), "calls": [{"code": "A001", "desk_name": "1"}],
                                 "services": [{"prefix": "A", "colour": "#1f4e8c", "waiting": 2}]}
            call_screen._frame_key = ("10:00", -1, 0, OPEN.date().isoformat(), lang)  # this language's turn
            call_screen.draw()  # offline too: "collegamento assente"
            for why in ({"kind": "appointment", "time": "10:30"}, {"kind": "priority"}, {"kind": "transfer"},
                        {"kind": "return"}, {"kind": "long_wait"}):  # why a call went first (issues 22, 23)
                call_screen.current = {"code": "P002", "desk_name": "1", "reason": why}
                call_screen.draw()
            from display import push

            sub = push.Subscription("https://x", "t1", "k", "a", "ahead:3", lang)
            for told in ({"status": "waiting", "ahead": 3}, {"status": "waiting", "ahead": 0},
                         {"status": "called", "desk_id": "1"}):
                push.message(config, sub, {**told, "code": "A006"})
            push.message(config, push.Subscription("https://x", "t1", "k", "a", "minutes:10", lang),
                         {"status": "waiting", "ahead": 4, "wait_low_min": 9, "code": "A006"})
            call_phrases("A001", "Sportello 1", [lang])
            report = build_report([], {}, first=OPEN.date(), last=OPEN.date() + timedelta(days=3), service_labels={},
                                  closure=closures.get, desk_labels={}, previous=[])
            report_page.page(report, config, lang=lang, query={"period": "custom"})
            report_page.unlock_page(lang=lang)
            report_page.tables(report, t)
            report_page.monthly_table([], t)
            report_cli.summary(report, t)
            vote_routes.words(config)  # the satisfaction vote's pages (issue 22): every vote_* text
            page_texts(config)  # the follow page's words (display/follow_texts.py)
            every_channel = tuple(visit_report.WorkRow("1", c, "uffici", 1, 0, 0.0) for c in visit_report.CHANNELS)
            visit_report.work_table(visit_report.VisitFigures((), every_channel), t, config)  # issue 23
    it, en = _catalogue("it"), _catalogue("en")
    assert set(it) == set(en), "every language has every key"
    elsewhere = {"tech_info_set_aside", "tech_info_clock",  # a refused ticket, a wrong clock (outbox, faults tests)
                 # the reports' unlock answers (test_reports)
                 "report_locked", "report_wrong_pin", "report_retry", "report_unpaired",
                 "ticket_appointment"}  # the line of a checked-in appointment (test_checkin)
    unreached = set(it) - used - elsewhere
    assert not unreached, f"catalogue keys no screen uses: {sorted(unreached)}"
    same = {k for k in it if it[k] == en[k]} - {"home_large_text", "ticket_email", "speech_service"}
    assert not same, f"not translated: {sorted(same)}"


def test_what_a_keypad_user_hears_for_one_ticket_with_the_hub(tmp_path: Path) -> None:
    """The acceptance walk: '*', 3, Enter at the shipped site with its hub answering."""
    from conftest import HUB_NOW

    from display.server import HubServer

    config_path = write_site(tmp_path)
    with HubServer(load_config(config_path), port=0, clock=FrozenClock(HUB_NOW)) as server:
        config_path.write_text(config_path.read_text().replace('url = "http://127.0.0.1:9"',
                                                               f'url = "{server.url}"'))
        context, voice = recording_kiosk(config_path, FrozenClock(HUB_NOW))
        with context as app:
            # A kiosk running for a while follows the hub's queue: the ticket says the exact count.
            pump(app, lambda: app.services.issuer.view.live(HUB_NOW.date()) is not None)
            for k in (pygame.K_KP_MULTIPLY, pygame.K_KP3, pygame.K_KP_ENTER):
                key(k)
                app.step()
            pump(app, lambda: app.screen is Screen.TAKE)
    heard = [text for said in voice.said for text, _ in said]
    assert heard == [
        "Sportello Comune Amico. Guida vocale attiva.", "Premere il numero del servizio, poi il tasto Invio.",
        "1: Problemi con un ufficio comunale.", "2: Servizi e pratiche del Comune.", "3: Rimborsi e reclami.",
        "4: Bollette e gestori dei servizi.", "5: Servizi sanitari.", "6: Servizi della Regione.",
        "7: Formazione e lavoro.", "8: Ho un appuntamento.", "Asterisco: ripete. Più e meno: grandezza del testo.",
        "For English, press 0.",
        "3: Rimborsi e reclami. Premere Invio per il biglietto.",
        "Stampa in corso…",
        "Il suo numero è C 1.", "Rimborsi e reclami", "Nessuno prima di lei", "Attesa stimata: meno di 5 minuti",
        "Prenda il biglietto",
        "Premere un numero per più tempo, Invio per tornare all'inizio."]
