"""Shared helpers for benchmarks: statistics and a throwaway site."""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
ROOT = Path(__file__).resolve().parents[2]
# `./scripts/bench --smoke` sets BENCH_SMOKE=1: every benchmark runs a few seconds, to prove it still
# runs (CI does this); the figures then mean nothing.
SMOKE = os.environ.get("BENCH_SMOKE") == "1"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))


def scaled(full: int, smoke: int) -> int:
    """A benchmark's size: `full` for a real measurement, `smoke` under --smoke."""
    return smoke if SMOKE else full


def ticket_buttons(app: Any) -> list[Any]:
    """The Home buttons that issue a ticket at once (not the appointment's check-in keypad)."""
    services = app.config.services[getattr(app.layout, "first", 0):]
    return [box for box, service in zip(app.layout.buttons, services, strict=False) if not service.appointments]


def summary(name: str, samples_s: list[float], unit: str = "ms", target: str = "") -> str:
    scale = 1000.0 if unit == "ms" else 1.0
    values = sorted(v * scale for v in samples_s)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    p99 = values[min(len(values) - 1, round(0.99 * (len(values) - 1)))]
    line = (f"{name}: n={len(values)} median={statistics.median(values):.2f} {unit} "
            f"p95={p95:.2f} {unit} p99={p99:.2f} {unit} max={values[-1]:.2f} {unit}")
    return line + (f"  [target {target}]" if target else "")


def site(tmp: Path, **kwargs: object) -> Path:
    from conftest import write_site

    return write_site(tmp, **kwargs)  # type: ignore[arg-type]


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """VmRSS (now) or VmHWM (peak) of a process, in MB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0


def start_workers(ctx: Any, target: Callable[..., None], args_list: list[tuple[Any, ...]]) -> tuple[list[Any], Any]:
    """One process per argument tuple; each gets a result queue as its last argument."""
    queue = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, queue)) for args in args_list]
    for p in procs:
        p.start()
    return procs, queue


def gather(procs: list[Any], queue: Any) -> list[Any]:
    """Every worker's list of results, concatenated; then the workers are joined."""
    results = [r for _ in procs for r in queue.get()]
    for p in procs:
        p.join()
    return results
