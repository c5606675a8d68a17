"""Which device this is (issue 19, DESIGN.md rule 9): from the machine, never from the site file,
so one site file copied to every Pi is safe.

- its id (the name the hub and the desk console show, and the key of its [[totems]] block):
  `id` in /etc/totem/device.toml (written by the installer's `--device-id`), else the
  machine's hostname, lower-cased, up to the first dot;
- its machine key: /etc/machine-id (unique per installed system), so two Pis that claim
  one id are told apart: the hub refuses the later one (display.devices).

`TOTEM_DEVICE_FILE` and `TOTEM_MACHINE_ID_FILE` point elsewhere (tests, a second instance).
"""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

from config.errors import ConfigError, Problem
from config.frozen import frozen

if sys.version_info >= (3, 11):  # noqa: UP036 - tomli kept for older Pythons, as the brief asks
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEVICE_FILE = Path("/etc/totem/device.toml")
MACHINE_ID_FILES = (Path("/etc/machine-id"), Path("/var/lib/dbus/machine-id"))
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


@frozen
class Device:
    id: str
    machine: str  # the machine key (/etc/machine-id), or "host:<hostname>" when the system has none
    hostname: str
    source: str  # where the id comes from, for messages: "/etc/totem/device.toml" or "hostname"

    def describe(self) -> str:
        return f"{self.id!r} (from {self.source}; host {self.hostname}, machine {self.machine[:8]})"


def id_from_hostname(hostname: str) -> str:
    """'Totem-Ingresso.local' -> 'totem-ingresso'; characters an id cannot have become '-'."""
    name = re.sub(r"[^a-z0-9_-]", "-", hostname.split(".")[0].lower()).strip("-_")[:32]
    return name or "totem"


def this_device(env: Mapping[str, str] = os.environ) -> Device:
    """This machine's identity; `ConfigError` naming the device file and key when it is wrong."""
    hostname = socket.gethostname()
    path = Path(env.get("TOTEM_DEVICE_FILE") or DEVICE_FILE)
    machine = _machine_key(env, hostname)
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        return Device(id_from_hostname(hostname), machine, hostname, "hostname")
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(str(path), [Problem("", f"cannot read the device file: {exc}", has_got=False)]) from None
    value = raw.get("id")
    unknown = sorted(set(raw) - {"id"})
    problems = []
    if not isinstance(value, str) or not ID_RE.match(value):
        problems.append(Problem("id", "must be this device's name: lowercase letters, digits, '-' or '_' "
                                "(up to 32), e.g. id = \"totem-ingresso\"", value))
    if unknown:
        problems.append(Problem(unknown[0], "unknown key (the device file holds only id)", unknown[0]))
    if problems:
        raise ConfigError(str(path), problems)
    return Device(str(value), machine, hostname, str(path))


def _machine_key(env: Mapping[str, str], hostname: str) -> str:
    override = env.get("TOTEM_MACHINE_ID_FILE")
    for path in ([Path(override)] if override else MACHINE_ID_FILES):
        try:
            key = path.read_text(encoding="ascii", errors="replace").strip()
        except OSError:
            continue
        if key:
            return key
    return f"host:{hostname}"
