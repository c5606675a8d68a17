"""Chime and spoken calls. One thread owns the audio device (Pi HDMI audio cannot mix):
each call plays the chime, then the phrase in each of the call's languages (`call_languages`:
the room's, the ticket holder's, the site's chosen few; never all seven, a busy room waits for
every call). Speech comes from totem.speech (espeak-ng, cached in memory); without espeak-ng
or an audio device, the chime alone or silence, said once in the log."""

from __future__ import annotations

import contextlib
import io
import logging
import math
import queue
import struct
import threading
import wave
from collections.abc import Sequence

from config.i18n import Translator
from config.model import Config
from totem.speech import Synth
from totem.spoken import Spoken, spell_code

log = logging.getLogger(__name__)

RATE = 22050


def chime_wav(volume: float = 1.0) -> bytes:
    """A two-tone 'ding-dong' (E5 then C5) with a soft decay, as 16-bit mono WAV."""
    frames = bytearray()
    for freq, seconds in ((659.25, 0.45), (523.25, 0.7)):
        n = int(RATE * seconds)
        for i in range(n):
            envelope = math.exp(-3.5 * i / n) * min(1.0, i / 200)
            sample = 0.6 * volume * envelope * (math.sin(2 * math.pi * freq * i / RATE)
                                                + 0.3 * math.sin(4 * math.pi * freq * i / RATE))
            frames += struct.pack("<h", int(max(-1.0, min(1.0, sample)) * 32767))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    return out.getvalue()


def spoken_phrase(code: str, desk_name: str, lang: str = "it") -> str:
    """'A007' -> 'Numero A 7, Sportello 1': the letter by name, the digits as one number."""
    return Translator(lang)("display_call_spoken", code=spell_code(code), desk=desk_name)


def call_languages(config: Config, ticket_lang: str | None) -> list[str]:
    """The languages a call is spoken in, in this order, each once: the site's first (the room's
    language, Italian), the one the ticket holder chose at the totem (so they hear their call in
    the language their screen spoke: EN 301 549 5.1.3.14), then `display.call_languages`
    (English, where the site wants it); at most `display.call_languages_max` (each is about
    2.5 s). A ticket language the site does not list (an older totem's file) is not spoken."""
    site = config.site.languages
    wanted = [site[0], *([ticket_lang] if ticket_lang in site else []), *config.display.call_languages]
    return list(dict.fromkeys(wanted))[:config.display.call_languages_max]


def call_voices(config: Config) -> dict[str, str]:
    """The espeak-ng voice of each site language for the calls (display.voice for the first)."""
    languages = config.site.languages
    return {lang: config.accessibility.voice(lang) for lang in languages} | {languages[0]: config.display.voice}


def call_phrases(code: str, desk_name: str, languages: Sequence[str]) -> list[Spoken]:
    """The call in each of these languages, in order (`call_languages` chooses them)."""
    return [Spoken(spoken_phrase(code, desk_name, lang), lang) for lang in languages]


class Announcer:
    """Plays calls one after another on its own thread."""

    def __init__(self, *, speech: Synth | None, volume: float) -> None:
        self.speech = speech
        self.volume = volume
        self._queue: queue.Queue[list[Spoken] | None] = queue.Queue(maxsize=20)
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self._stopping = threading.Event()  # close(): stop the sound playing now, skip the queued ones
        self._mixer = False
        self.played: list[list[Spoken]] = []

    def start(self) -> Announcer:
        import pygame

        try:
            pygame.mixer.init(frequency=RATE, size=-16, channels=1)
            self._mixer = True
            self._chime = pygame.mixer.Sound(io.BytesIO(chime_wav(1.0)))
            self._chime.set_volume(self.volume)
        except pygame.error as exc:
            log.warning("no audio device (%s): calls are shown without sound", exc)
        self._thread.start()
        return self

    def announce(self, phrases: list[Spoken]) -> None:
        try:
            self._queue.put_nowait(phrases)
        except queue.Full:
            log.warning("announcements are queuing up; dropping %r", phrases[0].text if phrases else "")

    def _play(self, sound: object) -> None:
        import pygame

        channel = sound.play()  # type: ignore[attr-defined]
        deadline = pygame.time.get_ticks() + int(sound.get_length() * 1000) + 500  # type: ignore[attr-defined]
        while channel is not None and channel.get_busy() and pygame.time.get_ticks() < deadline:
            if self._stopping.is_set():
                channel.stop()
                return
            pygame.time.wait(20)

    def _run(self) -> None:
        import pygame

        while True:
            phrases = self._queue.get()
            if phrases is None or self._stopping.is_set():
                return
            self.played.append(phrases)
            if not self._mixer:
                continue
            self._play(self._chime)
            for phrase in phrases:
                data = self.speech.wav(phrase.text, phrase.lang) if self.speech else None
                if data is None or self._stopping.is_set():
                    continue
                try:
                    voice = pygame.mixer.Sound(io.BytesIO(data))
                    voice.set_volume(self.volume)
                    self._play(voice)
                except pygame.error as exc:
                    log.warning("cannot play a call: %s", exc)

    def close(self) -> None:
        """Stops within a fraction of a second, even mid-call (systemd waits for us)."""
        self._stopping.set()
        if self._thread.is_alive():
            with contextlib.suppress(queue.Full):  # when full, the thread sees _stopping before the next item
                self._queue.put_nowait(None)
            self._thread.join(timeout=2)
        if self._mixer:
            import pygame

            pygame.mixer.quit()
