"""Which issuing processes are gone, so a ticket whose paper is uncertain is told apart from
one being printed right now.

A ticket committed but never marked printed nor voided is uncertain only once the process
that issued it has ended without finishing (SIGKILL, power cut, a crash mid-print), never
while that process is still printing it. Steps:
1. a process that issues holds an exclusive `flock` on `issuers/<id>.lock` in the totem's
   data dir from its first ticket until its store closes (`IssuerLock`), and each ticket
   row records that id;
2. the kernel drops the lock when the process dies, however it dies;
3. at the next start, `gone(id)` takes the lock (or finds no file): that process is gone,
   and its tickets still "issued" are uncertain (`TicketStore.sweep_uncertain`).
A lock file that cannot be made (a full disk) is logged and the ticket still issues: its
row then has no issuer id and counts as gone for a later start.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import uuid
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER = "issuers"


def _path(data_dir: Path, issuer_id: str) -> Path:
    return Path(data_dir) / FOLDER / f"{issuer_id}.lock"


class IssuerLock:
    """This process's proof of life while it issues."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.id = uuid.uuid4().hex
        self._fd: int | None = None

    def acquire(self) -> str | None:
        """The id to record on this process's tickets (None: no lock could be made)."""
        if self._fd is not None:
            return self.id
        path = _path(self.data_dir, self.id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            log.warning("cannot make the issuer lock %s (%s): tickets issue without it", path, exc)
            return None
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new random name: nobody else holds it
        try:  # a `tidy` between our open and our flock may have removed the file: make it again
            if os.stat(path).st_ino != os.fstat(fd).st_ino:
                raise FileNotFoundError(path)
        except FileNotFoundError:
            os.close(fd)
            return self.acquire()
        self._fd = fd
        return self.id

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                _path(self.data_dir, self.id).unlink()
            os.close(self._fd)
            self._fd = None


def gone(data_dir: Path, issuer_id: str) -> bool:
    """True when the process that held this issuer id has ended."""
    try:
        fd = os.open(_path(data_dir, issuer_id), os.O_RDWR)
    except FileNotFoundError:
        return True
    except OSError:
        return False  # cannot tell: never mark a ticket being printed as uncertain
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def tidy(data_dir: Path, *, keep: str) -> None:
    """Remove the lock files of processes that are gone (killed ones leave theirs). Called
    after their tickets were looked at: a gone issuer's tickets stay findable by their rows."""
    folder = Path(data_dir) / FOLDER
    with contextlib.suppress(OSError):
        for path in folder.glob("*.lock"):
            if path.stem != keep and gone(data_dir, path.stem):
                with contextlib.suppress(OSError):
                    path.unlink()
