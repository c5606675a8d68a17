"""Versioned schemas (issue 19): databases made by the release before versioning (493ac60,
tests/fixtures/release-493ac60, made by that release's own code with make.py there) open
after the upgrade with every row kept; a file from a newer release is opened when that
release says it is compatible (a rollback), else refused with what to do, and never moved aside."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import PYPATH, ROOT, write_site

from config import load_config
from display.queue import QueueStore
from totem.schema import COMPAT_KEY, HUB_SCHEMA, TICKETS_SCHEMA, SchemaTooNew
from totem.store import TicketStore

OLD = Path(__file__).resolve().parent / "fixtures" / "release-493ac60"
OLD_COMMIT = "493ac60"


def old_copy(tmp_path: Path) -> Path:
    """The old release's three databases where the test site file keeps them."""
    write_site(tmp_path)
    for name, where in (("totem.sqlite3", "data"), ("hub.sqlite3", "hub"), ("reception.sqlite3", "hub")):
        (tmp_path / where).mkdir(exist_ok=True)
        shutil.copyfile(OLD / name, tmp_path / where / name)
    return tmp_path / "site.toml"


def version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA user_version").fetchone()[0]


def set_newer(path: Path, *, version_: int, compatible: int) -> None:
    db = sqlite3.connect(path)
    with db:
        db.execute(f"PRAGMA user_version = {version_}")
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   (COMPAT_KEY, str(compatible)))
    db.close()


def test_the_previous_releases_databases_open_after_the_upgrade_with_every_row(tmp_path: Path) -> None:
    config = load_config(old_copy(tmp_path))
    assert version(tmp_path / "data" / "totem.sqlite3") == 0  # made before versioning
    with TicketStore.in_dir(config.totem.data_dir) as store:
        counts = store.counts(date(2026, 12, 1))
        assert counts["uffici"]["issued"] == 3 and counts["uffici"]["void"] == 1 and counts["sanita"]["issued"] == 1
        assert store.backlog("http://127.0.0.1:8080") == 3  # 5 events, 2 acknowledged: the outbox goes on
        assert store.next_number("uffici", date(2026, 12, 1)) == 4  # numbering continues
    assert version(tmp_path / "data" / "totem.sqlite3") == TICKETS_SCHEMA
    with TicketStore(tmp_path / "hub" / "reception.sqlite3") as store:
        assert store.counts(date(2026, 12, 1))["uffici"]["issued"] == 1
    hub = QueueStore.in_dir(config.hub.data_dir, config=config)
    try:
        db = hub.reader()
        assert db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 4
        assert db.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 2
        assert db.execute("SELECT COUNT(*) FROM appointments").fetchone()[0] == 1
        assert db.execute("SELECT COUNT(*) FROM day_digest").fetchone()[0] >= 1  # the reports' digests kept
        assert db.execute("SELECT health FROM totems WHERE id = 'totem-1'").fetchone()
        # Step 5 (issue 23): the online booking's events, an empty book beside the kept appointments.
        assert db.execute("SELECT COUNT(*) FROM calendar_events").fetchone()[0] == 0
    finally:
        hub.close()
    assert version(tmp_path / "hub" / "hub.sqlite3") == HUB_SCHEMA


