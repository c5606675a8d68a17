"""`totem-display --repair-db`: an unreadable queue database is moved aside (kept for a
post-mortem) so the hub can start with a new one; the totems then send today's tickets
again on their next contact (they notice the new hub_id). Nothing is moved when the
database opens and passes its integrity check."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from config.model import Config
from display.queue import QueueStore
from totem.errors import StoreError
from totem.schema import SchemaTooNew


def move_aside(data_dir: Path, *, config: Config) -> list[str]:
    """The files renamed ("hub.sqlite3 -> hub.sqlite3.corrupt-<UTC stamp>"), or [] when it opens fine."""
    path = Path(data_dir) / QueueStore.FILENAME
    try:
        QueueStore(path, config=config).close()
    except SchemaTooNew:
        raise  # not damaged: a newer release's file (its message says what to do); never moved aside
    except StoreError:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        moved = []
        for suffix in ("", "-wal", "-shm"):
            old = Path(f"{path}{suffix}")
            if old.exists():
                old.rename(Path(f"{path}.corrupt-{stamp}{suffix}"))
                moved.append(f"{old.name} -> {path.name}.corrupt-{stamp}{suffix}")
        return moved
    return []
