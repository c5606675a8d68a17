"""`totem repair-db`: the one place that moves a bad ticket database aside, on purpose.

Steps:
1. if the database opens and passes its integrity check, nothing is done;
2. today's counters are read from the bad file where SQLite still can; otherwise the
   technician must say where today's numbers continue (`--start-after N`, the last number
   printed, as the desk console shows it): a number is never given twice in a day (rule 1);
3. the file and its -wal/-shm companions are renamed `*.corrupt-<time>` (kept for a post-mortem);
4. a new database is created with today's counters, so numbering continues.
Events that were not yet delivered cannot be read back from a corrupt file: the report says
how many were pending when that is still known, and the desk sees those tickets missing.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

from totem.errors import StoreError, TotemError
from totem.schema import SchemaTooNew
from totem.store import TicketStore


class RepairRefused(TotemError):
    """Nothing was moved: the reason says what the technician must add or check."""


def _read_counters(path: Path, today: date) -> dict[str, int] | None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT service_id, last_number FROM counters WHERE service_day = ?",
                              (today.isoformat(),)).fetchall()
    except sqlite3.Error:
        return None
    return {str(service): int(n) for service, n in rows}


def repair(data_dir: Path, *, today: date, start_after: int | None) -> list[str]:
    path = Path(data_dir) / TicketStore.FILENAME
    if not path.exists():
        raise RepairRefused(f"no ticket database at {path}: nothing to repair")
    try:
        TicketStore(path).close()
    except SchemaTooNew as exc:  # not damaged: a newer release's file; moving it aside would lose it
        raise RepairRefused(str(exc)) from None
    except StoreError as exc:
        reason = str(exc)
    else:
        return [f"{path}: opens and passes its integrity check; nothing to do"]
    counters = _read_counters(path, today)
    if counters is None and start_after is None:
        raise RepairRefused(f"{reason}\ntoday's counters cannot be read from it; add --start-after N, where N is "
                            "the highest number printed today (see the desk console), so no number repeats")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    moved = []
    for suffix in ("", "-wal", "-shm"):
        old = Path(f"{path}{suffix}")
        if old.exists():
            new = Path(f"{path}.corrupt-{stamp}{suffix}")
            old.rename(new)
            moved.append(new.name)
    seeded = dict(counters or {})
    if start_after is not None:
        seeded = {service: max(n, start_after) for service, n in seeded.items()} | {"*": start_after}
    with TicketStore(path) as store:
        store.seed_counters(today, seeded)
    lines = [f"moved aside: {', '.join(moved)}", f"new database: {path}"]
    if counters is not None:
        lines.append("today's counters copied: " + (", ".join(f"{k} {v}" for k, v in sorted(counters.items()))
                                                   or "none (no ticket today)"))
    if start_after is not None:
        lines.append(f"today's numbers continue after {start_after} for every service")
    return lines
