"""The hub schema's steps 5 and 6 (issue 23: held turns, second services, contacts) on the database of
the release before versioning (tests/fixtures/release-493ac60): every row kept, its indexes kept,
and the new statuses and tables usable at once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from test_schema import old_copy, version

from config import load_config
from display import hold, visits
from display.queue import QueueStore
from display.records import NEW_STATUSES
from totem.schema import HUB_SCHEMA


def test_an_old_hub_database_upgraded_keeps_its_rows_and_holds_turns(tmp_path: Path) -> None:
    config = load_config(old_copy(tmp_path))
    path = tmp_path / "hub" / "hub.sqlite3"
    with sqlite3.connect(path) as db:
        before = db.execute("SELECT * FROM tickets ORDER BY id").fetchall()
        indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                            "tbl_name = 'tickets' AND sql IS NOT NULL")}
    db.close()
    store = QueueStore.in_dir(config.hub.data_dir, config=config)
    try:
        db = store.reader()
        after = db.execute("SELECT * FROM tickets ORDER BY id").fetchall()
        assert [r[:len(before[0])] for r in after] == before, "every old row, every old column, unchanged"
        assert all(r[-3:] == (None, 0, 0) for r in after)  # held_at, holds, hold_returns
        kept = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                         "tbl_name = 'tickets' AND sql IS NOT NULL")}
        assert kept == indexes | {"hub_held"}
        assert NEW_STATUSES in db.execute("SELECT sql FROM sqlite_master WHERE name = 'tickets'").fetchone()[0]
        (ticket_id, day) = db.execute("SELECT id, service_day FROM tickets WHERE status != 'void' LIMIT 1").fetchone()
        with store.transaction() as tx:  # the widened CHECK admits the new statuses
            tx.execute("UPDATE tickets SET status = 'held', desk_id = '1', held_at = issued_at, holds = 1 WHERE id = ?",
                       (ticket_id,))
            assert visits.add_service(tx, ticket_id=ticket_id, service_id="sanita", desk_id="1", day=day,
                                      now_iso="2026-12-01T09:00:00+00:00")
        assert [h["code"] for h in hold.held_at_desks(db, day)["1"]] != []
    finally:
        store.close()
    assert version(path) == HUB_SCHEMA
