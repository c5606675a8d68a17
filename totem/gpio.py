"""Status LED and physical ticket button (gpiozero), both optional.

LED: steady = ready, slow blink = printing, fast blink = out of service, off = closed.
Button: issues a ticket for the configured service, as a tap would. Help button (a
tactile key for blind citizens): turns on spoken guidance, as a keypad key does. gpiozero's
MockPin ignores bounce_time and real contacts bounce, so we debounce here. The button
callback runs on gpiozero's thread and only hands the press on; it never draws.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from config.model import GpioSettings

log = logging.getLogger(__name__)

DEBOUNCE_S = 0.3
PATTERNS: dict[str, tuple[float, float] | bool] = {
    "ready": True,
    "printing": (0.5, 0.5),
    "out_of_service": (0.1, 0.1),
    "closed": False,
}


class GpioPanel:
    def __init__(self, settings: GpioSettings, *, on_button: Callable[[], None],
                 on_help: Callable[[], None] = lambda: None, pin_factory: Any = None,
                 debounce_s: float = DEBOUNCE_S) -> None:
        from gpiozero import LED, Button

        self.settings = settings
        self._debounce_s = debounce_s
        self._last_press: dict[str, float] = {}
        self._lock = threading.Lock()
        self.status = ""
        self.led = LED(settings.status_led, pin_factory=pin_factory) if settings.status_led is not None else None
        self.button = None
        self.help_button = None
        try:
            if settings.ticket_button is not None:
                self.button = Button(settings.ticket_button, pull_up=True, bounce_time=None, pin_factory=pin_factory)
                self.button.when_pressed = lambda: self._pressed("ticket", on_button)
            if settings.help_button is not None:
                self.help_button = Button(settings.help_button, pull_up=True, bounce_time=None,
                                          pin_factory=pin_factory)
                self.help_button.when_pressed = lambda: self._pressed("help", on_help)
        except Exception:
            self.close()
            raise

    def _pressed(self, which: str, then: Callable[[], None]) -> None:
        with self._lock:
            now = time.monotonic()
            if now - self._last_press.get(which, float("-inf")) < self._debounce_s:
                return
            self._last_press[which] = now
        then()

    def show(self, status: str) -> None:
        """Set the LED for a kiosk status; repeated calls with the same status do nothing."""
        if status == self.status or self.led is None:
            self.status = status
            return
        self.status = status
        pattern = PATTERNS[status]
        if pattern is True:
            self.led.on()
        elif pattern is False:
            self.led.off()
        else:
            on_s, off_s = pattern
            self.led.blink(on_time=on_s, off_time=off_s, background=True)

    def close(self) -> None:
        for device in (self.button, self.help_button, self.led):
            if device is not None:
                device.close()


def open_gpio(settings: GpioSettings | None, *, on_button: Callable[[], None],
              on_help: Callable[[], None] = lambda: None, pin_factory: Any = None) -> GpioPanel | None:
    """The panel, or None (said once in the log) without [gpio] or off a Raspberry Pi."""
    if settings is None:
        log.info("no [gpio] table in the config: running without status LED and ticket button")
        return None
    try:
        panel = GpioPanel(settings, on_button=on_button, on_help=on_help, pin_factory=pin_factory)
    except Exception as exc:  # gpiozero raises BadPinFactory off a Pi, OSError/GPIOPinInUse on wiring mistakes
        log.warning("GPIO not available (%s: %s): running without status LED and ticket button",
                    type(exc).__name__, exc)
        return None
    log.info("GPIO: status LED on BCM %s, ticket button on BCM %s for %s, help button on BCM %s",
             settings.status_led, settings.ticket_button, settings.button_service, settings.help_button)
    return panel
