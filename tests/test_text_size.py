"""Text sizes on the official 7" panel (800x480) in normal text (issue 25): EN 301 549 5.1.4
guidance, a capital H of 0.7 degrees at 50 cm: ~6 mm for the service labels, never under 3 mm
for a secondary line; services page rather than shrink. The real kiosk on SDL's dummy driver:
every text it draws, at the size it draws it, page by page, with a screenshot of each page."""

from __future__ import annotations

import time
from pathlib import Path

import pygame
import pytest
from conftest import ROOT, rome, write_site
from kiosk_harness import key, kiosk, pump, tap

from totem.clock import FrozenClock
from totem.ui import render
from totem.ui.events import Screen
from totem.ui.geometry import px_per_mm

OPEN = rome(2026, 12, 1, 10, 7)  # a Tuesday morning
PANEL = (800, 480)
MAIN_MM = 5.95  # 6 mm, less the rounding of a pixel
SECONDARY_MM = 3.0


def drawn_sizes(app, monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Each text of the frame and the cap height it is drawn at, in mm on the 7-inch panel."""
    sizes: dict[str, int] = {}
    fit_px = render.fit_px

    def recording(text: str, box, max_px: int, max_lines: int = 2) -> int:  # type: ignore[no-untyped-def]
        px = fit_px(text, box, max_px, max_lines)
        sizes[text] = min(px, sizes.get(text, px))
        return px

    monkeypatch.setattr(render, "fit_px", recording)
    app.draw()
    monkeypatch.setattr(render, "fit_px", fit_px)
    per_mm = px_per_mm(PANEL, 7.0)
    return {text: px * render.cap_ratio() / per_mm for text, px in sizes.items()}


@pytest.mark.parametrize("lang", ["it", "en"])
def test_normal_text_on_the_7_inch_panel_is_readable_at_50_cm_and_pages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    site = write_site(tmp_path, always_open=True, extra={"window_size = [1280, 800]": "window_size = [800, 480]",
                                                               "screen_diagonal_in = 10.1": "screen_diagonal_in = 7"})
    out = ROOT / "tests" / "artifacts"
    out.mkdir(exist_ok=True)
    with kiosk(site, FrozenClock(OPEN)) as app:
        assert app.config.accessibility.screen_diagonal_in == 7 and app.window.get_size() == PANEL
        if lang != app.lang:
            key(pygame.K_0)
            app.step()
        assert app.lang == lang and not app.session.large
        labels = {s.label(lang) for s in app.config.services}
        seen: list[int] = []
        for page in range(app.layout.pages):
            sizes = drawn_sizes(app, monkeypatch)
            pygame.image.save(app.window, str(out / f"home-800x480-{lang}-page{page + 1}.png"))
            on_page = [app.config.services[app.layout.first + i].label(lang) for i in range(len(app.layout.buttons))]
            assert on_page and all(sizes[label] >= MAIN_MM for label in on_page), sizes
            small = {text: round(mm, 2) for text, mm in sizes.items() if text not in labels and mm < SECONDARY_MM}
            assert not small, f"under 3 mm on page {page + 1}: {small}"
            assert app.layout.hint is not None and any("1" in text for text in sizes)  # the keypad hint stays
            seen += range(app.layout.first, app.layout.first + len(app.layout.buttons))
            if app.layout.next is not None:
                tap(app, app.layout.next.center)
                time.sleep(0.3)  # past the tap debounce
                app.step()
        assert seen == list(range(len(app.config.services))), "every service on some page"
        assert app.layout.pages > 1
        key(pygame.K_1)  # the keypad still reaches every service: its page turns
        app.step()
        assert app.focus == 0 and app.layout.first == 0
        key(pygame.K_KP_ENTER)
        pump(app, lambda: app.screen is Screen.TAKE)
