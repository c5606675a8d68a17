"""Reports over a year of a 3-desk office (about 150,000 tickets): build time of the figures,
the page and the raw-ticket CSV, on this machine.

Target: the year's report (figures and the previous period) builds in well under a second.
The hub keeps each finished day's digests (its periodic job); the first report after an
upgrade, before that job ran, counts every ticket and is measured too.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import SMOKE, scaled, site, summary

RUNS = scaled(5, 1)
FIRST = date(2026, 11, 1) if SMOKE else date(2025, 12, 1)  # a month under --smoke, else a year
THREE_DESKS = '''
[[desks]]
id = "2"
name = "Sportello 2"
services = ["uffici", "procedure", "rimborsi", "bollette", "sanita", "regione", "lavoro"]
pin = "2580"

[[desks]]
id = "3"
name = "Sportello 3"
services = ["appuntamento", "sanita", "regione", "lavoro"]
pin = "3691"
'''


def main() -> None:
    from history import generate

    from config import load_config
    from display.queue import QueueStore
    from display.report_data import load_facts, report_for
    from display.report_page import page, ticket_table, to_csv

    with tempfile.TemporaryDirectory() as tmp:
        path = site(Path(tmp))
        path.write_text(path.read_text() + THREE_DESKS)
        config = load_config(path)
        started = time.perf_counter()
        truth = generate(config, config.hub.data_dir, first=FIRST, last=date(2026, 11, 30), seed=150,
                         per_day=(430, 560))
        print(f"history: {len(truth):,} tickets over a year written in {time.perf_counter() - started:.1f} s")
        tz = ZoneInfo(config.site.timezone)
        db = sqlite3.connect(f"file:{config.hub.data_dir / QueueStore.FILENAME}?mode=ro", uri=True)
        cold = []
        for _ in range(2):
            t0 = time.perf_counter()
            report_for(db, config, FIRST, date(2026, 11, 30))
            cold.append(time.perf_counter() - t0)
        print(summary("year's figures counted from the tickets (no digests kept yet)", cold))
        store = QueueStore.in_dir(config.hub.data_dir, config=config)
        t0 = time.perf_counter()
        store.prune(keep_days=400, today=date(2026, 12, 1))  # the hub's periodic job keeps the digests
        store.close()
        print(f"digests of 365 days kept by the hub's periodic job in {time.perf_counter() - t0:.1f} s (once)")
        figures, pages, csvs = [], [], []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            report = report_for(db, config, FIRST, date(2026, 11, 30))
            t1 = time.perf_counter()
            page(report, config, lang="it", query={"period": "custom"})
            t2 = time.perf_counter()
            facts = load_facts(db, FIRST, date(2026, 11, 30), tz)
            to_csv(ticket_table(facts, tz))
            t3 = time.perf_counter()
            figures.append(t1 - t0)
            pages.append(t2 - t1)
            csvs.append(t3 - t2)
        print(f"report: {report.counts.issued:,} issued, {report.open_days} open days, "
              f"{len(report.by_desk)} desks")
        print(summary("year's figures from the kept digests (with the previous year)", figures,
                      target="well under 1 s"))
        print(summary("page (HTML + SVG) from the figures", pages))
        print(summary("raw tickets CSV for the year", csvs))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helpers"))
    main()
