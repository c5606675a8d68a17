"""Run one `totem` command and report where its CPU went: the child process of bench_startup.

    python -X importtime tests/bench/_startup_probe.py REPORT.json [totem arguments...]

`-X importtime` times imports on the wall clock, which on a shared machine mostly measures the wait
for a core. This probe also times each import in CPU time (the importing thread's `thread_time`),
by wrapping the function every `import` statement goes through (`importlib._bootstrap._find_and_load`,
looked up by name on each import, the same place `-X importtime` measures): only the first,
outermost import of a module counts, so the total is the CPU spent importing, nested imports once.

The report (JSON): `start_cpu_ms` (the interpreter and `site`, before this file runs),
`import_cpu_ms` (every import after that, CPU), `import_cpu_to_first_ms` (those made before the
first result), `first_output_cpu_ms` (process CPU when the command
first wrote to stdout: its first result), `total_cpu_ms` (at exit), `exit` and
`modules` (each package imported at the outermost level, with its CPU ms) and `tree` (every
import: depth, name, cumulative CPU ms, in `-X importtime`'s order).
"""

from __future__ import annotations

import time

START_CPU_S = time.process_time()

import importlib._bootstrap as _bootstrap  # noqa: E402 - after the start figure, on purpose
import json  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402

_original = _bootstrap._find_and_load
_local = threading.local()
_spent_ns: dict[str, int] = {}
_first_output_s: list[float] = []


_tree: list[tuple[int, str, int]] = []  # (depth, module, cumulative CPU ns), in completion order


def _find_and_load(name, import_):  # type: ignore[no-untyped-def]
    depth = getattr(_local, "depth", 0)
    _local.depth = depth + 1
    started = time.thread_time_ns()
    try:
        return _original(name, import_)
    finally:
        _local.depth = depth
        spent = time.thread_time_ns() - started
        _tree.append((depth, name, spent))
        if depth == 0:
            root = name.partition(".")[0]
            _spent_ns[root] = _spent_ns.get(root, 0) + spent


class _FirstWrite:
    """stdout/stderr, noting the process CPU at the first thing the command writes."""

    def __init__(self, stream):  # type: ignore[no-untyped-def]
        self._stream = stream

    def write(self, text: str) -> int:
        if text and not _first_output_s:
            _first_output_s.append(time.process_time())
            _first_output_s.append(sum(_spent_ns.values()) / 1e6)
        return self._stream.write(text)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._stream, name)


def main() -> int:
    report_path, argv = sys.argv[1], sys.argv[2:]
    _bootstrap._find_and_load = _find_and_load
    sys.stdout = _FirstWrite(sys.stdout)  # type: ignore[assignment]
    code: int | str | None = 0
    try:
        from totem.cli import main as totem_main

        code = totem_main(argv)
    except SystemExit as exc:  # --help, argparse errors
        code = exc.code
    finally:
        _bootstrap._find_and_load = _original
        end = time.process_time()
        report = {"exit": code, "start_cpu_ms": START_CPU_S * 1000,
                  "import_cpu_ms": sum(_spent_ns.values()) / 1e6,
                  "first_output_cpu_ms": (_first_output_s[0] if _first_output_s else end) * 1000,
                  "import_cpu_to_first_ms": _first_output_s[1] if _first_output_s else sum(_spent_ns.values()) / 1e6,
                  "total_cpu_ms": end * 1000,
                  "modules": {k: v / 1e6 for k, v in sorted(_spent_ns.items(), key=lambda kv: -kv[1])},
                  "tree": [(depth, name, ns / 1e6) for depth, name, ns in _tree]}
        with open(report_path, "w", encoding="utf-8") as fh:
            json.dump(report, fh)
    return code if isinstance(code, int) else 2


if __name__ == "__main__":
    sys.exit(main())
