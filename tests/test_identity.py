"""One site file for every Pi (issue 19): a device's identity comes from its machine (hostname
or /etc/totem/device.toml, and /etc/machine-id), never from the shared file.

The acceptance: two "machines" (separate UTS and mount namespaces made with `unshare`, each with
its own hostname, /etc/machine-id and disk under the same data path) run `totem issue` with a
byte-identical site file against one real hub: 40 distinct codes; or, when both claim one id,
the second refuses with a message naming the first; never a duplicate."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from conftest import PYPATH, ROOT, site_text, write_site

from config import load_config
from config.identity import id_from_hostname, this_device
from display.server import HubServer
from totem.errors import ConfigError

BLOCKS = ('[[totems]]\nid = "pi-ingresso"\nnumbers = [1, 349]\n[[totems]]\nid = "pi-sala"\nnumbers = [350, 699]\n'
          '[[totems]]\nid = "raspberrypi"\nnumbers = [700, 799]\n')


def can_make_machines() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--uts", "--mount", "--propagation", "private", "true"], capture_output=True,
                           timeout=10)
    return probe.returncode == 0


machines = pytest.mark.skipif(not can_make_machines(), reason="needs root and unshare (CI runs as root)")


class Machine:
    """A Pi of its own: hostname, machine-id and the disk behind the site file's data_dir."""

    def __init__(self, root: Path, hostname: str, machine_id: str, state: Path) -> None:
        self.hostname = hostname
        self.disk = root / hostname / machine_id[:4]
        self.disk.mkdir(parents=True)
        (self.disk / "machine-id").write_text(machine_id + "\n")
        self.state = state

    def command(self, *python_args: str) -> list[str]:
        script = (f"hostname {self.hostname} && mount --bind {self.disk / 'machine-id'} /etc/machine-id && "
                  f"mount --bind {self.disk} {self.state} && exec \"$0\" \"$@\"")
        return ["unshare", "--uts", "--mount", "--propagation", "private", "sh", "-c", script, sys.executable,
                *python_args]

    @staticmethod
    def env() -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("TOTEM_DEVICE_FILE", "TOTEM_MACHINE_ID_FILE")}
        return env | {"PYTHONPATH": PYPATH}

    def totem(self, *args: str) -> subprocess.CompletedProcess[str]:
        """One `totem` command run on this machine."""
        return subprocess.run(self.command("-m", "totem", *args), env=self.env(), cwd=ROOT, capture_output=True,
                              text=True, timeout=60)

    def issuing(self, count: int, *args: str) -> subprocess.Popen[str]:
        """`totem issue ARGS` `count` times on this machine, through the command's own entry point in one
        interpreter (what a second `totem issue` would do, without paying Python's start-up each time)."""
        loop = ("import sys\nfrom totem.cli import main\n"
                f"for _ in range({count}): print('exit', main({list(args)!r}), flush=True)\n")
        return subprocess.Popen(self.command("-c", loop), env=self.env(), cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)


def shared_site(tmp_path: Path, hub_url: str) -> Path:
    """The one site file every Pi gets: same bytes, same data path (each machine mounts its own disk there)."""
    text = site_text(tmp_path / "pi", always_open=True, extra={"min_interval_s = 2": "min_interval_s = 0"})
    text = re.sub(r'\[\[totems\]\]\nid = "totem-1"\nnumbers = \[1, 799\][^\n]*\n', BLOCKS, text, count=1)
    assert "pi-ingresso" in text
    text = text.replace('url = "http://127.0.0.1:9"', f'url = "{hub_url}"', 1)
    (tmp_path / "pi" / "data").mkdir(parents=True)
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def hub_codes(hub: HubServer) -> list[tuple[str, str]]:
    with sqlite3.connect(hub.store.path) as db:
        return db.execute("SELECT code, totem FROM tickets WHERE status != 'void' ORDER BY code").fetchall()


@machines
def test_two_machines_one_site_file_forty_distinct_codes(tmp_path: Path) -> None:
    with HubServer(load_config(write_site(tmp_path / "hub", always_open=True)), port=0) as hub:
        site = shared_site(tmp_path, hub.url)
        state = tmp_path / "pi" / "data"
        a = Machine(tmp_path / "disks", "pi-ingresso", "a" * 32, state)
        b = Machine(tmp_path / "disks", "pi-sala", "b" * 32, state)
        printed: list[str] = []
        running = [m.issuing(20, "issue", "uffici", "--config", str(site)) for m in (a, b)]  # both at once
        for proc in running:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            lines = out.split("\n")
            assert lines.count("exit 0") == 20, out + err
            printed += [line for line in lines if line and not line.startswith("exit")]
        assert len(printed) == 40 and len(set(printed)) == 40
        codes = hub_codes(hub)
        assert len(codes) == 40 and len({c for c, _ in codes}) == 40
        assert {t for _, t in codes} == {"pi-ingresso", "pi-sala"}
        assert sorted(printed) == sorted(c for c, _ in codes)
        assert not list(state.iterdir())  # each machine wrote on its own disk, none on the shared path


