"""The promise measured (issue 20, point 6): a simulated day through the real hub queue, the
share of waits inside the printed range computed here and by the reports, CSV and CLI."""

from __future__ import annotations

import csv
import io
import math
import random
import sqlite3
import statistics
import subprocess
import sys
import uuid
from datetime import UTC, date, timedelta
from pathlib import Path

from conftest import ROOT, rome, write_site

from config import load_config
from display.promise import inside, promise_rows
from display.queue import QueueStore

DAY = date(2026, 12, 1)  # a Tuesday: 08:45-13:00, then 14:30-16:30
SERVICES = [("uffici", "A", 15.0), ("sanita", "E", 12.0)]


def simulate(store: QueueStore, seed: int) -> dict[str, list[tuple[int, int, float]]]:
    """Seeded arrivals over the morning, one desk; (low, high, waited) per called ticket, kept by the test."""
    rng = random.Random(seed)
    start = rome(2026, 12, 1, 8, 45)
    arrivals = []
    t = 0.0
    while True:
        t += rng.expovariate(5.0 / 60.0)  # five an hour
        if t > 200:
            break
        arrivals.append(t)
    told: dict[str, tuple[str, int, int, float]] = {}
    busy_until = 0.0
    called: dict[str, list[tuple[int, int, float]]] = {}
    numbers = {sid: 0 for sid, _, _ in SERVICES}
    clock = 0.0
    pending = list(arrivals)
    while pending or store.order.waiting():
        next_arrival = pending[0] if pending else math.inf
        if store.order.waiting() and busy_until <= next_arrival:
            clock = max(clock, busy_until)
            now = start + timedelta(minutes=clock)
            if store.current("1", now=now) is not None:
                store.finish("1", "served", now=now)
            ticket = store.call_next("1", now=now)
            assert ticket is not None
            sid, low, high, issued = told[ticket.id]
            called.setdefault(sid, []).append((low, high, clock - issued))
            avg = dict((s, m) for s, _, m in SERVICES)[sid]
            busy_until = clock + rng.lognormvariate(math.log(avg) - 0.125, 0.5)
            continue
        clock = pending.pop(0)
        now = start + timedelta(minutes=clock)
        sid, prefix, _ = SERVICES[rng.random() < 0.4]
        numbers[sid] += 1
        body = {"id": str(uuid.uuid4()), "code": f"{prefix}{numbers[sid]:03d}", "service": sid,
                "number": numbers[sid], "issued_at": now.astimezone(UTC).isoformat(), "totem": "totem-1"}
        ((_, answer),) = store.ingest_many([body], now=now)
        told[body["id"]] = (sid, answer["wait_low_min"], answer["wait_high_min"], clock)
    return called


def test_the_share_inside_the_range_is_the_tests_own(tmp_path: Path) -> None:
    config = load_config(write_site(tmp_path))
    store = QueueStore.in_dir(config.hub.data_dir, config=config)
    try:
        called = simulate(store, seed=7)
    finally:
        store.close()
    mine = {sid: (len(rows), sum(1 for lo, hi, w in rows if inside(lo, hi, w)),
                  round(statistics.median(abs(w - (lo + hi) / 2) for lo, hi, w in rows), 1))
            for sid, rows in called.items()}
    assert sum(n for n, _, _ in mine.values()) >= 10
    with sqlite3.connect(config.hub.data_dir / QueueStore.FILENAME) as db:
        rows = promise_rows(db, DAY, DAY)
    assert {r.service: (r.told, r.inside, r.median_error_min) for r in rows} == mine
    assert all(r.day == DAY.isoformat() for r in rows)
    out = tmp_path / "csv"
    result = subprocess.run([sys.executable, "-m", "display", "--config", str(config.source), "report", "--from",
                             DAY.isoformat(), "--to", DAY.isoformat(), "--csv", str(out)], capture_output=True,
                            text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "La promessa del biglietto" in result.stdout
    table = list(csv.reader(io.StringIO((out / "promise.csv").read_text(encoding="utf-8-sig")), delimiter=";"))
    assert table[0][:2] == ["Giorno", "Servizio"] or table[0][1] == "Servizio"
    labels = {s.label("it"): s.id for s in config.services}
    for day, label, n, within, share, error in table[1:]:
        sid = labels[label]
        assert day == DAY.isoformat() and (int(n), int(within)) == mine[sid][:2]
        assert float(share.replace(",", ".")) == round(100 * mine[sid][1] / mine[sid][0], 1)
        assert float(error.replace(",", ".")) == mine[sid][2]
