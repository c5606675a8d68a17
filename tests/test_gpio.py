"""Status LED and ticket button with gpiozero's MockFactory pins, through the real kiosk."""

from __future__ import annotations

import itertools
import logging
import time
from pathlib import Path

import pytest
from conftest import rome, write_site
from gpiozero.pins.mock import MockFactory
from kiosk_harness import kiosk, pump

from config import load_config
from totem.clock import FrozenClock
from totem.gpio import GpioPanel, open_gpio
from totem.ui.events import Screen

GPIO = {"# [gpio]\n# status_led = 17\n# ticket_button = 27\n# button_service = \"uffici\"":
        '[gpio]\nstatus_led = 17\nticket_button = 27\nbutton_service = "sanita"'}


def transitions(pin: object, within_s: float) -> int:
    time.sleep(within_s)  # let the blink thread run for a fixed window, then count edges
    states = [s.state for s in pin.states]  # type: ignore[attr-defined]
    return sum(1 for a, b in itertools.pairwise(states) if a != b)


def test_led_patterns(tmp_path: Path) -> None:
    config = load_config(write_site(tmp_path, extra=GPIO))
    factory = MockFactory()
    panel = GpioPanel(config.gpio, on_button=lambda: None, pin_factory=factory)  # type: ignore[arg-type]
    led = factory.pin(17)
    try:
        panel.show("ready")
        assert led.state == 1
        panel.show("closed")
        assert led.state == 0
        led.clear_states()
        panel.show("printing")
        slow = transitions(led, 1.2)
        panel.show("out_of_service")
        led.clear_states()
        fast = transitions(led, 1.2)
        assert 1 <= slow <= 4 and fast >= 8, (slow, fast)
        panel.show("ready")
        time.sleep(0.05)
        assert led.state == 1
    finally:
        panel.close()


def test_button_is_debounced(tmp_path: Path) -> None:
    config = load_config(write_site(tmp_path, extra=GPIO))
    factory = MockFactory()
    presses: list[float] = []
    panel = GpioPanel(config.gpio, on_button=lambda: presses.append(time.monotonic()),  # type: ignore[arg-type]
                      pin_factory=factory)
    button = factory.pin(27)
    try:
        for _ in range(5):  # a bouncing contact: five edges within a few milliseconds
            button.drive_low()
            button.drive_high()
        assert len(presses) == 1
        time.sleep(0.35)
        button.drive_low()
        button.drive_high()
        assert len(presses) == 2
    finally:
        panel.close()


def test_button_issues_exactly_one_ticket_and_led_follows(tmp_path: Path) -> None:
    site = write_site(tmp_path, always_open=True, extra=GPIO)
    factory = MockFactory()
    with kiosk(site, FrozenClock(rome(2026, 12, 1, 10, 0)), pin_factory=factory) as app:
        led, button = factory.pin(17), factory.pin(27)
        assert app.gpio is not None and led.state == 1
        for _ in range(3):
            button.drive_low()
            button.drive_high()
        pump(app, lambda: app.screen is Screen.TAKE)
        assert app.shown.code == "E001"
        tickets = sorted((tmp_path / "data" / "tickets").glob("*/*.escpos"))
        assert [p.name for p in tickets] == ["E001.escpos"]
        app.go(Screen.OUT)
        assert app.gpio.status == "out_of_service"


def test_no_gpio_table_or_no_pi_runs_without(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    assert open_gpio(None, on_button=lambda: None) is None
    assert "running without status LED" in caplog.text
    config = load_config(write_site(tmp_path, extra=GPIO))
    caplog.clear()
    assert open_gpio(config.gpio, on_button=lambda: None) is None  # this machine is not a Pi
    assert "GPIO not available" in caplog.text
