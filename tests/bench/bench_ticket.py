"""Ticket build time (layout + ESC/POS bytes), bytes per ticket, paper length per ticket.

Targets: bytes < 1 KB without logo/QR, paper <= 80 mm on 80 mm paper, build p95 < 10 ms.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from _common import scaled, site, summary

N = scaled(1000, 20)


def main() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from config import load_config
    from printer.escpos_render import render_escpos
    from printer.layout import TicketContent, build_ticket
    from totem.estimate import Estimate

    with tempfile.TemporaryDirectory() as tmp:
        for width in (80, 58):
            config = load_config(site(Path(tmp) / str(width),
                                      extra={"paper_width_mm = 80": f"paper_width_mm = {width}"}))
            service = config.service("rimborsi")
            content = TicketContent("C042", service, datetime(2026, 12, 1, 10, 32, tzinfo=ZoneInfo("Europe/Rome")),
                                    "it", Estimate(6, True, 90, 150, "hub"))
            samples = []
            data = b""
            for _ in range(N):
                started = time.perf_counter()
                layout = build_ticket(content, config)
                data = render_escpos(layout, profile=config.printer.profile, codepage=config.printer.codepage)
                samples.append(time.perf_counter() - started)
            print(summary(f"build ticket bytes, {width} mm", samples, target="p95 < 10 ms"))
            print(f"bytes per ticket, {width} mm: {len(data)} B  [target < 1024 B]")
            print(f"paper per ticket, {width} mm: {layout.length_mm():.1f} mm  [target <= 80 mm on 80 mm paper]")


if __name__ == "__main__":
    main()
