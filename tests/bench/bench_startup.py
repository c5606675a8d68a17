"""Start-up: the time each `totem` command spends in imports, and the kiosk's first frame (SDL
dummy driver) from the process start.

Each command runs `RUNS` times as `python -X importtime tests/bench/_startup_probe.py ...` on the
shipped site file (its public holidays included; open around the clock so `issue` prints), and
reports the median and p95 of:
- imports, CPU: the interpreter's start with `site`, plus every import after it, in CPU time of the
  importing thread (the probe times each import itself: on a shared machine the wall clock mostly
  measures the wait for a core); and the same counting only the imports made before the first result
  (`issue` imports `requests` for its push after the paper);
- CPU to the first result: the process's CPU when the command first wrote to stdout (`issue`: the
  ticket's code, once the paper is out); and the whole run's CPU;
- imports, wall: the sum of `-X importtime`'s own times, for comparison with a quiet machine.
It also names the heavy libraries each command loaded (what a lazy import can avoid) and the
heaviest imports of one run.

Bytecode as on the installed Pi (pip compiles every module when it installs the release): the runs
read the modules' compiled bytecode from a private cache (`PYTHONPYCACHEPREFIX`), filled by one
discarded run of each command first, even where the environment says `PYTHONDONTWRITEBYTECODE`
(which would make every run compile the checkout's modules from source: 20-40 ms more per command here).

Targets (issue 21): every command well under 150 ms of imports; the kiosk's first frame < 0.3 s.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, scaled, site

RUNS = scaled(9, 1)
PROBE = Path(__file__).with_name("_startup_probe.py")
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")

HEAVY = ("requests", "urllib3", "escpos", "PIL", "qrcode", "barcode", "yaml", "holidays", "pygame", "aiohttp",
         "usb", "serial")
COMMANDS = [["issue", "uffici"], ["status"], ["check-config"], ["preview", "uffici", "--out", "{tmp}/p.png"],
            ["print-test"], ["resend"], ["repair-db"], ["backup", "{tmp}/backup-{n}"], ["--help"]]

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
    print(f"{time.perf_counter() - t0:.4f} {time.process_time():.4f}", flush=True)
    os._exit(0)
"""


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run_once(argv: list[str], env: dict[str, str], report: Path) -> dict:
    """One run of the command under the probe: its report, with the `-X importtime` wall total."""
    done = subprocess.run([sys.executable, "-X", "importtime", str(PROBE), str(report), *argv],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    if not report.exists():
        raise SystemExit(f"totem {' '.join(argv)} did not report: {done.stderr[-2000:]}")
    result = json.loads(report.read_text(encoding="utf-8"))
    report.unlink()
    result["wall_ms"] = sum(int(m.group(1)) for m in map(LINE.match, done.stderr.splitlines()) if m) / 1000
    result["heavy"] = sorted({name.split(".")[0] for _, name, _ in result["tree"]} & set(HEAVY))
    return result


def main() -> None:
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        path = site(Path(tmp), always_open=True, extra={"min_interval_s = 2": "min_interval_s = 0",
                                                         'holidays_country = ""': 'holidays_country = "IT"'})
        env = {**os.environ, "TOTEM_CONFIG": str(path), "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
               "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache"),
               # this checkout's code, whatever checkout the venv's editable install points at
               "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        print(f"{'command':<20} {'imports, CPU ms':>15} {'before result':>15} {'CPU to result':>15} {'CPU all':>8} "
              f"{'imp. wall':>9}  exit  loads")
        print(f"{'':<20} {'median   p95':>15} {'median   p95':>15} {'median   p95':>15} {'median':>8} {'median':>9}")
        worst = worst_before = 0.0
        for command in COMMANDS:
            run_once([a.format(tmp=tmp, n="warm") for a in command], env, Path(tmp) / "report.json")  # bytecode
            runs = [run_once([a.format(tmp=tmp, n=n) for a in command], env, Path(tmp) / "report.json")
                    for n in range(RUNS)]
            imports = [r["start_cpu_ms"] + r["import_cpu_ms"] for r in runs]
            before = [r["start_cpu_ms"] + r["import_cpu_to_first_ms"] for r in runs]
            first = [r["first_output_cpu_ms"] for r in runs]
            worst = max(worst, statistics.median(imports))
            worst_before = max(worst_before, statistics.median(before))
            name = "totem " + " ".join(command[:2]).replace("{tmp}", "DIR").replace("-{n}", "")
            print(f"{name:<20} {statistics.median(imports):7.1f} {p95(imports):7.1f} "
                  f"{statistics.median(before):7.1f} {p95(before):7.1f} "
                  f"{statistics.median(first):7.1f} {p95(first):7.1f} "
                  f"{statistics.median(r['total_cpu_ms'] for r in runs):8.1f} "
                  f"{statistics.median(r['wall_ms'] for r in runs):9.1f}  {runs[0]['exit']!s:>4}  "
                  f"{'+'.join(runs[0]['heavy']) or '-'}")
            top = sorted(((ms, n) for d, n, ms in runs[-1]["tree"] if d == 0), reverse=True)[:5]
            print(f"{'':<22}heaviest (CPU ms): {', '.join(f'{n} {ms:.0f}' for ms, n in top)}")
        print(f"slowest command: {worst_before:.1f} ms of imports before its result, {worst:.1f} ms in all "
              "(CPU, median, interpreter start included)  [target well under 150 ms]")
        frames = []
        subprocess.run([sys.executable, "-c", FIRST_FRAME, str(path)], capture_output=True, env=env, cwd=ROOT,
                       timeout=120)  # its bytecode, as for the commands
        for _ in range(RUNS):
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", FIRST_FRAME, str(path)], capture_output=True, text=True,
                                 env=env, cwd=ROOT, timeout=120)
            wall = time.perf_counter() - started
            if out.returncode != 0 or not out.stdout.strip():
                raise SystemExit(f"kiosk did not start: {out.stderr[-2000:]}")
            from_python, cpu = (float(x) for x in out.stdout.split()[-2:])
            frames.append((wall, from_python, cpu))
        print(f"kiosk first frame: from process start median {statistics.median(f[0] for f in frames):.3f} s "
              f"(p95 {p95([f[0] for f in frames]):.3f} s; CPU median {statistics.median(f[2] for f in frames):.3f} s), "
              f"from the first line of Python {statistics.median(f[1] for f in frames):.3f} s  [target < 0.3 s]")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
