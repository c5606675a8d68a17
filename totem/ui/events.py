"""What the kiosk's threads and devices hand to its screen loop, and the screens it has.

Only `post` crosses threads: pygame's event queue is locked internally, so the printer
monitor, the GPIO callbacks and the ticket worker post and never draw.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import pygame

EV_TICKET = pygame.event.custom_type()   # worker: ticket issued and printed, or the error
EV_PRINTER = pygame.event.custom_type()  # printer monitor: new state
EV_BUTTON = pygame.event.custom_type()   # GPIO ticket button pressed
EV_TECH = pygame.event.custom_type()     # worker: technician action finished
EV_CODE = pygame.event.custom_type()     # worker: the number is committed (printing follows)
EV_HELP = pygame.event.custom_type()     # GPIO help button: spoken guidance

DIGIT_KEYS = {getattr(pygame, f"K_{i}"): i for i in range(10)} | {getattr(pygame, f"K_KP{i}"): i for i in range(10)}
ENTER_KEYS = {pygame.K_RETURN, pygame.K_KP_ENTER}
HELP_KEYS = {pygame.K_KP_MULTIPLY, pygame.K_ASTERISK}   # "*": spoken guidance, repeat the screen
LARGER_KEYS = {pygame.K_KP_PLUS, pygame.K_PLUS, pygame.K_EQUALS}
SMALLER_KEYS = {pygame.K_KP_MINUS, pygame.K_MINUS}


class Screen(enum.Enum):
    HOME = "home"
    PRINTING = "printing"
    TAKE = "take"
    CLOSED = "closed"
    OUT = "out_of_service"
    PIN = "pin"
    MENU = "menu"


@dataclass
class Shown:
    code: str | None = None
    service_id: str | None = None
    lines: tuple[str, ...] = ()
    image: pygame.Surface | None = None
    printed: bool = False


def post(event_type: int, **attrs: Any) -> None:
    """Thread-safe hand-off to the UI loop (pygame's event queue is locked internally)."""
    pygame.event.post(pygame.event.Event(event_type, **attrs))


