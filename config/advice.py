"""What check-config warns about: a valid site file that is still unsafe or hard to read.

Warnings never stop the totem (exit 0); they name the key and say what to do.
"""

from __future__ import annotations

from pathlib import Path

from config.colours import WHITE, contrast, hex_colour
from config.model import Config

DEMO_TOKEN = "demo-token-change-me-0123456789"
DEMO_PINS = ("2468", "1357", "8642", "2580")  # the shipped technician, desk, manager and reception PINs
BUTTON_CONTRAST = 7.0  # the totem's target for white labels on a service colour
MIN_CONTRAST = 4.5  # WCAG 2.1 AA, the legal floor (EN 301 549)


def identity_notes(config: Config) -> list[str]:
    """An obsolete [totem] id (issue 19), and whether this device has a numbering block."""
    out = []
    device = config.device
    here = device.describe() if device else repr(config.totem.id)
    if config.totem.file_id is not None:
        out.append(f"totem.id = {config.totem.file_id!r} is obsolete and ignored: every Pi gets the same site file, "
                   "so a device's identity comes from its machine: id in /etc/totem/device.toml (written by "
                   f"install.sh --device-id NAME), else its hostname. This device is {here}. The [[totems]] "
                   "blocks stay, keyed by those device ids. Keep the line while a Pi may roll back to a release "
                   "before device identities (it requires it); delete it after")
    if config.totems and config.totem.id not in {b.id for b in config.totems}:
        out.append(f"[[totems]] has no block for this device {here}: as a totem it issues nothing (fine for "
                   "the hub's Pi); on a totem, name it after its block in /etc/totem/device.toml or add a block")
    return out


DEVICE_TREE_MODEL = Path("/proc/device-tree/model")  # "Raspberry Pi 4 Model B Rev 1.5\0" on a Pi


def raspberry_pi_model(path: Path = DEVICE_TREE_MODEL) -> str | None:
    """The board's name when this machine is a Raspberry Pi, else None."""
    try:
        model = path.read_bytes().rstrip(b"\0").decode("ascii", "replace").strip()
    except OSError:
        return None
    return model if model.startswith("Raspberry Pi") else None


def warnings(config: Config, *, pi_model: str | None = None) -> list[str]:
    """Every warning for `config`; `pi_model` (raspberry_pi_model()) adds the ones that only
    matter on the Pi itself."""
    out: list[str] = []
    if pi_model and config.printer.connection == "folder":
        out.append(f'printer.connection is "folder" on this {pi_model}: tickets are saved as files in '
                   f"{config.printer.folder} and nothing prints; set connection = "
                   '"usb" (or serial, network, file) and the printer\'s settings')
    for i, service in enumerate(config.services):
        ratio = contrast(WHITE, hex_colour(service.colour))
        if MIN_CONTRAST <= ratio < BUTTON_CONTRAST:  # under 4.5:1 the site file is refused (config.coverage)
            out.append(f"services[{i}].colour {service.colour!r} ({service.id}): white text on it is {ratio:.1f}:1, "
                       "below the totem's 7:1 target; choose a darker colour")
    if config.hub.token == DEMO_TOKEN:
        out.append("hub.token is the demo token: anyone on the LAN could issue and call tickets; "
                   "set a new one on every Pi (openssl rand -hex 16)")
    if config.totem.technician_pin in DEMO_PINS:
        out.append(f"totem.technician_pin {config.totem.technician_pin!r} is the shipped demo PIN; change it")
    manager = config.hub.manager_pin
    if manager in DEMO_PINS:
        out.append(f"hub.manager_pin {manager!r} is the shipped demo PIN; change it")
    for i, desk in enumerate(config.desks):
        if manager and desk.pin == manager:
            out.append(f"desks[{i}].pin ({desk.name}) equals hub.manager_pin: the operator could open the reports; "
                       "use different PINs")
        if desk.pin in DEMO_PINS:
            out.append(f"desks[{i}].pin {desk.pin!r} ({desk.name}) is the shipped demo PIN; change it")
        if desk.pin == config.totem.technician_pin:
            out.append(f"desks[{i}].pin ({desk.name}) equals totem.technician_pin: an operator could open the "
                       "totem's technician menu; use different PINs")
    reception = config.reception
    if reception is not None:
        if reception.pin in DEMO_PINS:
            out.append(f"reception.pin {reception.pin!r} is the shipped demo PIN; change it")
        if reception.pin in {d.pin for d in config.desks} | {manager, config.totem.technician_pin}:
            out.append("reception.pin equals another role's PIN (a desk, the manager or the technician); "
                       "use different PINs")
    for i, service in enumerate(config.services):
        if service.priority and not service.appointments:
            out.append(f"services[{i}] ({service.id}) is priority = true without appointments = true: anyone can tap "
                       "it at the totem to be called first")
    return out
