"""Loaded (via PYTHONPATH) only when .ci/run runs the suite under libfaketime.

libfaketime 0.9.10 (Debian bookworm) mangles the absolute CLOCK_MONOTONIC deadline that
Python >= 3.11 passes to clock_nanosleep(), so time.sleep() fails with EINVAL even with
FAKETIME_DONT_FAKE_MONOTONIC=1 (wolfcw/libfaketime#426). Sleeping through select(), which
takes a relative timeout, sidesteps it; nothing else is changed.
"""

import select
import time


def _sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        select.select([], [], [], left)


time.sleep = _sleep
