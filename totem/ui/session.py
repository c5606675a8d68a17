"""One citizen's session at the totem, and the timing of the timed screens. Pure: no pygame.

A session starts with the first touch or key and ends when the citizen leaves: back to
Home after the ticket, or after a while without input. What it carries ends with it:
the language chosen, spoken guidance, large text, the page of services shown.

Timed screens (the ticket screen, the Home reset of a half-finished session, the
technician's screens) share one rule: before one expires a warning is shown and sounded
for `warning_s`, and any input gives the full time again. A guided or large-text session
gets `time_factor` times longer (EAA: enough time for everyone).
"""

from __future__ import annotations

from dataclasses import dataclass

WARN_MIN_S = 3.0
WARN_MAX_S = 10.0


def warning_s(timeout_s: float) -> float:
    """How long before expiry the warning shows: a third of the time, between 3 and 10 s."""
    return max(WARN_MIN_S, min(WARN_MAX_S, timeout_s / 3))


@dataclass
class Countdown:
    """Time left on a timed screen, measured from its last extension."""

    started_at: float
    timeout_s: float

    def left_s(self, now: float) -> float:
        return max(0.0, self.started_at + self.timeout_s - now)

    def expired(self, now: float) -> bool:
        return self.left_s(now) <= 0

    def warning(self, now: float) -> bool:
        return 0 < self.left_s(now) <= warning_s(self.timeout_s)

    def extend(self, now: float) -> None:
        self.started_at = now


@dataclass
class Session:
    default_lang: str
    time_factor: float = 3.0
    lang: str = ""
    guided: bool = False  # spoken guidance on (a keypad key or the help button started it)
    large: bool = False  # large text
    page: int = 0  # page of services shown in large text

    def __post_init__(self) -> None:
        self.lang = self.lang or self.default_lang

    @property
    def slow(self) -> bool:
        return self.guided or self.large

    @property
    def started(self) -> bool:
        """Something to undo when the citizen walks away."""
        return self.slow or self.lang != self.default_lang

    def timeout_s(self, base_s: float) -> float:
        return base_s * self.time_factor if self.slow else base_s

    def end(self) -> None:
        self.lang = self.default_lang
        self.guided = False
        self.large = False
        self.page = 0
