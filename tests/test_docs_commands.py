"""Every command in docs/INSTALL.md and docs/TECHNICIAN.md is run, as written, by the install test
or a script (issue 19: "docs true on a Pi"), or is listed here with why it cannot run off a Pi."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

DOCS = [ROOT / "docs" / "INSTALL.md", ROOT / "docs" / "TECHNICIAN.md"]
# Where the docs' commands run as written.
RUNNERS = [ROOT / "tests" / "test_install_debian.py", ROOT / "scripts" / "verify-arm64"]
# Commands that need the real thing: each with the reason.
KNOWN = {
    "journalctl -u totem -f": "the journal of a booted systemd (a chroot has none)",
    "journalctl -u totem-display -f": "the journal of a booted systemd (a chroot has none)",
    "journalctl -u totem --since today -p warning": "the journal of a booted systemd (a chroot has none)",
}


def commands(path) -> list[str]:  # type: ignore[no-untyped-def]
    """The lines of the ```sh blocks, without their trailing comments."""
    out = []
    for block in re.findall(r"^```sh\n(.*?)^```", path.read_text(encoding="utf-8"), flags=re.S | re.M):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                out.append(line)
    return out


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_documented_command_is_run_or_known(doc) -> None:  # type: ignore[no-untyped-def]
    found = commands(doc)
    assert len(found) >= 8, found  # the parser found the blocks
    runners = "\n".join(p.read_text(encoding="utf-8") for p in RUNNERS)
    unrun = [c for c in found if c not in runners and c not in KNOWN]
    assert not unrun, f"{doc.name}: commands no test or script runs as written: {unrun}"


def test_docs_do_not_send_the_technician_to_the_old_layout() -> None:
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for stale in ("/opt/totem/venv", "git clone <this repository>", "sqlite3 /var/lib", "sudo -u totem"):
            assert stale not in text, f"{doc.name} still says {stale!r}"
