"""Codes unique across a site: each totem numbers inside its own block, offline."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from conftest import PYPATH, ROOT, rome, site_text

from config import load_config
from display.server import HubServer
from totem.clock import FrozenClock
from totem.errors import NumbersExhausted
from totem.issuing import Issuer
from totem.store import TicketStore

BLOCKS = ('[[totems]]\nid = "totem-1"\nnumbers = [1, 499]\n\n'
          '[[totems]]\nid = "totem-2"\nnumbers = [500, 999]\n\n[printer]')


def without_reception(text: str) -> str:
    """The shipped file without its numbering blocks and reception point: these tests bring their own."""
    text = text[:text.index("# A second totem:")] + text[text.index("[printer]"):]
    text = text[:text.index("[reception]")] + text[text.index("# Optional: status LED"):]
    return text.replace("appointments = true", "appointments = false")


def totem_site(tmp_path: Path, totem_id: str, blocks: str = BLOCKS) -> Path:
    """The site file (state in a folder of its own) on a machine named `totem_id`: its device
    file is device.toml beside it, which `load_config` reads once `on_device` points there."""
    folder = tmp_path / totem_id
    text = site_text(folder, always_open=True, extra={"min_interval_s = 2": "min_interval_s = 0"})
    text = without_reception(text).replace("\n[printer]", "\n" + blocks, 1)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "site.toml"
    path.write_text(text, encoding="utf-8")
    (folder / "device.toml").write_text(f'id = "{totem_id}"\n', encoding="utf-8")
    os.environ["TOTEM_DEVICE_FILE"] = str(folder / "device.toml")
    return path


@pytest.fixture(autouse=True)
def _device_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's machine identity (totem_site sets it) ends with the test."""
    monkeypatch.setenv("TOTEM_DEVICE_FILE", os.environ["TOTEM_DEVICE_FILE"])


def test_two_totems_in_one_site_file_never_repeat_a_code(tmp_path: Path) -> None:
    clock = FrozenClock(rome(2026, 12, 1, 10, 0))
    codes: list[str] = []
    for totem_id in ("totem-1", "totem-2"):
        config = load_config(totem_site(tmp_path, totem_id))
        with TicketStore.in_dir(config.totem.data_dir) as store:
            issuer = Issuer(config=config, store=store, clock=clock)
            codes += [issuer.issue("lavoro").code for _ in range(3)]
    assert codes == ["G001", "G002", "G003", "G500", "G501", "G502"]


def test_a_block_ends_with_a_clear_error_not_a_repeat(tmp_path: Path) -> None:
    blocks = BLOCKS.replace("[1, 499]", "[1, 2]")
    config = load_config(totem_site(tmp_path, "totem-1", blocks))
    with TicketStore.in_dir(config.totem.data_dir) as store:
        issuer = Issuer(config=config, store=store, clock=FrozenClock(rome(2026, 12, 1, 10, 0)))
        assert [issuer.issue("uffici").code for _ in range(2)] == ["A001", "A002"]
        with pytest.raises(NumbersExhausted, match="every number up to 2"):
            issuer.issue("uffici")
        assert issuer.issue("sanita").code == "E001"  # other services go on


@pytest.mark.parametrize(("blocks", "named"), [
    (BLOCKS.replace("[500, 999]", "[499, 999]"), "totems[1].numbers: overlaps totems[0] (totem-1: 1-499)"),
    (BLOCKS.replace('"totem-2"', '"totem-1"'), "totems[1].id: duplicate totem id"),
    (BLOCKS.replace("[1, 499]", "[0, 499]"), "totems[0].numbers: must be [first, last]"),
])
def test_check_config_rejects_overlaps(tmp_path: Path, blocks: str, named: str) -> None:
    path = totem_site(tmp_path, "totem-1", blocks)
    result = subprocess.run([sys.executable, "-m", "totem", "check-config", str(path)], capture_output=True,
                            text=True, cwd=ROOT, timeout=60, env=dict(os.environ, PYTHONPATH=PYPATH))
    assert result.returncode == 2 and named in result.stderr + result.stdout, result.stderr


