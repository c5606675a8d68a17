"""The running service's mark on its data directory: an advisory lock (flock) on
`<data_dir>/<role>.running`, held for as long as the kiosk or the hub runs.

`totem restore` looks at it to refuse replacing a database under a running service, and
holds it itself while it restores, so a service started meanwhile waits for it to finish.
The lock dies with the process (even on SIGKILL), so a stale mark never blocks anyone.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)

# The unit that owns each role's data, for the messages that tell a technician what to stop.
UNITS = {"totem": "totem", "hub": "totem-hub (or totem-display)"}


def lock_path(data_dir: Path, role: str) -> Path:
    return Path(data_dir) / f"{role}.running"


class ServiceLock:
    """Held by the service (`wait_s` > 0: wait for a restore in progress) or by `restore`."""

    def __init__(self, data_dir: Path, role: str) -> None:
        self.path = lock_path(data_dir, role)
        self.role = role
        self._fd: int | None = None

    def acquire(self, *, wait_s: float = 0.0) -> bool:
        """True when held; False when another process holds it after `wait_s` seconds."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o664)
        except PermissionError:  # made by another user (root's restore): a shared read lock is enough to flock
            fd = os.open(self.path, os.O_RDONLY)
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(0.1)
        self._fd = fd
        try:  # who holds it, for the message of whoever finds it held
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            pass
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ServiceLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def holder(data_dir: Path, role: str) -> str | None:
    """The pid (as text) of the process holding the role's lock, or None when nobody does."""
    path = lock_path(data_dir, role)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return (path.read_text(errors="replace").strip() or "?")
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def hold_for_service(data_dir: Path, role: str) -> ServiceLock:
    """The service's lock, taken at start. A restore in progress is waited for (up to a minute);
    a second instance of the service is only logged: it must never keep the desk from working."""
    lock = ServiceLock(data_dir, role)
    if not lock.acquire(wait_s=60.0):
        log.warning("%s is held by pid %s (a restore, or a second %s): running anyway", lock.path,
                    holder(data_dir, role), role)
    return lock
