"""The model-checked queue at scale (issue 20, point 2): 20,000 examples of the state machine
in `tests/helpers/queue_model.py` (the real hub over HTTP against the reference model), in
chunks of fresh random sequences, printing examples done, time and failures as it goes.
A failure is printed with its shrunk sequence of steps, and the run stops there.

    ./scripts/bench tests/bench/bench_queue_model.py            # 20,000 examples
    .venv/bin/python tests/bench/bench_queue_model.py --examples 2000 --steps 20
    .venv/bin/python tests/bench/bench_queue_model.py --jobs 2   # the same 20,000 in two processes
    .venv/bin/python tests/bench/bench_queue_model.py --rules    # the calling rules' variant (issue 23)
(`./scripts/bench` takes benchmark files only: options go to the script run directly.)

With `--jobs N` the examples are shared among N worker processes (each its own hub and its own
random sequences), which uses the cores while one worker waits on its hub's threads; the first
failure stops every worker and is printed with its shrunk sequence.

The hub's files go to /dev/shm when it exists (a tmpfs: fsync costs nothing there, and the
checks are the same), else to the system's temporary directory.
"""

from __future__ import annotations

import argparse
import logging
import os
import selectors
import subprocess
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helpers"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from _common import scaled
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from queue_model import fresh, with_rules

CHUNK = scaled(250, 10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=scaled(20_000, 10))
    parser.add_argument("--steps", type=int, default=20, help="at most this many steps per example")
    parser.add_argument("--minutes", type=float, default=0, help="stop after the chunk that passes this budget")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes sharing the examples")
    parser.add_argument("--rules", action="store_true",
                        help="the calling rules' variant: ratio per site and desk, long wait, a preferring desk")
    args = parser.parse_args()
    if args.jobs > 1:
        return run_jobs(args)
    logging.disable(logging.WARNING)  # the hub logs every void and refusal; the figures are what count
    tmp = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    machine = (with_rules if args.rules else fresh)(tmp_dir=tmp)
    done = 0
    started = time.monotonic()
    while done < args.examples and not (args.minutes and time.monotonic() - started > args.minutes * 60):
        n = min(CHUNK, args.examples - done)
        chunk = settings(max_examples=n, stateful_step_count=args.steps, derandomize=False, database=None,
                         deadline=None, suppress_health_check=list(HealthCheck))
        try:
            run_state_machine_as_test(machine, settings=chunk)
        except Exception:  # the shrunk sequence was printed by Hypothesis above the traceback
            traceback.print_exc()
            print(f"queue model: FAILURE after {done} + up to {n} examples, {time.monotonic() - started:.0f} s")
            return 1
        done += n
        elapsed = time.monotonic() - started
        print(f"queue model: {done} examples, 0 failures, {elapsed:.0f} s ({elapsed / done * 1000:.0f} ms per example)",
              flush=True)
    print(f"queue model{' (calling rules)' if args.rules else ''}: {done} of {args.examples} examples "
          f"(at most {args.steps} steps each), 0 failures in "
          f"{time.monotonic() - started:.0f} s")
    return 0


def run_jobs(args: argparse.Namespace) -> int:
    """Share the examples among `args.jobs` workers (this script, one job each); stop all at a failure."""
    started = time.monotonic()
    shares = [args.examples // args.jobs + (1 if i < args.examples % args.jobs else 0) for i in range(args.jobs)]
    workers = [subprocess.Popen([sys.executable, __file__, "--examples", str(n), "--steps", str(args.steps),
                                 "--minutes", str(args.minutes), *(["--rules"] if args.rules else [])],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
               for n in shares if n]
    done = [0] * len(workers)
    failed = None
    selector = selectors.DefaultSelector()
    for i, w in enumerate(workers):
        selector.register(w.stdout, selectors.EVENT_READ, i)
    transcript: list[list[str]] = [[] for _ in workers]
    open_streams = len(workers)
    while open_streams:
        for key, _ in selector.select():
            i = key.data
            line = key.fileobj.readline()
            if not line:
                selector.unregister(key.fileobj)
                open_streams -= 1
                continue
            transcript[i].append(line)
            if line.startswith("queue model: ") and " examples, 0 failures, " in line:
                done[i] = int(line.split()[2])
                elapsed = time.monotonic() - started
                total = sum(done)
                print(f"queue model: {total} examples ({args.jobs} jobs), 0 failures, {elapsed:.0f} s "
                      f"({elapsed / total * 1000:.0f} ms per example)", flush=True)
            if "FAILURE" in line and failed is None:
                failed = i
                for other in workers:
                    if other is not workers[i]:
                        other.kill()
    codes = [w.wait() for w in workers]
    if failed is not None or any(codes):
        culprit = failed if failed is not None else next(i for i, c in enumerate(codes) if c)
        sys.stdout.write("".join(transcript[culprit]))
        print(f"queue model: FAILURE in job {culprit + 1} of {len(workers)}, after {sum(done)} examples in all")
        return 1
    print(f"queue model: {sum(done)} of {args.examples} examples ({len(workers)} jobs, at most {args.steps} steps "
          f"each), 0 failures in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
