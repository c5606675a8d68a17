"""Chime and spoken calls. One thread owns the audio device (Pi HDMI audio cannot mix):
each call plays the chime, then the phrase. Speech is rendered once per phrase with
espeak-ng and cached as WAV; without espeak-ng or an audio device, the chime alone or
silence, said once in the log."""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import math
import queue
import shutil
import struct
import subprocess
import threading
import wave
from pathlib import Path

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
    """'A007' -> 'Numero A 7, Sportello 1': letters and the number read naturally."""
    prefix, number = code[:1], int(code[1:]) if code[1:].isdigit() else code[1:]
    word = "Numero" if lang == "it" else "Number"
    return f"{word} {prefix} {number}, {desk_name}"


class SpeechCache:
    def __init__(self, directory: Path, *, voice: str = "it") -> None:
        self.directory = Path(directory)
        self.voice = voice
        self.espeak = shutil.which("espeak-ng")
        if self.espeak is None:
            log.warning("espeak-ng not installed: calls get the chime only (apt-get install espeak-ng)")

    def wav_for(self, text: str) -> Path | None:
        if self.espeak is None:
            return None
        key = hashlib.sha1(f"{self.voice}\0{text}".encode()).hexdigest()[:16]
        path = self.directory / f"{key}.wav"
        if path.exists():
            return path
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        try:
            subprocess.run([self.espeak, "-v", self.voice, "-s", "140", "-w", str(tmp), text], check=True,
                           capture_output=True, timeout=20)
            tmp.replace(path)
        except (subprocess.SubprocessError, OSError) as exc:
            log.warning("espeak-ng failed for %r: %s", text, exc)
            return None
        return path


class Announcer:
    """Plays calls one after another on its own thread."""

    def __init__(self, *, speech: SpeechCache | None, volume: float) -> None:
        self.speech = speech
        self.volume = volume
        self._queue: queue.Queue[str | None] = queue.Queue(maxsize=20)
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self._stopping = threading.Event()  # close(): stop the sound playing now, skip the queued ones
        self._mixer = False
        self.played: list[str] = []

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

    def announce(self, text: str) -> None:
        try:
            self._queue.put_nowait(text)
        except queue.Full:
            log.warning("announcements are queuing up; dropping %r", text)

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
            text = self._queue.get()
            if text is None or self._stopping.is_set():
                return
            self.played.append(text)
            if not self._mixer:
                continue
            self._play(self._chime)
            path = self.speech.wav_for(text) if self.speech else None
            if path is not None and not self._stopping.is_set():
                try:
                    voice = pygame.mixer.Sound(str(path))
                    voice.set_volume(self.volume)
                    self._play(voice)
                except pygame.error as exc:
                    log.warning("cannot play %s: %s", path, exc)

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
