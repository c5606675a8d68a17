"""`totem-display pair | consoles | unpair`: the technician pairs consoles to the hub (issue 24).

They act on the running hub's own registry (`consoles.json` in the hub's data directory,
rule 9): the hub sees a new code or an unpaired device at its next request, without a
restart. Run by hand on the Pi (no systemd STATE_DIRECTORY), the data directory of the
installed service, /var/lib/totem-display, is used when it holds the hub's database and
the site file's own does not. Exit 0 done, 2 a bad argument (named), 5 no such device,
6 the registry cannot be written (run with sudo).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path

from config.model import Config
from display.consoles import BOUND_TO_DESK, CODE_TTL_S, DeviceRegistry, PairingRefused
from display.queue import QueueStore

SERVICE_DATA_DIR = Path("/var/lib/totem-display")  # systemd's StateDirectory of the hub units


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("pair", help="a one-time code (and link) pairing one browser to a console")
    p.add_argument("role", choices=("desk", "reception", "manager", "vote"),
                   help="the console this browser opens (vote: the desk-side satisfaction tablet)")
    p.add_argument("desk", nargs="?", default="", help="the desk id (roles desk and vote only)")
    p.add_argument("--label", default="", help="a note to recognise the device later (\"PC sportello 1\")")
    p.add_argument("--valid-min", type=int, default=round(CODE_TTL_S / 60), help="minutes the code stays valid")
    c = sub.add_parser("consoles", help="the paired console browsers (id, console, label, when)")
    u = sub.add_parser("unpair", help="unpair one device: its sessions end at once")
    u.add_argument("device_id", help="the id `consoles` lists")
    for each in (p, c, u):  # after the command too, as backup/restore
        each.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="site file (TOML)")


def base_url(config: Config) -> str:
    """Where a console opens the hub: the hub's address for the totems, or its listen address."""
    if config.hub.url:
        return config.hub.url.rstrip("/")
    host = "127.0.0.1" if config.hub.listen_host in ("0.0.0.0", "::") else config.hub.listen_host
    return f"http://{host}:{config.hub.listen_port}"


def hub_data_dir(config: Config, *, service_dir: Path = SERVICE_DATA_DIR) -> Path:
    """The running hub's data directory: the site file's, unless only the installed service's
    holds a hub database (a technician's shell has no STATE_DIRECTORY)."""
    own = Path(config.hub.data_dir)
    if (own / QueueStore.FILENAME).exists() or os.environ.get("STATE_DIRECTORY"):
        return own
    if (service_dir / QueueStore.FILENAME).exists():
        return service_dir
    return own


def run(config: Config, args: argparse.Namespace) -> int:
    try:
        return _run(config, args)
    except OSError as exc:
        print(f"totem-display {args.command}: cannot use the device registry in {hub_data_dir(config)}: "
              f"{exc.strerror or exc} (run it with sudo, as the technician)", file=sys.stderr)
        return 6


def _run(config: Config, args: argparse.Namespace) -> int:
    registry = DeviceRegistry(hub_data_dir(config))
    if args.command == "pair":
        if args.role in BOUND_TO_DESK and config.desk(args.desk) is None:
            desks = ", ".join(d.id for d in config.desks)
            print(f"totem-display pair: desk: {args.desk!r} is not a desk of the site file ({desks})", file=sys.stderr)
            return 2
        if not 1 <= args.valid_min <= 24 * 60:
            print(f"totem-display pair: --valid-min: 1-1440 minutes (got {args.valid_min})", file=sys.stderr)
            return 2
        try:
            code = registry.new_code(args.role, args.desk if args.role in BOUND_TO_DESK else "", label=args.label,
                                     ttl_s=args.valid_min * 60)
        except PairingRefused as exc:
            print(f"totem-display pair: {exc}", file=sys.stderr)
            return 2
        what = f"{args.role} {args.desk}" if args.role in BOUND_TO_DESK else args.role
        print(f"pairing code for {what}: {code} (one device, valid {args.valid_min} min)")
        print(f"open on that device: {base_url(config)}/pair#{code}")
        return 0
    if args.command == "consoles":
        devices = registry.devices()
        for d in devices:
            when = datetime.fromtimestamp(d.paired_at).strftime("%Y-%m-%d %H:%M")
            print(f"{d.id}  {d.console:<12} paired {when}  {d.label}")
        if not devices:
            print("no paired console")
        return 0
    gone = registry.revoke(args.device_id)
    if gone is None:
        print(f"totem-display unpair: no paired browser {args.device_id!r} (see totem-display consoles)",
              file=sys.stderr)
        return 5
    print(f"unpaired {gone.id} ({gone.console}): its sessions ended")
    return 0