@machines
def test_a_second_machine_with_the_same_name_is_refused_and_listed_apart(tmp_path: Path) -> None:
    with HubServer(load_config(write_site(tmp_path / "hub", always_open=True)), port=0) as hub:
        site = shared_site(tmp_path, hub.url)
        state = tmp_path / "pi" / "data"
        first = Machine(tmp_path / "disks", "raspberrypi", "1" * 32, state)
        second = Machine(tmp_path / "disks", "raspberrypi", "2" * 32, state)  # the default name, twice
        printed = []
        for _ in range(3):
            out = first.totem("issue", "uffici", "--config", str(site))
            assert out.returncode == 0, out.stderr
            printed.append(out.stdout.strip())
            refused = second.totem("issue", "uffici", "--config", str(site))
            assert refused.returncode == 12 and not refused.stdout.strip(), refused.stdout
            assert "'raspberrypi' is already used by another machine" in refused.stderr
            assert "host raspberrypi, machine 11111111" in refused.stderr  # names the other device
            assert "/etc/totem/device.toml" in refused.stderr and "Traceback" not in refused.stderr
        assert len(set(printed)) == 3
        codes = hub_codes(hub)
        assert sorted(c for c, _ in codes) == sorted(printed)  # never a duplicate
        assert not list(second.disk.rglob("*.escpos"))  # nothing printed on the refused machine
        status = second.totem("status", "--config", str(site))
        assert "OUT OF SERVICE" in status.stdout and "already used by another machine" in status.stdout
        fleet = requests.get(hub.url + "/api/fleet", timeout=5, headers={
            "Authorization": "Bearer demo-token-change-me-0123456789"}).json()["devices"]
        mine = [d for d in fleet if d["id"] == "raspberrypi"]
        assert len(mine) == 2  # two devices, not one merged entry
        assert [d["fault"] for d in mine].count(None) == 1
        assert any("already used" in (d["fault"] or "") for d in mine)


def test_identity_from_the_device_file_else_the_hostname(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "machine-id").write_text("cafe" * 8 + "\n")
    monkeypatch.setenv("TOTEM_MACHINE_ID_FILE", str(tmp_path / "machine-id"))
    monkeypatch.setenv("TOTEM_DEVICE_FILE", str(tmp_path / "device.toml"))
    monkeypatch.setattr("socket.gethostname", lambda: "Totem-Ingresso.local")
    device = this_device()
    assert (device.id, device.source, device.machine) == ("totem-ingresso", "hostname", "cafe" * 8)
    (tmp_path / "device.toml").write_text('id = "totem-2"\n')
    assert this_device().id == "totem-2" and this_device().source == str(tmp_path / "device.toml")
    (tmp_path / "device.toml").write_text('id = "Totem 2"\ncolour = 1\n')
    with pytest.raises(ConfigError) as caught:
        this_device()
    lines = str(caught.value).splitlines()
    assert any(line.startswith(f"{tmp_path / 'device.toml'}: id: must be") for line in lines)
    assert any("colour: unknown key" in line for line in lines)
    assert id_from_hostname("raspberrypi") == "raspberrypi" and id_from_hostname("...") == "totem"


def test_check_config_says_the_totem_id_key_is_obsolete(tmp_path: Path) -> None:
    """An existing site file keeps working and says what changed, naming the key."""
    old = write_site(tmp_path, extra={"[totem]\n": '[totem]\nid = "totem-1"\n'})
    out = subprocess.run([sys.executable, "-m", "totem", "check-config", str(old)], env=dict(
        os.environ, PYTHONPATH=PYPATH), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    warning = next(line for line in out.stdout.splitlines() if "totem.id" in line)
    assert "obsolete and ignored" in warning and "/etc/totem/device.toml" in warning and "hostname" in warning
    assert "this device: 'totem-1'" in out.stdout and "numbers 1-799" in out.stdout


def test_a_refused_kiosk_is_out_of_service_and_prints_nothing(tmp_path: Path) -> None:
    """The kiosk whose id the hub gave to another machine: Out of service with its reason,
    a tap issues nothing; the next accepting answer (after forget-device) brings it back."""
    from conftest import rome
    from kiosk_harness import kiosk, pump, tap

    from totem.clock import FrozenClock
    from totem.standing import DeviceStanding
    from totem.store import TicketStore
    from totem.ui.events import Screen

    site = write_site(tmp_path, always_open=True, extra={"min_interval_s = 2": "min_interval_s = 0"})
    config = load_config(site)
    with TicketStore.in_dir(config.totem.data_dir) as store:
        DeviceStanding(config, store).answered(store, refused="device id 'totem-1' is already used by another machine")
    with kiosk(site, FrozenClock(rome(2026, 12, 1, 10, 0))) as app:
        assert app.screen is Screen.OUT and app.device_problem and "already used" in app.device_problem
        tap(app, (app.size[0] // 2, app.size[1] // 2))
        pump(app, lambda: app.screen is Screen.OUT)
        standing = app.services.issuer.standing
        with TicketStore.in_dir(config.totem.data_dir) as store:
            assert store.counts(rome(2026, 12, 1).date()) == {}  # nothing issued
            standing.answered(store, refused=None)  # the hub accepts it again
        pump(app, lambda: app.screen is Screen.HOME)
