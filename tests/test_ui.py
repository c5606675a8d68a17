"""The touchscreen on SDL's dummy driver: every screen, taps, keypad, bursts, failures."""

from __future__ import annotations

import time
from pathlib import Path

import pygame
import pytest
from conftest import rome, write_site
from escpos_decode import decode
from fake_printer import FakeNetworkPrinter
from kiosk_harness import count_draws, key, kiosk, pump, tap

from totem.clock import FrozenClock
from totem.ui import app as app_module
from totem.ui import technician
from totem.ui.events import Screen
from totem.ui.geometry import button_height_mm, home_layout, logical_size, to_logical

OPEN = rome(2026, 12, 1, 10, 0)  # Tuesday morning


def tickets(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "data" / "tickets").glob("*/*.escpos"))


@pytest.mark.parametrize("size", [(1280, 800), (800, 1280), (1920, 1080), (1080, 1920), (1024, 600)])
def test_layout_scales_buttons_low_and_large(size: tuple[int, int]) -> None:
    layout = home_layout(size, 8, 2)
    w, h = size
    assert all(b.y >= h // 3 and b.y + b.h <= h for b in layout.buttons)  # lower two-thirds
    assert all(b.x >= 0 and b.x + b.w <= w for b in layout.buttons)
    for a in layout.buttons:  # no overlaps
        for b in layout.buttons:
            if a is not b:
                assert a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y
    assert button_height_mm(layout, size, diagonal_in=10.1) >= 20


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_touch_maps_back_through_rotation(rotation: int) -> None:
    pygame.init()
    logical = logical_size((400, 240), rotation)
    surface = pygame.Surface(logical)
    surface.fill((0, 0, 0))
    surface.set_at((37, 11), (255, 0, 0))
    shown = pygame.transform.rotate(surface, rotation)
    assert shown.get_size() == (400, 240)
    [hit] = [(x, y) for x in range(400) for y in range(240) if shown.get_at((x, y))[:3] == (255, 0, 0)]
    assert to_logical(hit, (400, 240), rotation) == (37, 11)


def test_keypad_issues_and_shows_the_ticket(open_site_path: Path, tmp_path: Path) -> None:
    with kiosk(open_site_path, FrozenClock(OPEN)) as app:
        assert app.screen is Screen.HOME
        box = app.layout.buttons[0]
        colour = app.surface.get_at((box.x + box.w - 4, box.center[1]))[:3]
        key(pygame.K_1)
        app.step()
        assert app.focus == 0 and app.screen is Screen.HOME  # a digit only selects
        assert app.surface.get_at((app.layout.buttons[0].x + 2, app.layout.buttons[0].center[1]))[:3] \
            == (255, 196, 0), "the selected button has a focus ring"
        assert colour == (0x1F, 0x4E, 0x8C)
        key(pygame.K_KP_ENTER)
        pump(app, lambda: app.screen is Screen.TAKE)
        assert app.shown.code == "A001" and app.shown.image is not None
        assert [p.name for p in tickets(tmp_path)] == ["A001.escpos"]


def test_tap_arriving_twice_gives_one_ticket(open_site_path: Path, tmp_path: Path) -> None:
    with kiosk(open_site_path, FrozenClock(OPEN)) as app:
        tap(app, app.layout.buttons[4].center)
        pump(app, lambda: app.screen is Screen.TAKE)
        assert app.shown.code == "E001"
        assert len(tickets(tmp_path)) == 1


def test_mouse_click_issues(open_site_path: Path, tmp_path: Path) -> None:
    with kiosk(open_site_path, FrozenClock(OPEN)) as app:
        app.set_page(1)  # the shipped 10.1-inch panel shows six services a page
        app.step()
        tap(app, app.layout.buttons[6 - app.layout.first].center, touch=False)
        pump(app, lambda: app.screen is Screen.TAKE)
        assert app.shown.code == "G001"


def test_burst_of_20_taps_in_one_second_gives_one_ticket(site_path: Path, tmp_path: Path) -> None:
    with kiosk(site_path, FrozenClock(OPEN)) as app:
        for _ in range(20):  # the store's anti-spam reads the frozen clock: every tap is in the same second
            tap(app, app.layout.buttons[0].center)
            app.step()
            time.sleep(0.05)  # past the touch debounce, as an impatient hand taps
        # On a slow machine the later taps may land after the ticket screen's guard and go back
        # to Home: whatever the screen, the burst gave one ticket and showed its code.
        pump(app, lambda: app.screen is not Screen.PRINTING and app.shown.code == "A001")
        assert len(tickets(tmp_path)) == 1


def test_language_switch_and_reset(open_site_path: Path, tmp_path: Path) -> None:
    with kiosk(open_site_path, FrozenClock(OPEN)) as app:
        tap(app, app.layout.languages[1].center)
        app.step()
        assert app.lang == "en"
        time.sleep(app_module.TAP_DEBOUNCE_S)
        tap(app, app.layout.buttons[4].center)
        pump(app, lambda: app.screen is Screen.TAKE)
        decode(tickets(tmp_path)[0].read_bytes()).find("Health services")
        key(pygame.K_ESCAPE)
        app.step()
        assert app.screen is Screen.HOME and app.lang == "it"
        key(pygame.K_0)  # keypad users switch language with 0
        app.step()
        assert app.lang == "en"


def test_take_screen_returns_home_after_timeout(open_site_path: Path) -> None:
    with kiosk(open_site_path, FrozenClock(OPEN)) as app:
        key(pygame.K_2)
        key(pygame.K_RETURN)
        pump(app, lambda: app.screen is Screen.TAKE)
        app.countdown.started_at -= app.countdown.timeout_s  # as if the timeout had elapsed
        pump(app, lambda: app.screen is Screen.HOME, timeout_s=2)


def test_closed_screen_and_reopening(site_path: Path, tmp_path: Path) -> None:
    clock = FrozenClock(rome(2026, 12, 6, 18, 0))  # Sunday evening
    with kiosk(site_path, clock) as app:
        assert app.screen is Screen.CLOSED
        assert app.opening.next_opening == rome(2026, 12, 7, 8, 45)
        key(pygame.K_1)
        key(pygame.K_RETURN)
        app.step()
        assert app.screen is Screen.CLOSED and tickets(tmp_path) == []
        clock.set(rome(2026, 12, 7, 8, 45))
        pump(app, lambda: app.screen is Screen.HOME, timeout_s=2)


def test_always_open_ignores_hours(site_path: Path, tmp_path: Path) -> None:
    with kiosk(site_path, FrozenClock(rome(2026, 12, 6, 18, 0)), always_open=True) as app:
        assert app.screen is Screen.HOME


def test_out_of_service_and_recovery(tmp_path: Path) -> None:
    with FakeNetworkPrinter(status={1: 0x12, 2: 0x12, 4: 0x72}) as fake:
        site = write_site(tmp_path, always_open=True, extra={
            'connection = "folder"': f'connection = "network"\nhost = "127.0.0.1"\nport = {fake.port}',
            "status_poll_s = 5": "status_poll_s = 0.1", "timeout_s = 5": "timeout_s = 1"})
        with kiosk(site, FrozenClock(OPEN)) as app:
            pump(app, lambda: app.screen is Screen.OUT)
            key(pygame.K_1)
            key(pygame.K_RETURN)
            app.step()
            assert app.screen is Screen.OUT  # no ticket while out of paper
            fake.status[4] = 0x12  # the roll is changed
            pump(app, lambda: app.screen is Screen.HOME)
            tap(app, app.layout.buttons[0].center)
            pump(app, lambda: app.screen is Screen.TAKE)
            received = b"".join(bytes(c.data) for c in fake.connections)
            assert b"A001" in received


def test_print_failure_voids_and_goes_out_of_service(tmp_path: Path) -> None:
    with FakeNetworkPrinter(mode="silent") as fake:
        site = write_site(tmp_path, always_open=True, extra={
            'connection = "folder"': f'connection = "network"\nhost = "127.0.0.1"\nport = {fake.port}',
            "timeout_s = 5": "timeout_s = 0.3", "status_poll_s = 5": "status_poll_s = 60"})
        with kiosk(site, FrozenClock(OPEN)) as app:
            pump(app, lambda: app.printer_state.value == "unknown" and app.screen is Screen.HOME)
            tap(app, app.layout.buttons[0].center)
            app.step()
            # the printer needs 0.3 s to fail: had the step waited for it, the screen would be past PRINTING
            assert app.screen is Screen.PRINTING, "the UI must not wait for the printer"
            pump(app, lambda: app.screen is not Screen.PRINTING)
            store = app.services.issuer.store
            row = store.last_ticket()
            assert row is not None and (row.code, row.status) == ("A001", "void")


def test_technician_menu(open_site_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "LONG_PRESS_S", 0.2)
    with kiosk(open_site_path, FrozenClock(OPEN)) as app:
        corner = app.layout.corner.center
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=corner, button=1, touch=False))
        pump(app, lambda: app.screen is Screen.PIN, timeout_s=3)
        for digit in "1111":
            key(getattr(pygame, f"K_{digit}"))
        key(pygame.K_RETURN)
        app.step()
        assert app.screen is Screen.PIN and app.tech.wrong  # a wrong PIN changes nothing
        for digit in "2468":
            key(getattr(pygame, f"K_{digit}"))
        key(pygame.K_RETURN)
        pump(app, lambda: app.screen is Screen.MENU and any("Stampante" in x for x in app.tech.info))
        app.menu("test_page")
        pump(app, lambda: (tmp_path / "data" / "tickets" / "test-page.escpos").exists())
        app.menu("back")
        assert app.screen is Screen.HOME


