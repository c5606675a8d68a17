"""A fork server for crash tests: imports the totem once, then runs each `totem issue` as a
real process of its own (a fork that calls the CLI's main), so a test can SIGKILL 150 of
them in seconds instead of paying the interpreter's start 150 times.

    python issue_forker.py ARGS...       (ARGS: the `totem` command line, e.g. issue uffici --config X)
stdin, one command a line:  "go" -> forks one run, prints its pid;
                            "wait PID" -> waits for it, prints its exit status (or -signal).
A child is reaped only on "wait", so its pid cannot be reused before the test has killed it.
"""

from __future__ import annotations

import os
import sys

import requests  # noqa: F401

import printer.ticket_printer  # noqa: F401  (imported once, before forking)
from totem import cli, commands  # noqa: F401


def main() -> None:
    argv = sys.argv[1:]
    for line in sys.stdin:
        word, _, arg = line.strip().partition(" ")
        if word == "go":
            pid = os.fork()
            if pid == 0:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                code = 1
                try:
                    code = cli.main(argv)
                finally:
                    os._exit(code)
            print(pid, flush=True)
        elif word == "wait":
            _, status = os.waitpid(int(arg), 0)
            print(-os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status), flush=True)


if __name__ == "__main__":
    main()
