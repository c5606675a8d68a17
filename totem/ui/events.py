"""What the kiosk's threads and devices hand to its screen loop, and the screens it has.

Only `post` crosses threads: pygame's event queue is locked internally, so the printer
monitor, the GPIO callbacks and the ticket worker post and never draw.
"""

from __future__ import annotations

import contextlib
import enum
import threading
from dataclasses import dataclass
from typing import Any

import pygame

EV_TICKET = pygame.event.custom_type()   # worker: ticket issued and printed, or the error
EV_PRINTER = pygame.event.custom_type()  # printer monitor: new state
EV_BUTTON = pygame.event.custom_type()   # GPIO ticket button pressed
EV_TECH = pygame.event.custom_type()     # worker: technician action finished
EV_CODE = pygame.event.custom_type()     # worker: the number is committed (printing follows)
EV_HELP = pygame.event.custom_type()     # GPIO help button: spoken guidance
EV_COUNT = pygame.event.custom_type()    # pusher: the hub counts other people ahead of a ticket than printed

DIGIT_KEYS = {getattr(pygame, f"K_{i}"): i for i in range(10)} | {getattr(pygame, f"K_KP{i}"): i for i in range(10)}
ENTER_KEYS = {pygame.K_RETURN, pygame.K_KP_ENTER}
HELP_KEYS = {pygame.K_KP_MULTIPLY, pygame.K_ASTERISK}   # "*": spoken guidance, repeat the screen
LARGER_KEYS = {pygame.K_KP_PLUS, pygame.K_PLUS, pygame.K_EQUALS}
SMALLER_KEYS = {pygame.K_KP_MINUS, pygame.K_MINUS}
DELETE_KEYS = {pygame.K_BACKSPACE, pygame.K_DELETE} | SMALLER_KEYS
# The keys a numeric keypad has of its own: they act whatever modifier a PC keyboard holds.
KEYPAD_OWN_KEYS = {getattr(pygame, f"K_KP{i}") for i in range(10)} | {
    pygame.K_KP_ENTER, pygame.K_KP_PLUS, pygame.K_KP_MINUS, pygame.K_KP_MULTIPLY}
# What a key typed, on any keyboard layout: "*" reads the screen out (Shift+8 on a US keyboard,
# Shift++ on an Italian one), "+" and "-" set the text size.
TYPED_KEYS = {"*": pygame.K_KP_MULTIPLY, "+": pygame.K_KP_PLUS, "-": pygame.K_KP_MINUS}
CHORD_MODS = pygame.KMOD_SHIFT | pygame.KMOD_CTRL | pygame.KMOD_ALT | pygame.KMOD_GUI


def keypad_key(event: pygame.event.Event) -> int | None:
    """The keypad key a KEYDOWN stands for, or None when it is no keypad key. SDL names a PC
    keyboard's key by its unshifted symbol: Shift+8 arrives as K_8 typing "*", and must read the
    screen out, never select service 8; any other key held with Shift, Ctrl, Alt or the logo key
    is a shortcut or another character, and does nothing."""
    typed = getattr(event, "unicode", "")
    if typed in TYPED_KEYS:
        return TYPED_KEYS[typed]
    if event.key in KEYPAD_OWN_KEYS:
        return int(event.key)
    if getattr(event, "mod", 0) & CHORD_MODS:
        return None
    return int(event.key)


class Screen(enum.Enum):
    HOME = "home"
    PRINTING = "printing"
    TAKE = "take"
    CLOSED = "closed"
    OUT = "out_of_service"
    PIN = "pin"
    MENU = "menu"
    CHECKIN = "checkin"
    LATE = "late"  # the ticket may not be called before closing: take it anyway, or book


@dataclass
class Shown:
    code: str | None = None
    service_id: str | None = None
    lines: tuple[str, ...] = ()
    image: pygame.Surface | None = None
    printed: bool = False


class Doorbell:
    """A binary semaphore: `ring()` from any thread, `wait()` in the screen loop. Cheaper per
    frame than threading.Event (no Condition), which matters at 30 wake-ups a second."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lock.acquire()

    def ring(self) -> None:
        with contextlib.suppress(RuntimeError):  # already rung and not yet answered
            self._lock.release()

    def wait(self, timeout_s: float) -> bool:
        return self._lock.acquire(timeout=timeout_s)


# The doorbell of SDL's event queue, which is process-wide like the queue itself: the loop
# sleeps on it between frames, so an event a thread posts is handled at once, not a frame later
# (pygame.event.wait would do the same but polls every millisecond on the dummy and KMSDRM drivers).
WAKE = Doorbell()


def post(event_type: int, **attrs: Any) -> None:
    """Thread-safe hand-off to the UI loop (pygame's event queue is locked internally)."""
    pygame.event.post(pygame.event.Event(event_type, **attrs))
    WAKE.ring()