def test_pin_pad_takes_every_digit_and_technician_screens_time_out(open_site_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """4 taps 150-200 ms apart registered only 2; the menu stayed open for minutes."""
    from totem.ui.geometry import keypad_layout

    monkeypatch.setattr(app_module, "LONG_PRESS_S", 0.2)
    monkeypatch.setattr(technician, "TECH_IDLE_S", 1.0)
    with kiosk(open_site_path, FrozenClock(OPEN)) as app:
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=app.layout.corner.center, button=1,
                                             touch=False))
        pump(app, lambda: app.screen is Screen.PIN, timeout_s=3)
        boxes = dict(keypad_layout(app.size))
        for digit in "2468":
            tap(app, boxes[digit].center)
            app.step()
            time.sleep(0.15)
        assert app.tech.entered == "2468"
        tap(app, boxes["ok"].center)
        pump(app, lambda: app.screen is Screen.MENU)
        pump(app, lambda: app.screen is Screen.HOME, timeout_s=3)  # left idle: back to the citizens


def test_a_reprint_is_marked_copy_and_keeps_the_original(open_site_path: Path, tmp_path: Path) -> None:
    with kiosk(open_site_path, FrozenClock(OPEN)) as app:
        key(pygame.K_1)
        key(pygame.K_RETURN)
        pump(app, lambda: app.screen is Screen.TAKE)
        original = tickets(tmp_path)
        assert len(original) == 1
        first = original[0].read_bytes()
        info = app.services.technician("reprint", "it")
        assert info[0] == "A001 ristampato (COPIA)"
        files = tickets(tmp_path)
        assert len(files) == 2 and original[0].read_bytes() == first
        copy = decode(next(f for f in files if f != original[0]).read_bytes())
        assert copy.texts()[0] == "*** COPIA ***" and "A001" in copy.texts()


def test_idle_home_does_not_redraw(open_site_path: Path) -> None:
    with kiosk(open_site_path, FrozenClock(OPEN)) as app:
        app.step()
        assert count_draws(app, 50) == 0
