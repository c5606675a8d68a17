"""Start-up: the time each `totem` command spends in imports (`python -X importtime`), and the
kiosk's first frame (SDL dummy driver) from the process start.

Each figure is the median of several runs (the machine is shared); imports are the sum of every
module's own time, the same total `-X importtime` prints (wall clock). On a loaded machine the
wall clock mostly measures waiting for a core, so each run's import time is also given in CPU
time (the import wall time times the process's CPU/wall ratio: imports are CPU-bound), and the
heavy libraries each command loads are listed (what a lazy import can avoid).

Targets (issue 21): every command well under 150 ms of imports; the kiosk's first frame < 0.3 s.
"""

from __future__ import annotations

import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, scaled, site

RUNS = scaled(7, 1)
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")

HEAVY = ("requests", "escpos", "PIL", "qrcode", "holidays", "pygame", "aiohttp", "usb", "serial")
COMMANDS = [["issue", "uffici"], ["status"], ["check-config"], ["preview", "uffici", "--out", "{tmp}/p.png"],
            ["print-test"], ["resend"], ["repair-db"], ["--help"]]

FIRST_FRAME = """
import os, sys, time
t0 = time.perf_counter()
from contextlib import ExitStack
from config import load_config
from totem.clock import SystemClock
from totem.kiosk import build_kiosk
with ExitStack() as stack:
    app = build_kiosk(load_config(sys.argv[1]), stack, clock=SystemClock(), always_open=True)
    app.step()
    print(f"{time.perf_counter() - t0:.4f}", flush=True)
    os._exit(0)
"""


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def imports(argv: list[str], env: dict[str, str]) -> tuple[float, float, list[str], list[tuple[float, str]]]:
    """Import time of one run of the CLI (wall ms, CPU ms), the heavy libraries it loaded, and its
    top-level imports by cumulative time."""
    cpu, wall = cpu_s(), time.perf_counter()
    done = subprocess.run([sys.executable, "-X", "importtime", "-c",
                           "import sys; from totem.cli import main; sys.exit(main(sys.argv[1:]))", *argv],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    ratio = min(1.0, (cpu_s() - cpu) / (time.perf_counter() - wall))
    total, top, heavy = 0, [], set()
    for line in done.stderr.splitlines():
        m = LINE.match(line)
        if m:
            total += int(m.group(1))
            if len(m.group(3)) <= 1:
                top.append((int(m.group(2)) / 1000, m.group(4)))
            if m.group(4).split(".")[0] in HEAVY:
                heavy.add(m.group(4).split(".")[0])
    return total / 1000, total / 1000 * ratio, sorted(heavy), sorted(top, reverse=True)[:4]


def main() -> None:
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        path = site(Path(tmp), always_open=True, extra={"min_interval_s = 2": "min_interval_s = 0"})
        env = {**os.environ, "TOTEM_CONFIG": str(path), "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
        worst = 0.0
        for command in COMMANDS:
            argv = [a.format(tmp=tmp) for a in command]
            runs = [imports(argv, env) for _ in range(RUNS)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            worst = max(worst, cpu)
            top = ", ".join(f"{name} {ms:.0f}" for ms, name in runs[0][3] if name != "totem.cli")
            print(f"totem {' '.join(command[:2]):<20} imports: wall {wall:6.1f} ms, CPU {cpu:6.1f} ms; "
                  f"loads {'+'.join(runs[0][2]) or '-'}; heaviest (wall ms): {top}")
        print(f"slowest command: {worst:.1f} ms of imports (CPU)  [target well under 150 ms]")
        frames = []
        for _ in range(RUNS):
            cpu, started = cpu_s(), time.perf_counter()
            out = subprocess.run([sys.executable, "-c", FIRST_FRAME, str(path)], capture_output=True, text=True,
                                 env=env, cwd=ROOT, timeout=120)
            wall = time.perf_counter() - started
            if out.returncode != 0 or not out.stdout.strip():
                raise SystemExit(f"kiosk did not start: {out.stderr[-2000:]}")
            frames.append((wall, float(out.stdout.split()[-1]), cpu_s() - cpu))
        print(f"kiosk first frame: from process start median {statistics.median(f[0] for f in frames):.3f} s "
              f"(CPU {statistics.median(f[2] for f in frames):.3f} s), from the first line of Python "
              f"{statistics.median(f[1] for f in frames):.3f} s  [target < 0.3 s]")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
