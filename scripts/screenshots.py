"""Render the kiosk's screens (it and en; Arabic and Chinese with all seven of the site's
languages listed) to docs/screenshots/ with the shipped config.

Runs the real kiosk on SDL's dummy driver with a frozen clock and a temporary data dir.
Usage: python scripts/screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import os
import re
import socket
import sys
import tempfile
import time
import tomllib
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"

import pygame

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import parse_config  # noqa: E402
from totem.clock import FrozenClock  # noqa: E402
from totem.kiosk import build_kiosk  # noqa: E402
from totem.ui.app import KioskApp  # noqa: E402
from totem.ui.events import Screen  # noqa: E402

ROME = ZoneInfo("Europe/Rome")
SHIPPED = ROOT / "config" / "comune-amico.toml"


ALL_LANGUAGES = ["it", "en", "ro", "sq", "ar", "zh", "uk"]  # the line a site uncomments (issue 22)


def site(data_dir: Path, *, printer_down: bool = False, size: tuple[int, int] | None = None,  # type: ignore[no-untyped-def]
         languages: list[str] | None = None, no_desk: bool = False):
    text = SHIPPED.read_text(encoding="utf-8")
    if languages:  # as the file's comment says: the languages listed, their labels uncommented
        text = re.sub(r"^# (label\.[a-z][a-z] = )", r"\1", text, flags=re.M)
    raw = tomllib.loads(text)
    if languages:
        raw["site"]["languages"] = languages
    if no_desk:  # "sanita" only at a desk that works on Wednesdays: on Tuesday it has no desk
        raw["desks"][0]["services"].remove("sanita")
        raw["desks"].append({"id": "2", "name": "Sportello 2", "services": ["sanita"], "days": ["wednesday"],
                             "pin": "4680"})
    raw["totem"]["data_dir"] = str(data_dir)
    if size:
        raw["totem"]["window_size"] = list(size)
        raw["accessibility"]["screen_diagonal_in"] = 7  # the official 7-inch 800x480 panel
    raw["totem"]["min_interval_s"] = 0
    if printer_down:
        with socket.create_server(("127.0.0.1", 0)) as s:
            port = s.getsockname()[1]  # closed again: nothing listens there
        raw["printer"] = {"connection": "network", "host": "127.0.0.1", "port": port, "timeout_s": 0.5}
    return parse_config(raw, source=SHIPPED)


def settle(app: KioskApp, screen: Screen, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        app.step()
        if app.screen is screen:
            app.draw()
            return
        time.sleep(0.01)
    raise SystemExit(f"screen did not settle (at {app.screen.value})")


def shoot(out: Path, name: str, app: KioskApp) -> None:
    app.draw()
    pygame.image.save(app.window, str(out / f"{name}.png"))
    print(out / f"{name}.png")


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    open_at = FrozenClock(datetime(2026, 12, 1, 10, 7, tzinfo=ROME))
    late_at = FrozenClock(datetime(2026, 12, 1, 16, 12, tzinfo=ROME))  # Tuesday, closing at 16:30
    closed_at = FrozenClock(datetime(2026, 12, 5, 12, 30, tzinfo=ROME))  # Saturday after closing
    for lang in ("it", "en"):
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            app = build_kiosk(site(Path(tmp)), stack, clock=open_at)
            app.lang = lang
            settle(app, Screen.HOME)
            shoot(out, f"home-{lang}", app)
            app.lang = lang
            app.start_ticket("rimborsi")
            settle(app, Screen.TAKE)
            shoot(out, f"take-{lang}", app)
            app.go(Screen.HOME)
            app.lang = lang
            app.set_large(True)
            shoot(out, f"home-large-{lang}", app)
            app.start_ticket("sanita")
            settle(app, Screen.TAKE)
            shoot(out, f"take-large-{lang}", app)
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:  # the official 7-inch Pi panel
            app = build_kiosk(site(Path(tmp), size=(800, 480)), stack, clock=open_at)
            app.lang = lang
            settle(app, Screen.HOME)
            shoot(out, f"home-800x480-{lang}", app)
            app.set_large(True)
            shoot(out, f"home-large-800x480-{lang}", app)
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:  # 20 waiting, 18 minutes to closing
            app = build_kiosk(site(Path(tmp)), stack, clock=late_at)
            app.lang = lang
            settle(app, Screen.HOME)
            app.services.issuer.view.set_forecast(
                {"uffici": {"service_day": "2026-12-01", "ahead": 20, "possible": 20, "exact": True,
                            "wait_low_min": 10, "wait_high_min": 18, "work_low_min": 250, "work_high_min": 330,
                            "desks_open": 1}}, day=late_at.now().date(), at=late_at.now())
            app.start_ticket("uffici")
            settle(app, Screen.LATE)
            shoot(out, f"late-{lang}", app)
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:  # no desk for "sanita" on Tuesdays
            app = build_kiosk(site(Path(tmp), no_desk=True), stack, clock=open_at)
            app.lang = lang
            settle(app, Screen.HOME)
            shoot(out, f"home-no-desk-{lang}", app)
            app.start_ticket("sanita")
            settle(app, Screen.LATE)
            shoot(out, f"no-desk-{lang}", app)
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            app = build_kiosk(site(Path(tmp)), stack, clock=closed_at)
            app.lang = lang
            settle(app, Screen.CLOSED)
            shoot(out, f"closed-{lang}", app)
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            app = build_kiosk(site(Path(tmp), printer_down=True), stack, clock=open_at)
            app.lang = lang
            settle(app, Screen.OUT)
            shoot(out, f"out-of-service-{lang}", app)
            app.voided = "A001"  # as after a ticket whose number showed, then did not print (test_faults)
            app.dirty = True
            shoot(out, f"out-of-service-voided-{lang}", app)


    many_languages(out, open_at)


def many_languages(out: Path, clock: FrozenClock) -> None:
    """Home, the ticket screen and the printed ticket in Arabic and Chinese, seven languages listed."""
    from printer.layout import TicketContent, build_ticket
    from printer.png_render import render_png

    for lang in ("ar", "zh"):
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            config = site(Path(tmp), languages=ALL_LANGUAGES)
            app = build_kiosk(config, stack, clock=clock)
            app.lang = lang
            settle(app, Screen.HOME)
            shoot(out, f"home-{lang}", app)
            app.lang = lang
            app.start_ticket("rimborsi")
            settle(app, Screen.TAKE)
            shoot(out, f"take-{lang}", app)
            service = next(s for s in config.services if s.id == "rimborsi")
            from config.records import Estimate

            content = TicketContent("C007", service, clock.now().astimezone(ROME), lang,
                                    Estimate(3, True, 10, 25, "hub"), "http://192.168.1.10:8080/t/x")
            render_png(build_ticket(content, config)).save(out / f"ticket-{lang}.png")
            print(out / f"ticket-{lang}.png")


if __name__ == "__main__":
    main()
