"""Rule 1: a code is never issued twice in a service day, across SIGKILL and concurrent issuers."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PYPATH, ROOT

HELPER = Path(__file__).resolve().parent / "helpers" / "issue_loop.py"


def spawn(config: Path, count: int, *services: str) -> subprocess.Popen[bytes]:
    """The issuing loop, once it is ready. Its stdout is unbuffered on our side (bufsize=0: a raw
    pipe reads a line byte by byte): a buffered reader would take codes past "ready" into its
    buffer, where `communicate()`, which reads the pipe itself, never sees them (a lost line,
    seen as 299 of 300 codes)."""
    env = dict(os.environ, PYTHONPATH=PYPATH)
    proc = subprocess.Popen([sys.executable, str(HELPER), str(config), str(count), *services],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0, env=env, cwd=ROOT)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"ready", proc.stderr.read() if proc.stderr else ""
    return proc


def numbers_by_service(codes: list[str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for code in codes:
        out.setdefault(code[0], []).append(int(code[1:]))
    return out


def db_codes(tmp_path: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(tmp_path / "data" / "totem.sqlite3") as db:
        return db.execute("SELECT code, number FROM tickets ORDER BY rowid").fetchall()


@pytest.mark.slow
def test_sigkill_at_random_moments_never_repeats_a_code(open_site_path: Path, tmp_path: Path) -> None:
    rng = random.Random(20261130)
    returned: list[str] = []
    restarts = 25
    for _ in range(restarts):
        proc = spawn(open_site_path, 100_000)
        assert proc.stdout is not None
        for _ in range(rng.randint(1, 40)):
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            returned.append(line.decode().strip())
        time.sleep(rng.uniform(0, 0.004))  # kill at a random point of the next issue
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate(timeout=30)
        returned += rest.decode().split()
        assert proc.returncode == -signal.SIGKILL
    assert len(returned) == len(set(returned)), "a ticket code was returned twice"
    for prefix, numbers in numbers_by_service(returned).items():
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers), prefix
    stored = db_codes(tmp_path)
    assert len({c for c, _ in stored}) == len(stored)
    assert set(returned) <= {c for c, _ in stored}, "a code was returned before it was committed"
    for prefix, numbers in numbers_by_service([c for c, _ in stored]).items():
        assert numbers == list(range(1, len(numbers) + 1)), f"gap or repeat in {prefix}"


@pytest.mark.slow
def test_two_processes_issuing_at_once(open_site_path: Path, tmp_path: Path) -> None:
    procs = [spawn(open_site_path, 150, "uffici"), spawn(open_site_path, 150, "uffici")]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append(out.decode().split())
    both = outputs[0] + outputs[1]
    assert len(both) == 300 and len(set(both)) == 300
    for codes in outputs:  # each process sees its own numbers strictly increase
        numbers = [int(c[1:]) for c in codes]
        assert numbers == sorted(numbers)
    assert sorted(int(c[1:]) for c in both) == list(range(1, 301))
