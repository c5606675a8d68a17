"""python-escpos's printer database comes from our kept pickle, not from a YAML parse per process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import PYPATH, ROOT

from config.escpos_profiles import capabilities, capabilities_path

PROBE = ("import printer.escpos_render, escpos.capabilities as c, json, sys; "
         "json.dump({'full_load': c.full_load, 'dir': c.pickle_dir, 'profiles': len(c.CAPABILITIES['profiles'])}, "
         "sys.stdout)")


def probe(env: dict[str, str]) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, env=env,
                         timeout=60, check=True)
    return json.loads(out.stdout)


def test_escpos_loads_the_kept_pickle_in_every_process(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ESCPOS_CAPABILITIES_PICKLE_DIR", "CACHE_DIRECTORY")}
    env.update(PYTHONPATH=PYPATH, XDG_CACHE_HOME=str(tmp_path / "cache"))
    first, second = probe(env), probe(env)
    kept = str(tmp_path / "cache" / "totem" / "escpos")
    # escpos parses its YAML only when it finds no pickle newer than the JSON: never, with ours there
    assert first == second == {"full_load": False, "dir": kept, "profiles": len(capabilities()["profiles"])}
    assert len(list(Path(kept).glob("*.capabilities.pickle"))) == 1


def test_systemd_cache_directory_is_preferred_and_a_technician_choice_kept(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env.update(PYTHONPATH=PYPATH, CACHE_DIRECTORY=str(tmp_path / "unit"), XDG_CACHE_HOME=str(tmp_path / "xdg"))
    assert probe(env)["dir"] == str(tmp_path / "unit" / "escpos")
    chosen = tmp_path / "chosen"
    chosen.mkdir()
    env["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(chosen)
    assert probe(env)["dir"] == str(chosen)


def test_an_unwritable_cache_leaves_escpos_to_itself(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    env = {k: v for k, v in os.environ.items() if k not in ("ESCPOS_CAPABILITIES_PICKLE_DIR", "CACHE_DIRECTORY")}
    env.update(PYTHONPATH=PYPATH, XDG_CACHE_HOME=str(blocker), HOME=str(blocker))
    result = probe(env)
    assert result["full_load"] is True and result["profiles"] == len(capabilities()["profiles"])


def test_the_profile_check_reads_the_same_database_as_escpos() -> None:
    assert capabilities_path().name == "capabilities.json"
    assert "TM-T20II" in capabilities()["profiles"]