def test_status_after_the_upgrade_shows_the_old_tickets(tmp_path: Path) -> None:
    site = old_copy(tmp_path)
    out = subprocess.run([sys.executable, "-m", "totem", "status", "--config", str(site)], env=dict(
        os.environ, PYTHONPATH=PYPATH), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "5 event(s) still to send" in out.stdout  # every event of the old outbox, for this site's hub


def test_a_newer_releases_compatible_database_opens_unchanged(tmp_path: Path) -> None:
    """The rollback case: the newer release only added to the file and says so."""
    config = load_config(old_copy(tmp_path))
    path = tmp_path / "data" / "totem.sqlite3"
    TicketStore(path).close()
    set_newer(path, version_=TICKETS_SCHEMA + 1, compatible=TICKETS_SCHEMA)
    with TicketStore.in_dir(config.totem.data_dir) as store:
        assert store.next_number("uffici", date(2026, 12, 1)) == 4
    assert version(path) == TICKETS_SCHEMA + 1  # left as the newer release wrote it


def test_a_newer_releases_incompatible_database_is_refused_with_what_to_do(tmp_path: Path) -> None:
    site = old_copy(tmp_path)
    config = load_config(site)
    totem_db, hub_db = tmp_path / "data" / "totem.sqlite3", tmp_path / "hub" / "hub.sqlite3"
    TicketStore(totem_db).close()
    QueueStore(hub_db, config=config).close()
    set_newer(totem_db, version_=TICKETS_SCHEMA + 2, compatible=TICKETS_SCHEMA + 1)
    set_newer(hub_db, version_=HUB_SCHEMA + 1, compatible=HUB_SCHEMA + 1)
    with pytest.raises(SchemaTooNew) as caught:
        TicketStore(totem_db)
    message = str(caught.value)
    assert str(totem_db) in message and f"version {TICKETS_SCHEMA + 2}" in message
    assert "newer release" in message and "totem restore" in message and "repair-db" in message
    with pytest.raises(SchemaTooNew):
        QueueStore(hub_db, config=config)
    before = {p.name for p in (tmp_path / "data").iterdir()} | {p.name for p in (tmp_path / "hub").iterdir()}
    env = dict(os.environ, PYTHONPATH=PYPATH)
    repair = subprocess.run([sys.executable, "-m", "totem", "repair-db", "--config", str(site)], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert repair.returncode == 2 and "newer release" in repair.stderr  # a newer file is not damaged
    repair = subprocess.run([sys.executable, "-m", "display", "--config", str(site), "--repair-db"], env=env,
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert repair.returncode == 4 and "newer release" in repair.stderr and "Traceback" not in repair.stderr
    status = subprocess.run([sys.executable, "-m", "totem", "status", "--config", str(site)], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert status.returncode == 7 and "newer release" in status.stdout
    after = {p.name for p in (tmp_path / "data").iterdir()} | {p.name for p in (tmp_path / "hub").iterdir()}
    assert not {n for n in after - before if "corrupt" in n}  # nothing moved aside
    # A backup of it is refused by this release's restore, with the same advice.
    from totem.backup import BackupError, backup, restore

    backup(config, tmp_path / "bk")
    with pytest.raises(BackupError, match="reads up to"):
        restore(config, tmp_path / "bk")


def _old_release(tmp_path: Path) -> Path | None:
    """The previous release's code, from this checkout's history (None in a shallow clone)."""
    if shutil.which("git") is None or subprocess.run(["git", "cat-file", "-e", f"{OLD_COMMIT}^{{commit}}"], cwd=ROOT,
                                                     capture_output=True).returncode != 0:
        return None
    tree = tmp_path / "old-release"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", OLD_COMMIT, "config", "display", "printer", "totem"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def test_rollback_the_previous_release_opens_what_this_one_migrated(tmp_path: Path) -> None:
    site = old_copy(tmp_path)
    # The previous release needs [totem] id (this one ignores it, check-config says to keep it for a rollback).
    site.write_text(site.read_text().replace("[totem]\n", '[totem]\nid = "totem-1"\n', 1))
    config = load_config(site)
    TicketStore(tmp_path / "data" / "totem.sqlite3").close()
    QueueStore(tmp_path / "hub" / "hub.sqlite3", config=config).close()
    tree = _old_release(tmp_path)
    if tree is None:
        pytest.skip(f"release {OLD_COMMIT} is not in this clone's history")
    script = ("import sys; from datetime import date; from config import load_config; "
              "from totem.store import TicketStore; from display.queue import QueueStore\n"
              "c = load_config(sys.argv[1])\n"
              "s = TicketStore.in_dir(c.totem.data_dir); print(s.next_number('uffici', date(2026, 12, 1))); s.close()\n"
              "q = QueueStore.in_dir(c.hub.data_dir, config=c)\n"
              "print(q.reader().execute('SELECT COUNT(*) FROM tickets').fetchone()[0]); q.close()\n")
    out = subprocess.run([sys.executable, "-c", script, str(site)], cwd=tmp_path, capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, PYTHONPATH=str(tree)))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["4", "4"]
