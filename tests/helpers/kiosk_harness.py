"""Build the real kiosk on the SDL dummy driver and drive it with posted events."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from config import load_config
from totem.clock import FrozenClock
from totem.kiosk import build_kiosk
from totem.ui.app import KioskApp
from totem.ui.events import EV_BUTTON, EV_CODE, EV_HELP, EV_PRINTER, EV_TECH, EV_TICKET


@contextmanager
def kiosk(site: Path, clock: FrozenClock, **kwargs: object) -> Iterator[KioskApp]:
    config = load_config(site)
    with ExitStack() as stack:
        app = build_kiosk(config, stack, clock=clock, **kwargs)  # type: ignore[arg-type]
        # Drop the window's start-up events, but not what the threads already posted: the printer
        # monitor reports its first state once, and a lost report left the screen believing "unknown".
        pygame.event.get(exclude=[EV_PRINTER, EV_TICKET, EV_BUTTON, EV_TECH, EV_CODE, EV_HELP])
        app.step()
        yield app


def pump(app: KioskApp, until: Callable[[], bool], timeout_s: float = 10.0) -> None:
    """Run frames until the condition holds; fail after the deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        app.step()
        if until():
            return
        time.sleep(0.005)
    raise AssertionError(f"condition not met within {timeout_s} s (screen {app.screen.value})")


def tap(app: KioskApp, pos: tuple[int, int], *, touch: bool = True) -> None:
    """A touch as SDL delivers it: FINGERDOWN plus the synthesised mouse click."""
    w, h = app.window.get_size()
    if touch:
        pygame.event.post(pygame.event.Event(pygame.FINGERDOWN, x=pos[0] / w, y=pos[1] / h, touch_id=1,
                                             finger_id=0, pressure=1.0, dx=0, dy=0))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1, touch=True))
        pygame.event.post(pygame.event.Event(pygame.FINGERUP, x=pos[0] / w, y=pos[1] / h, touch_id=1,
                                             finger_id=0, pressure=0.0, dx=0, dy=0))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1, touch=True))
    else:
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1, touch=False))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1, touch=False))


def tap_service(app: KioskApp, index: int) -> None:
    """Tap service `index` as a citizen would: turning Home's pages until its button shows."""
    deadline = time.monotonic() + 10
    while not app.layout.first <= index < app.layout.first + len(app.layout.buttons):
        assert time.monotonic() < deadline, f"service {index} never shown"
        turn = app.layout.next if index >= app.layout.first + len(app.layout.buttons) else app.layout.prev
        assert turn is not None, f"service {index} is on no page"
        app.last_tap_at = -1.0  # a page turn is a tap of its own, not a bounce of the last one
        tap(app, turn.center)
        app.step()
    app.last_tap_at = -1.0
    tap(app, app.layout.buttons[index - app.layout.first].center)


def key(k: int) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0))


def count_draws(screen: object, steps: int) -> int:
    """How many times `screen.draw` runs during `steps` calls of `screen.step`."""
    calls = 0
    original = screen.draw  # type: ignore[attr-defined]

    def counting() -> None:
        nonlocal calls
        calls += 1
        original()

    screen.draw = counting  # type: ignore[attr-defined]
    try:
        for _ in range(steps):
            screen.step()  # type: ignore[attr-defined]
    finally:
        screen.draw = original  # type: ignore[attr-defined]
    return calls


class RecordingVoice:
    """The kiosk's Speaker, recording what it is asked to say (the real Voice is tested on
    SDL's disk audio driver in test_accessibility and under Xvfb)."""

    def __init__(self) -> None:
        self.said: list[list[tuple[str, str]]] = []
        self.beeps = 0
        self.stops = 0
        self.prepared: list[tuple[str, str]] = []

    def say(self, phrases) -> None:  # type: ignore[no-untyped-def]
        if phrases:
            self.said.append([(p.text, p.lang) for p in phrases])
        else:
            self.stops += 1

    def beep(self) -> None:
        self.beeps += 1

    def stop(self) -> None:
        self.stops += 1

    def prepare(self, phrases) -> None:  # type: ignore[no-untyped-def]
        self.prepared.extend((p.text, p.lang) for p in phrases)

    def close(self) -> None:
        pass

    @property
    def last(self) -> list[str]:
        return [text for text, _ in self.said[-1]] if self.said else []

