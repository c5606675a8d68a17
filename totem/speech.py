"""Offline speech synthesis: espeak-ng turns a phrase into WAV bytes, kept in a small cache.

Used by the totem's spoken guidance and by the call screen's spoken calls. No pygame here:
playing the sound is the shells' job (totem/ui/voice.py, display/sound.py).

1. a phrase and its language come in; the language picks the espeak-ng voice from the
   site file (`[accessibility] voices`), falling back to the language code itself;
2. espeak-ng writes 16-bit mono WAV to stdout; its streamed header has no length, so the
   samples are wrapped again in a proper header that every player accepts;
3. the result is kept (phrases repeat: service names, screen titles): the last few in
   memory (`CACHE_BYTES`), every one in a private temporary folder, read back in well under
   a millisecond; the totem warms it at start so the first key press speaks at once.

Failure paths: espeak-ng not installed (`available` is False, said once in the log,
every call returns None); espeak-ng failing or hanging on a phrase (logged, None; the
caller shows the screen without sound).
"""

from __future__ import annotations

import io
import logging
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger(__name__)

RATE = 22050  # espeak-ng's output rate; the players open the mixer at it
SYNTH_TIMEOUT_S = 10.0
CACHE_BYTES = 1_000_000  # in memory: the last few phrases (~150 KB each); the rest on disk


def wav_bytes(pcm: bytes, *, rate: int = RATE) -> bytes:
    import wave  # this module's imports for speaking wait for the first phrase, after the first frame

    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return out.getvalue()


def _pcm_of_stream(data: bytes) -> tuple[bytes, int]:
    """The samples and rate of espeak-ng's streamed WAV (RIFF header with no real length)."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("espeak-ng did not write WAV")
    rate = int.from_bytes(data[24:28], "little")
    pos = 12
    while pos + 8 <= len(data):
        chunk, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        if chunk == b"data":
            pcm = data[pos + 8:]
            return pcm[:len(pcm) - len(pcm) % 2], rate
        pos += 8 + size
    raise ValueError("espeak-ng WAV has no data chunk")


class Synth:
    """Phrase -> WAV bytes with espeak-ng. Thread-safe; one synthesis at a time."""

    def __init__(self, *, voices: Mapping[str, str] | None = None, rate_wpm: int = 140,
                 command: str | None = None) -> None:
        self.voices = dict(voices or {})
        self.rate_wpm = rate_wpm
        self.command = command if command is not None else shutil.which("espeak-ng")
        self._cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._cached_bytes = 0
        self._disk: tempfile.TemporaryDirectory[str] | None = None  # removed with the Synth
        self._lock = threading.Lock()
        if self.command is None:
            log.warning("espeak-ng not installed: no speech (apt-get install espeak-ng)")

    @property
    def available(self) -> bool:
        return self.command is not None

    def voice_for(self, lang: str) -> str:
        return self.voices.get(lang, lang)

    def wav(self, text: str, lang: str) -> bytes | None:
        """The phrase as WAV bytes, or None when it cannot be spoken."""
        if self.command is None or not text.strip():
            return None
        key = (lang, text)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
            file = self._file(key)
            try:
                data = file.read_bytes()
            except OSError:
                data = self._synthesise(text, lang)
                if data is None:
                    return None
                try:
                    file.write_bytes(data)
                except OSError as exc:  # a full /tmp: the phrase is simply made again next time
                    log.debug("speech cache not written: %s", exc)
            self._remember(key, data)
            return data

    def _file(self, key: tuple[str, str]) -> Path:
        import hashlib

        if self._disk is None:
            self._disk = tempfile.TemporaryDirectory(prefix="totem-speech-")
        return Path(self._disk.name) / (hashlib.sha256(repr(key).encode()).hexdigest()[:32] + ".wav")

    def _remember(self, key: tuple[str, str], data: bytes) -> None:
        self._cache[key] = data
        self._cached_bytes += len(data)
        while self._cached_bytes > CACHE_BYTES and len(self._cache) > 1:
            self._cached_bytes -= len(self._cache.popitem(last=False)[1])

    def _synthesise(self, text: str, lang: str) -> bytes | None:
        import subprocess

        try:
            done = subprocess.run([self.command or "espeak-ng", "-v", self.voice_for(lang), "-s", str(self.rate_wpm),
                                   "--stdout", text], capture_output=True, check=True, timeout=SYNTH_TIMEOUT_S)
            pcm, rate = _pcm_of_stream(done.stdout)
        except (subprocess.SubprocessError, OSError, ValueError) as exc:
            log.warning("espeak-ng failed for a %s phrase: %s", lang, exc)
            return None
        return wav_bytes(pcm, rate=rate)
