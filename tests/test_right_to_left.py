"""The kiosk in a right-to-left language (issue 22, point 3): in Arabic every citizen screen is
its Italian self mirrored: Home's buttons, their number discs and labels, the clock and the
language picker, the page buttons; the ticket screen's image, "more time" and the countdown bar
(which runs out towards the right); the late screen's two choices; the check-in screen's texts
and keypad (whose keys stay 1 2 3 left to right, as on a phone). Touches follow the mirrored
boxes. A real kiosk on SDL's dummy driver, the seven-language site."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pygame
import pytest
from conftest import rome, site_text
from escpos_decode import decode
from kiosk_harness import kiosk, pump, tap, tap_service
from test_late import crowded

from totem.clock import FrozenClock
from totem.ui import render
from totem.ui.checkin import checkin_layout
from totem.ui.events import Screen
from totem.ui.geometry import Box, mirror, take_layout
from totem.ui.late import late_layout
from totem.ui.session import Countdown

SEVEN = ["it", "en", "ro", "sq", "ar", "zh", "uk"]
OPEN = rome(2026, 12, 1, 10, 0)  # Tuesday morning
LATE = rome(2026, 12, 1, 16, 12)  # 18 minutes before closing


def seven_site(tmp_path: Path, *, always_open: bool = True) -> Path:
    path = tmp_path / "site.toml"
    text = site_text(tmp_path, always_open=always_open,
                     extra={'languages = ["it", "en"]': f"languages = {SEVEN}".replace("'", '"'),
                            "min_interval_s = 2": "min_interval_s = 0"})
    path.write_text(re.sub(r"^# (label\.[a-z][a-z] = )", r"\1", text, flags=re.M), encoding="utf-8")
    return path


def tickets(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "data" / "tickets").glob("*/*.escpos"))


def ink_columns(surface: pygame.Surface, box: Box, colour: tuple[int, int, int]) -> tuple[int, int]:
    """The leftmost and rightmost columns of the box where `colour` is drawn (the text's ink)."""
    xs = [x for x in range(box.x, box.x + box.w) for y in range(box.y, box.y + box.h, 2)
          if surface.get_at((x, y))[:3] == colour]
    assert xs, f"no ink in {box}"
    return min(xs), max(xs)


@pytest.mark.parametrize("large", [False, True])
def test_arabic_home_is_the_italian_home_mirrored(tmp_path: Path, large: bool) -> None:
    with kiosk(seven_site(tmp_path), FrozenClock(OPEN)) as app:
        if large:
            app.set_large(True)
        w = app.size[0]
        italian = app.layout
        it_badges = [render.badge_box_for(b, italian) for b in italian.buttons]
        it_labels = [render.label_box_for(b, italian) for b in italian.buttons]
        app.draw()
        it_ink = ink_columns(app.surface, it_labels[0], render.WHITE)
        app.set_language("ar")
        app.step()
        arabic = app.layout
        assert (arabic.pages, arabic.per_page, arabic.compact) == (italian.pages, italian.per_page, italian.compact)
        assert arabic.buttons == tuple(mirror(b, w) for b in italian.buttons)
        assert [render.badge_box_for(b, arabic) for b in arabic.buttons] == [mirror(b, w) for b in it_badges]
        labels = [render.label_box_for(b, arabic) for b in arabic.buttons]
        assert labels == [mirror(b, w) for b in it_labels]
        for label, badge, button in zip(labels, (render.badge_box_for(b, arabic) for b in arabic.buttons),
                                        arabic.buttons, strict=True):
            assert label.x + label.w <= badge.x and badge.x + badge.w <= button.x + button.w  # disc at the right
        right = ink_columns(app.surface, labels[0], render.WHITE)[1]
        assert right >= labels[0].x + labels[0].w - round(2 * arabic.unit), "the label starts at the right"
        assert it_ink[0] <= it_labels[0].x + round(2 * italian.unit), "in Italian it starts at the left"
        # the header: the clock at the top right, the picker from the right, Italian (the first) rightmost
        assert arabic.clock == mirror(italian.clock, w) and arabic.clock.x + arabic.clock.w > w * 0.9
        assert arabic.languages == tuple(mirror(b, w) for b in italian.languages)
        assert arabic.languages[0].x == max(b.x for b in arabic.languages)
        assert arabic.text_size == mirror(italian.text_size, w)
        assert arabic.corner == mirror(italian.corner, w), "the technician's corner stays by the clock"
        if italian.next is not None:  # "more services" is ahead in reading order: on the left
            assert arabic.next == mirror(italian.next, w) and arabic.next.x < w // 2
        # a touch on the first service's (mirrored) button takes its ticket
        tap(app, arabic.buttons[0].center)
        pump(app, lambda: app.screen is Screen.TAKE)
        assert app.shown.service_id == app.config.services[arabic.first].id


def test_italian_home_is_not_mirrored(tmp_path: Path) -> None:
    with kiosk(seven_site(tmp_path), FrozenClock(OPEN)) as app:
        layout = app.layout
        assert not layout.flow.rtl
        badge = render.badge_box_for(layout.buttons[0], layout)
        assert badge.x < render.label_box_for(layout.buttons[0], layout).x
        assert layout.clock.x < layout.languages[0].x < layout.languages[1].x
        app.set_language("zh")  # left to right too
        app.step()
        assert app.layout.buttons[0].x == layout.buttons[0].x and not app.layout.flow.rtl


def test_the_arabic_ticket_screen_runs_out_towards_the_right(tmp_path: Path) -> None:
    with kiosk(seven_site(tmp_path), FrozenClock(OPEN)) as app:
        w = app.size[0]
        app.set_language("ar")
        tap_service(app, 0)
        pump(app, lambda: app.screen is Screen.TAKE)
        layout = take_layout(app.size, with_image=False, rtl=True)
        italian = take_layout(app.size, with_image=False)
        assert layout.more_time == mirror(italian.more_time, w) and layout.more_time.x > w // 2
        assert layout.note == mirror(italian.note, w)
        with_image = take_layout(app.size, with_image=True, rtl=True)
        assert with_image.slot is not None and with_image.slot.x + with_image.slot.w <= with_image.text.x
        # half the time gone: the bar's right half is still filled, its left half empty
        app.countdown = Countdown(time.monotonic() - app.countdown.timeout_s / 2, app.countdown.timeout_s)
        app.draw()
        bar = layout.bar
        assert app.surface.get_at((bar.x + bar.w - 3, bar.y + 1))[:3] == render.BAND
        assert app.surface.get_at((bar.x + 2, bar.y + 1))[:3] == (215, 215, 210)
        # "more time" is where it is drawn: on the right
        app.countdown = Countdown(time.monotonic() - app.countdown.timeout_s + 1, app.countdown.timeout_s)
        app.last_tap_at = -1.0
        tap(app, layout.more_time.center)
        app.step()
        assert app.screen is Screen.TAKE and app.countdown.left_s(time.monotonic()) > app.countdown.timeout_s - 2


def test_the_italian_bar_still_runs_out_towards_the_left(tmp_path: Path) -> None:
    with kiosk(seven_site(tmp_path), FrozenClock(OPEN)) as app:
        tap_service(app, 0)
        pump(app, lambda: app.screen is Screen.TAKE)
        app.countdown = Countdown(time.monotonic() - app.countdown.timeout_s / 2, app.countdown.timeout_s)
        app.draw()
        bar = take_layout(app.size, with_image=False).bar
        assert app.surface.get_at((bar.x + 2, bar.y + 1))[:3] == render.BAND
        assert app.surface.get_at((bar.x + bar.w - 3, bar.y + 1))[:3] == (215, 215, 210)


def test_the_arabic_late_screen_offers_take_on_the_right(tmp_path: Path) -> None:
    with kiosk(seven_site(tmp_path, always_open=False), FrozenClock(LATE)) as app:
        w = app.size[0]
        app.set_language("ar")
        crowded(app)
        tap_service(app, 0)
        pump(app, lambda: app.screen is Screen.LATE)
        layout, italian = late_layout(app.size, rtl=True), late_layout(app.size)
        assert layout.take == mirror(italian.take, w) and layout.back == mirror(italian.back, w)
        assert layout.take.x > layout.back.x
        app.last_tap_at = -1.0
        tap(app, layout.take.center)
        pump(app, lambda: app.screen is Screen.TAKE)
        assert len(tickets(tmp_path)) == 1
        assert decode(tickets(tmp_path)[0].read_bytes()).texts()


@pytest.mark.parametrize("size", [(1280, 800), (800, 480), (800, 1280)])
def test_the_check_in_keypad_moves_as_a_block_and_keeps_its_order(size: tuple[int, int]) -> None:
    w = size[0]
    ltr, rtl = checkin_layout(size), checkin_layout(size, rtl=True)
    for name in ("title", "prompt", "field", "message", "back"):
        assert getattr(rtl, name) == mirror(getattr(ltr, name), w), name
    keys = dict(rtl.keys)
    assert keys["1"].x < keys["2"].x < keys["3"].x and keys["del"].x < keys["0"].x < keys["ok"].x
    block = Box(min(b.x for b in keys.values()), 0, max(b.x + b.w for b in keys.values()) - keys["1"].x, 1)
    ltr_keys = dict(ltr.keys)
    assert block == mirror(Box(ltr_keys["1"].x, 0, block.w, 1), w)
    if w > size[1]:
        assert keys["1"].x < rtl.field.x, "the keypad on the left, the number on the right"


def test_a_touch_on_the_arabic_check_in_keypad_types_its_digit(tmp_path: Path) -> None:
    with kiosk(seven_site(tmp_path), FrozenClock(OPEN)) as app:
        app.set_language("ar")
        tap_service(app, 7)  # "Ho un appuntamento"
        pump(app, lambda: app.screen is Screen.CHECKIN)
        keys = dict(checkin_layout(app.size, rtl=True).keys)
        for digit in "12":
            app.last_tap_at = -1.0
            tap(app, keys[digit].center)
            app.step()
        assert app.checkin.entered == "12"
        app.last_tap_at = -1.0
        tap(app, checkin_layout(app.size, rtl=True).back.center)
        pump(app, lambda: app.screen is Screen.HOME)