def test_a_device_without_a_block_is_valid_for_the_hub_but_issues_nothing(tmp_path: Path) -> None:
    """The same file is on the hub's Pi, whose name has no block: check-config says so (exit 0),
    and as a totem that device refuses every ticket with what to do (exit 12), printing nothing."""
    path = totem_site(tmp_path, "display-pi")
    env = dict(os.environ, PYTHONPATH=PYPATH)
    result = subprocess.run([sys.executable, "-m", "totem", "check-config", str(path)], capture_output=True,
                            text=True, cwd=ROOT, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert "this device: 'display-pi'" in result.stdout and "no block for this device" in result.stdout
    result = subprocess.run([sys.executable, "-m", "totem", "issue", "lavoro", "--config", str(path)],
                            capture_output=True, text=True, cwd=ROOT, timeout=60, env=env)
    assert result.returncode == 12 and "no block for it" in result.stderr and "device.toml" in result.stderr
    assert not list((tmp_path / "display-pi").rglob("*.escpos"))


def test_hub_flags_a_code_collision_instead_of_hiding_it(tmp_path: Path) -> None:
    """Two totems numbering alike (no [[totems]] blocks): both tickets are queued, both flagged."""
    config = load_config(totem_site(tmp_path, "totem-1", "[printer]"))
    auth = {"Authorization": "Bearer demo-token-change-me-0123456789"}
    with HubServer(config, port=0, clock=FrozenClock(rome(2026, 12, 1, 10, 0))) as hub:
        for totem in ("totem-1", "totem-2"):
            body = {"id": str(uuid.uuid4()), "code": "G001", "service": "lavoro", "number": 1,
                    "issued_at": rome(2026, 12, 1, 9, 59).isoformat(), "totem": totem}
            assert requests.post(hub.url + "/api/tickets", json=body, headers=auth, timeout=5).status_code == 201
        state = requests.get(hub.url + "/api/state", timeout=5).json()
        assert sorted((t["code"], t["totem"], t["flags"]) for t in state["flagged"]) == [
            ("G001", "totem-1", ["collision"]), ("G001", "totem-2", ["collision"])]
        lavoro = next(s for s in state["services"] if s["id"] == "lavoro")
        assert lavoro["waiting"] == 2 and all(q["flags"] == ["collision"] for q in lavoro["queue"])


def test_fingerprint_tells_a_different_site_file_from_per_pi_lines(tmp_path: Path) -> None:
    base = load_config(totem_site(tmp_path / "a", "totem-1", "[printer]"))
    per_pi = load_config(totem_site(tmp_path / "b", "totem-2", "[printer]"))
    other = without_reception(site_text(tmp_path / "c", always_open=True)).replace(
        'label.it = "Servizi sanitari"', 'label.it = "Sanità"')
    (tmp_path / "c").mkdir(parents=True, exist_ok=True)
    (tmp_path / "c" / "site.toml").write_text(other, encoding="utf-8")
    changed = load_config(tmp_path / "c" / "site.toml")
    assert base.fingerprint() == per_pi.fingerprint()  # another totem id, another data dir: same site
    assert base.fingerprint() != changed.fingerprint()
    auth = {"Authorization": "Bearer demo-token-change-me-0123456789"}
    with HubServer(base, port=0, clock=FrozenClock(rome(2026, 12, 1, 10, 0))) as hub:
        health = {"printer": "ready", "backlog": 0, "version": "0.1.0", "set_aside": 1,
                  "fingerprint": changed.fingerprint()}
        assert requests.post(hub.url + "/api/totems/totem-2/status", json=health, headers=auth,
                             timeout=5).status_code == 200
        state = requests.get(hub.url + "/api/state", timeout=5).json()
        [totem] = state["totems"]
        assert state["fingerprint"] == base.fingerprint() != totem["fingerprint"] and totem["set_aside"] == 1
