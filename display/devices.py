"""The devices the hub knows, one row per (device id, machine) (issue 19).

A device's id comes from its machine (config.identity); one site file on every Pi means two
Pis can still claim one id (two hostnames alike, a copied device file). The first machine
seen with an id holds it; every later machine is refused until a technician forgets the
holder (`totem-display forget-device ID`, for a replaced Pi). Steps of `claim`, run in the
hub's database thread inside the status request's transaction:
1. this machine already holds the id: accepted, its health and last-seen updated;
2. another machine holds it: refused, naming that machine (host, key, since when);
3. a site without [[totems]] numbers every totem from 1: a second totem is refused too;
4. otherwise this machine now holds the id.
A refused machine keeps its own row (the fleet page lists it beside the holder) and the
totem goes Out of service (totem.standing). Nothing here stores personal data.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS devices (
    id TEXT NOT NULL,
    machine TEXT NOT NULL,
    hostname TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'totem',
    first_seen TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    health TEXT NOT NULL DEFAULT '{}',
    refused TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (id, machine)
)
"""


def _ts(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


def claim(db: sqlite3.Connection, *, device_id: str, machine: str, hostname: str, kind: str,
          health: dict[str, Any], now: datetime, single_totem: bool) -> str | None:
    """Record this machine's status under its id; the refusal message, or None when it holds the id."""
    holder = db.execute("SELECT machine, hostname, first_seen FROM devices WHERE id = ? AND refused = '' "
                        "AND machine != ? ORDER BY first_seen LIMIT 1", (device_id, machine)).fetchone()
    refused = ""
    if holder is not None:
        other, host, since = holder
        refused = (f"device id {device_id!r} is already used by another machine (host {host or '?'}, machine "
                   f"{other[:8]}, first seen {since[:16]} UTC): give this Pi its own id in /etc/totem/device.toml "
                   "(install.sh --device-id NAME) with its own [[totems]] block; if that Pi was replaced, run "
                   f"`totem-display forget-device {device_id}` on the hub, after restoring the old Pi's backup "
                   "here (`totem restore DIR`) so today's numbers continue")
    elif single_totem and kind == "totem":
        other = db.execute("SELECT id, hostname FROM devices WHERE id != ? AND kind = 'totem' AND refused = '' "
                           "ORDER BY first_seen LIMIT 1", (device_id,)).fetchone()
        if other is not None:
            refused = (f"the site file has no [[totems]] blocks, so only one totem may issue, and {other[0]!r} "
                       f"(host {other[1] or '?'}) already does: give every totem a block in [[totems]]")
    db.execute("INSERT INTO devices (id, machine, hostname, kind, first_seen, seen_at, health, refused) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id, machine) DO UPDATE SET hostname = excluded.hostname, "
               "kind = excluded.kind, seen_at = excluded.seen_at, health = excluded.health, refused = excluded.refused",
               (device_id, machine, hostname, kind, _ts(now), _ts(now), json.dumps(health), refused))
    return refused or None


def forget(db: sqlite3.Connection, device_id: str) -> int:
    """Forget every machine seen with this id (a replaced Pi): the next one to report holds it."""
    return db.execute("DELETE FROM devices WHERE id = ?", (device_id,)).rowcount


def listed(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every (id, machine) row, the holder of an id first."""
    rows = db.execute("SELECT id, machine, hostname, kind, first_seen, seen_at, health, refused FROM devices "
                      "ORDER BY id, refused != '', first_seen").fetchall()
    return [{"id": i, "machine": m[:8], "hostname": h, "kind": k, "first_seen": f, "seen_at": s,
             "health": json.loads(hl), "refused": r} for i, m, h, k, f, s, hl, r in rows]
