"""The totem says "may not be called before closing" before issuing (issue 20, point 3)."""

from __future__ import annotations

from pathlib import Path

import pygame
from conftest import rome
from escpos_decode import decode
from kiosk_harness import RecordingVoice, key, kiosk, pump, tap

from totem.clock import FrozenClock
from totem.ui.app import KioskApp
from totem.ui.events import Screen
from totem.ui.late import late_layout

LATE = rome(2026, 12, 1, 16, 12)  # Tuesday, 18 minutes before the 16:30 closing (last tickets at 16:20)


def crowded(app: KioskApp, work: tuple[int, int] = (250, 330)) -> None:
    """The hub's view as the outbox would have followed it: 20 people ahead, one desk."""
    app.services.issuer.view.set_forecast(
        {"uffici": {"service_day": "2026-12-01", "ahead": 20, "possible": 20, "exact": True,
                    "wait_low_min": 10, "wait_high_min": 18, "work_low_min": work[0], "work_high_min": work[1],
                    "desks_open": 1}},
        day=LATE.date(), at=LATE)


def tickets(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "data" / "tickets").glob("*/*.escpos"))


def test_keypad_warns_first_then_takes_it_anyway(site_path: Path, tmp_path: Path) -> None:
    voice = RecordingVoice()
    with kiosk(site_path, FrozenClock(LATE), voice_factory=lambda config, stack: voice) as app:
        crowded(app)
        key(pygame.K_1)
        key(pygame.K_RETURN)
        pump(app, lambda: app.screen is Screen.LATE)
        assert tickets(tmp_path) == []  # told before issuing: no number used
        assert app.services.issuer.store.last_ticket() is None
        said = " ".join(voice.last)
        assert "16:30" in said and "0583 428370" in said and "Invio o 1" in said
        key(pygame.K_RETURN)
        pump(app, lambda: app.screen is Screen.TAKE)
        printed = " ".join(decode(tickets(tmp_path)[0].read_bytes()).texts())
        assert "Potrebbe non essere chiamato prima della chiusura (ore 16:30)" in printed, printed
        assert any("chiusura" in line for line in app.shown.lines)


def test_touch_book_an_appointment_goes_back_without_a_ticket(site_path: Path, tmp_path: Path) -> None:
    with kiosk(site_path, FrozenClock(LATE)) as app:
        app.lang = "en"
        crowded(app)
        tap(app, app.layout.buttons[0].center)
        pump(app, lambda: app.screen is Screen.LATE)
        layout = late_layout(app.size)
        for box in (layout.take, layout.back):
            assert box.h >= 0.15 * min(app.size)
        app.last_tap_at = -1.0  # a separate touch, not a bounce of the first
        tap(app, layout.back.center)
        pump(app, lambda: app.screen is Screen.HOME)
        assert tickets(tmp_path) == []


def test_a_short_wait_issues_at_once(site_path: Path, tmp_path: Path) -> None:
    with kiosk(site_path, FrozenClock(rome(2026, 12, 1, 10, 0))) as app:
        crowded(app, (200, 280))  # at 10:00 that ends by 16:30: 180 open minutes before lunch, 120 after
        key(pygame.K_1)
        key(pygame.K_RETURN)
        pump(app, lambda: app.screen is Screen.TAKE)
        assert len(tickets(tmp_path)) == 1
