"""On an installed appliance a technician's command opens the running service's data, never a
second database (rule 9, issue 19); without the rights it says how to run it; a `folder` printer
left in a Pi's site file is warned about."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, SHIPPED, site_text

import config.loader as loader
from config import load_config
from config.advice import raspberry_pi_model, warnings


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The installed layout (/opt/totem/current, the units' state dirs), inside tmp_path."""
    release = tmp_path / "opt" / "totem" / "current"
    release.mkdir(parents=True)
    state = {"totem": tmp_path / "var/lib/totem", "hub": tmp_path / "var/lib/totem-display"}
    monkeypatch.setattr(loader, "INSTALLED_RELEASE", release)
    monkeypatch.setattr(loader, "INSTALLED_STATE", state)
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "home-state"))
    return state


def _site_without_data_dirs(tmp_path: Path) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    etc = tmp_path / "etc" / "totem"
    etc.mkdir(parents=True)
    (etc / "totem.toml").write_text(text, encoding="utf-8")
    return etc / "totem.toml"


def test_installed_layout_gives_each_role_its_units_state_directory(tmp_path: Path,
                                                                   installed: dict[str, Path]) -> None:
    config = load_config(_site_without_data_dirs(tmp_path))
    assert config.totem.data_dir == installed["totem"]  # not ~/.local/state/totem: no second database
    assert config.hub.data_dir == installed["hub"]
    assert config.printer.folder is not None and config.printer.folder.is_relative_to(installed["totem"])


def test_the_running_unit_still_wins_and_a_laptop_keeps_xdg(tmp_path: Path, installed: dict[str, Path],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    site = _site_without_data_dirs(tmp_path)
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "unit-state"))
    assert load_config(site).totem.data_dir == tmp_path / "unit-state"
    monkeypatch.delenv("STATE_DIRECTORY")
    monkeypatch.setattr(loader, "INSTALLED_RELEASE", tmp_path / "not-installed")
    assert load_config(site).totem.data_dir == tmp_path / "home-state" / "totem"


def test_the_unit_files_state_directories_are_the_ones_the_loader_knows() -> None:
    units = {name: (ROOT / "systemd" / name).read_text() for name in ("totem.service", "totem-hub.service",
                                                                       "totem-display.service")}
    assert "StateDirectory=totem\n" in units["totem.service"]
    assert loader.INSTALLED_STATE["totem"] == Path("/var/lib/totem")
    for name in ("totem-hub.service", "totem-display.service"):
        assert "StateDirectory=totem-display\n" in units[name]
    assert loader.INSTALLED_STATE["hub"] == Path("/var/lib/totem-display")
    assert all("ExecStart=/opt/totem/current/venv/bin/" in text for text in units.values())
    assert Path("/opt/totem/current") == loader.INSTALLED_RELEASE


def test_unreadable_site_file_says_how_to_run_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """The installed site file is 0640 root:totem: anyone else gets how to run it, in one line
    (tests/test_install_debian.py does it for real, as an unprivileged user)."""
    from totem.cli import main

    site = tmp_path / "totem.toml"
    site.write_text(site_text(tmp_path), encoding="utf-8")

    def denied(path: object, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(loader, "open", denied, raising=False)  # as for a user outside group totem
    assert main(["status", "--config", str(site)]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [f"{site}: cannot read file: Permission denied (run it with sudo, or as a "
                                        "member of group totem)"]


def test_folder_printer_on_a_pi_is_warned(tmp_path: Path) -> None:
    config = load_config(SHIPPED)
    model = tmp_path / "model"
    model.write_bytes(b"Raspberry Pi 4 Model B Rev 1.5\0")
    pi = raspberry_pi_model(model)
    assert pi == "Raspberry Pi 4 Model B Rev 1.5"
    warned = [w for w in warnings(config, pi_model=pi) if w.startswith("printer.connection")]
    assert len(warned) == 1 and '"folder" on this Raspberry Pi 4' in warned[0] and 'connection = "usb"' in warned[0]
    assert not [w for w in warnings(config) if w.startswith("printer.connection")]  # a laptop: the demo's printer
    model.write_bytes(b"QEMU Virtual Machine\0")
    assert raspberry_pi_model(model) is None and raspberry_pi_model(tmp_path / "absent") is None
    usb = config.printer.__class__(**{**config.printer.__dict__, "connection": "usb"})
    assert not [w for w in warnings(config.__class__(**{**config.__dict__, "printer": usb}), pi_model=pi)
                if w.startswith("printer.connection")]
