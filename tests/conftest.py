from __future__ import annotations

import atexit
import os
import re
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parent.parent
# For child processes: the checkout first, then whatever the run added (.ci/run's faketime shim).
PYPATH = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
SHIPPED = ROOT / "config" / "comune-amico.toml"
ROME = ZoneInfo("Europe/Rome")
sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))

# This machine is "totem-1", the shipped file's first [[totems]] block, for every test and its child
# processes (a device's identity comes from the machine: config.identity); tests of identity set their own.
_DEVICE = Path(tempfile.gettempdir()) / f"totem-test-device-{os.getpid()}.toml"
_DEVICE.write_text('id = "totem-1"\n', encoding="utf-8")
os.environ["TOTEM_DEVICE_FILE"] = str(_DEVICE)
atexit.register(_DEVICE.unlink, missing_ok=True)
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


def rome(*args: int) -> datetime:
    return datetime(*args, tzinfo=ROME)


def site_text(tmp_path: Path, *, always_open: bool = False, never_open: bool = False,
              extra: dict[str, str] | None = None) -> str:
    """The shipped site file, with state inside tmp_path and optional line replacements."""
    text = SHIPPED.read_text(encoding="utf-8")
    data = tmp_path / "data"
    text = text.replace("[totem]\n", f'[totem]\ndata_dir = "{data}"\n', 1)
    text = text.replace("[hub]\n", f'[hub]\ndata_dir = "{tmp_path / "hub"}"\n', 1)
    if always_open:
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
            text = re.sub(rf"^{day} = .*$", f'{day} = ["00:00-24:00"]', text, flags=re.M)
        text = text.replace("last_ticket_before_close_min = 10", "last_ticket_before_close_min = 0")
        text = text.replace('holidays_country = "IT"', 'holidays_country = ""')
    if never_open:
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday"):
            text = re.sub(rf"^{day} = .*$", f"{day} = []", text, flags=re.M)
    for old, new in (extra or {}).items():
        assert old in text, f"test setup: {old!r} not in the shipped config"
        text = text.replace(old, new, 1)
    # Never the demo's hub on 8080 (rule 8): a test that wants a hub starts one on port 0 and
    # says where; every other test pushes to the discard port, where nothing listens.
    text = text.replace('url = "http://127.0.0.1:8080"', 'url = "http://127.0.0.1:9"', 1)
    return text


def write_site(tmp_path: Path, **kwargs: object) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "site.toml"
    path.write_text(site_text(tmp_path, **kwargs), encoding="utf-8")  # type: ignore[arg-type]
    return path


@pytest.fixture
def site_path(tmp_path: Path) -> Path:
    return write_site(tmp_path)


@pytest.fixture
def open_site_path(tmp_path: Path) -> Path:
    """A site open around the clock, no anti-spam: for numbering and crash tests."""
    return write_site(tmp_path, always_open=True, extra={"min_interval_s = 2": "min_interval_s = 0"})


HUB_NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ROME)  # the frozen clock of the shared hub fixture


@pytest.fixture
def config(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The shipped site file, its state in tmp_path (modules may define their own)."""
    from config import load_config

    return load_config(write_site(tmp_path))


@pytest.fixture
def hub(config):  # type: ignore[no-untyped-def]
    """A real hub on 127.0.0.1, port 0, on a frozen clock (modules may define their own)."""
    from display.server import HubServer
    from totem.clock import FrozenClock

    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as server:
        yield server
