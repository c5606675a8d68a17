"""The totem's voice: spoken guidance and the warning tone, on a thread of their own.

1. the screen loop calls `say()` with the phrases of what it now shows; the call only
   swaps a list under a lock, so the UI never waits for audio;
2. anything still being said is cut off: the newest screen is what matters;
3. the voice thread synthesises each phrase (totem.speech.Synth, cached) and plays it on
   its own mixer channel, checking between chunks whether it was cut off;
4. `beep()` plays the short warning tone on a second channel, over the voice.

The audio device is opened for the first sound and closed after MIXER_IDLE_S of silence:
an open device keeps SDL's mixing thread busy, and the idle kiosk must stay near zero CPU.

Failure paths: no audio device (the mixer does not open: said once in the log, nothing
is played, the screens work as before); espeak-ng missing or failing on a phrase (that
phrase is skipped). `close()` stops within a fraction of a second.
"""

from __future__ import annotations

import io
import logging
import math
import struct
import threading
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Protocol

import pygame

from config.model import Config
from totem.speech import RATE, Synth, wav_bytes
from totem.spoken import Spoken

log = logging.getLogger(__name__)

POLL_S = 0.02
MIXER_IDLE_S = 20.0  # the audio device is closed after this long without a sound


class Speaker(Protocol):
    def say(self, phrases: Sequence[Spoken]) -> None: ...
    def beep(self) -> None: ...
    def stop(self) -> None: ...
    def prepare(self, phrases: Sequence[Spoken]) -> None: ...
    def close(self) -> None: ...


def tone_wav(*, freq_hz: float = 880.0, seconds: float = 0.12, repeats: int = 2, volume: float = 0.6) -> bytes:
    """Short beeps with a gap: the 'time is running out' signal."""
    frames = bytearray()
    n = int(RATE * seconds)
    gap = bytes(2 * int(RATE * seconds * 0.8))
    for r in range(repeats):
        for i in range(n):
            envelope = min(1.0, i / 150, (n - i) / 150)
            frames += struct.pack("<h", int(volume * envelope * math.sin(2 * math.pi * freq_hz * i / RATE) * 32767))
        if r < repeats - 1:
            frames += gap
    return wav_bytes(bytes(frames))


class Voice:
    """Plays spoken phrases through pygame.mixer. See the module docstring."""

    def __init__(self, *, synth: Synth, volume: float = 0.9) -> None:
        self.synth = synth
        self.volume = volume
        self.spoken: list[Spoken] = []  # every phrase that started playing, in order (technician log, tests)
        self._pending: list[Spoken] = []
        self._warm: list[Spoken] = []
        self._beeps = 0
        self._generation = 0
        self._cond = threading.Condition()
        self._closing = False
        self._mixer = False  # open now (only while there is something to play: an open device costs CPU)
        self._no_device = False  # the mixer failed to open: said once, not tried again
        self._last_sound = 0.0
        self._thread = threading.Thread(target=self._run, name="voice", daemon=True)

    def start(self) -> Voice:
        self._thread.start()
        return self

    @property
    def audible(self) -> bool:
        return self.synth.available and not self._no_device

    def say(self, phrases: Sequence[Spoken]) -> None:
        with self._cond:
            self._generation += 1
            self._pending = list(phrases)
            self._cond.notify()

    def stop(self) -> None:
        self.say(())

    def prepare(self, phrases: Sequence[Spoken]) -> None:
        """Synthesise these ahead, when nothing is being said (the first key then speaks at once)."""
        with self._cond:
            self._warm.extend(phrases)
            self._cond.notify()

    def beep(self) -> None:
        with self._cond:
            self._beeps += 1
            self._cond.notify()

    # -- the voice thread --------------------------------------------------------------------------

    def _open(self) -> bool:
        if self._mixer or self._no_device:
            return self._mixer
        try:
            if pygame.mixer.get_init() is None:
                pygame.mixer.init(frequency=RATE, size=-16, channels=1)
            pygame.mixer.set_reserved(2)
            self._speech_channel = pygame.mixer.Channel(0)
            self._tone_channel = pygame.mixer.Channel(1)
            self._tone = pygame.mixer.Sound(io.BytesIO(tone_wav()))
            self._tone.set_volume(self.volume)
            self._mixer = True
        except pygame.error as exc:
            log.warning("no audio device (%s): the totem shows its screens without sound", exc)
            self._no_device = True
        return self._mixer

    def _close_mixer(self) -> None:
        if self._mixer:
            self._speech_channel.stop()
            pygame.mixer.quit()
            self._mixer = False

    def _next(self) -> tuple[str, int, Spoken | None]:
        """The next thing to do: ('say', generation, phrase), ('beep'|'warm', ...), ('idle'|'close', ...)."""
        with self._cond:
            while not (self._closing or self._pending or self._warm or self._beeps):
                if self._mixer and not self._cond.wait(MIXER_IDLE_S):
                    return "idle", 0, None
                if not self._mixer:
                    self._cond.wait()
            if self._closing:
                return "close", -1, None
            if self._beeps:
                self._beeps = 0
                return "beep", self._generation, None
            if self._pending:
                return "say", self._generation, self._pending.pop(0)
            return "warm", self._generation, self._warm.pop(0)

    def _current(self, generation: int) -> bool:
        return generation == self._generation and not self._closing

    def _run(self) -> None:
        while True:
            what, generation, phrase = self._next()
            if what == "close":
                self._close_mixer()
                return
            if what == "idle":
                self._close_mixer()  # nothing played for a while: release the device
            elif what == "beep":
                if self._open():
                    self._tone_channel.play(self._tone)
            elif what == "warm":
                assert phrase is not None
                self.synth.wav(phrase.text, phrase.lang)
            else:
                assert phrase is not None
                self._say(generation, phrase)

    def _say(self, generation: int, phrase: Spoken) -> None:
        data = self.synth.wav(phrase.text, phrase.lang)
        if not self._current(generation):
            return
        self.spoken.append(phrase)
        log.debug("saying (%s) %s", phrase.lang, phrase.text)
        if data is None or not self._open():
            return
        try:
            sound = pygame.mixer.Sound(io.BytesIO(data))
            sound.set_volume(self.volume)
            self._speech_channel.play(sound)
        except pygame.error as exc:
            log.warning("cannot play a phrase: %s", exc)
            return
        with self._cond:
            while self._speech_channel.get_busy() and self._current(generation):
                self._cond.wait(POLL_S)
            if not self._current(generation):
                self._speech_channel.stop()

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout=2)


def open_voice(config: Config, stack: ExitStack) -> Voice | None:
    """The spoken guidance; None when the site file turns it off."""
    access = config.accessibility
    if not access.speech:
        log.info("spoken guidance turned off in the site file ([accessibility] speech = false)")
        return None
    synth = Synth(voices={lang: access.voice(lang) for lang in config.site.languages}, rate_wpm=access.rate_wpm)
    voice = Voice(synth=synth, volume=access.volume).start()
    stack.callback(voice.close)
    return voice
