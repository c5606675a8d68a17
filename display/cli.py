"""`totem-display`: the hub, with the waiting-room call screen unless --no-screen."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from contextlib import ExitStack

from config import load_config
from config.errors import BackupError, ConfigError, StoreError
from config.model import Config
from totem import __version__, logs
from totem.sdnotify import Notifier

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="totem-display", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="The hub (queue, HTTP API, desk console) and the waiting-room call screen.",
        epilog="exit codes: 0 stopped, 1 internal error, 2 invalid/missing config (or a bad argument), 3 cannot\n"
               "listen, 4 the queue database cannot be opened (see --repair-db), 5 unpair: no such device,\n"
               "6 pair/consoles/unpair: the device registry cannot be written (run with sudo),\n"
               "7 push-keys: keys exist already (--force replaces them)\n"
               "config lookup: --config, else $TOTEM_CONFIG, else /etc/totem/totem.toml")
    parser.add_argument("--config", metavar="PATH", help="site file (TOML)")
    parser.add_argument("--no-screen", action="store_true", help="run the hub only, without the call screen")
    parser.add_argument("--always-open", action="store_true",
                        help="the reception point issues tickets outside opening hours (demo, installation)")
    parser.add_argument("--repair-db", action="store_true",
                        help="move an unreadable queue database aside and exit (technician action)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--version", action="version", version=f"totem-display {__version__}")
    from display import pairing_cli, report_cli

    sub = parser.add_subparsers(dest="command",
                                metavar="{report,backup,restore,forget-device,pair,consoles,unpair,push-keys}")
    report_cli.add_parser(sub)
    p = sub.add_parser("backup", help="copy every database of this Pi into DIR (safe while the hub runs)")
    p.add_argument("dir", metavar="DIR", help="a new directory (a USB stick, /var/backups/totem/...)")
    p.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="site file (TOML)")
    p = sub.add_parser("restore", help="put the databases of a backup DIR back (stop the hub first)")
    p.add_argument("dir", metavar="DIR", help="a directory made by `backup`")
    p.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="site file (TOML)")
    p = sub.add_parser("forget-device", help="forget the machines seen with a device id (a replaced Pi): "
                                             "the next one to report holds it")
    p.add_argument("device", metavar="ID", help="the device id the fleet page and the refusal name")
    p.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="site file (TOML)")
    pairing_cli.add_parsers(sub)
    p = sub.add_parser("push-keys", help="make the hub's Web Push (VAPID) keys, once, for [hub] web_push (issue 22)")
    p.add_argument("--force", action="store_true", help="replace existing keys (ends every open subscription)")
    p.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="site file (TOML)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure(args.verbose)
    _raise_open_file_limit()
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    from display.server import HubServer

    if args.command == "report":
        from display import report_cli

        return report_cli.run(config, args)
    if args.command in ("pair", "consoles", "unpair"):
        from display import pairing_cli

        return pairing_cli.run(config, args)
    if args.command in ("backup", "restore"):
        from totem.commands import backup, restore

        try:
            return {"backup": backup, "restore": restore}[args.command](config, args)
        except BackupError as exc:
            print(f"totem-display: {args.command}: {exc}", file=sys.stderr)
            return 11  # as `totem backup/restore` (EXIT_BACKUP)
    if args.command == "push-keys":
        return push_keys_command(config, force=args.force)
    if args.command == "forget-device":
        return forget_device(config, args.device)
    if args.repair_db:
        from display.repair import move_aside

        try:
            moved = move_aside(config.hub.data_dir, config=config)
        except StoreError as exc:  # a newer release's database: never moved aside
            print(f"totem-display: {exc}", file=sys.stderr)
            return 4
        print("\n".join(["moved aside: " + m for m in moved] + ["start the hub again: the totems send today's "
                                                                 "tickets again on their next contact"])
              if moved else "the queue database opens and passes its integrity check; nothing to do")
        return 0
    # From here on a stop request is never lost, whatever is still starting (the hub, the window):
    # each part looks at `stopping` when it is ready to run.
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    notifier = Notifier()
    with ExitStack() as stack:
        stack.callback(notifier.close)
        from totem.servicelock import hold_for_service

        # The service's mark on its data: `totem-display restore` refuses while it is held.
        stack.enter_context(hold_for_service(config.hub.data_dir, "hub"))
        try:
            server = stack.enter_context(HubServer(config, always_open=args.always_open))
        except StoreError as exc:
            print(f"totem-display: {exc}", file=sys.stderr)
            return 4
        except OSError as exc:
            print(f"totem-display: cannot listen on {config.hub.listen_host}:{config.hub.listen_port}: "
                  f"{exc.strerror}", file=sys.stderr)
            return 3
        assert server.hub is not None
        server.hub.call_screen = not args.no_screen  # the fleet page says what this machine runs
        # One line for the hub itself: the pages' own lines, with their PINs, are the demo's
        # (scripts/run); a service never prints a PIN to its journal.
        print(f"hub listening on {server.url}", flush=True)
        if args.no_screen:
            notifier.ready("hub running")
            while not stopping.wait(notifier.watchdog_interval_s or 3600):
                notifier.watchdog()
        else:
            run_screen(config, server.url, stack, notifier, stopping)
        notifier.stopping()
    return 0


def push_keys_command(config: Config, *, force: bool) -> int:
    """The running hub's own data directory (rule 9); the private key never leaves it."""
    from display import push_keys
    from display.pairing_cli import hub_data_dir

    data_dir = hub_data_dir(config)
    try:
        public = push_keys.generate(data_dir, force=force)
    except push_keys.PushKeysExist as exc:
        print(f"totem-display push-keys: {exc}", file=sys.stderr)
        return 7
    except push_keys.PushNotInstalled as exc:
        print(f"totem-display push-keys: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"totem-display push-keys: cannot write {push_keys.key_path(data_dir)}: {exc.strerror} "
              "(run with sudo)", file=sys.stderr)
        return 6
    print(f"keys written to {push_keys.key_path(data_dir)} (mode 0600)")
    print(f"public key: {public}")
    if not config.hub.web_push:
        print("set [hub] web_push = true (with an https:// public_url) and restart the hub to send alerts")
    return 0


def forget_device(config: Config, device_id: str) -> int:
    """Safe while the hub runs: one short transaction on its database (WAL)."""
    import sqlite3

    from display import devices
    from display.queue import QueueStore

    path = config.hub.data_dir / QueueStore.FILENAME
    if not path.is_file():
        print(f"totem-display: no hub database at {path}", file=sys.stderr)
        return 4
    db = sqlite3.connect(path, timeout=10)
    try:
        with db:
            n = devices.forget(db, device_id)
    except sqlite3.Error as exc:
        print(f"totem-display: cannot change {path}: {exc}", file=sys.stderr)
        return 4
    finally:
        db.close()
    print(f"forgot {n} machine(s) seen as {device_id!r}: the next one to report holds the id" if n
          else f"no machine seen as {device_id!r}; nothing changed")
    return 0


def _raise_open_file_limit() -> None:
    """Up to the hard limit (systemd's LimitNOFILE): connections are capped per address
    anyway, and running out of descriptors would refuse the totems too."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def run_screen(config: Config, hub_url: str, stack: ExitStack, notifier: Notifier, stopping: threading.Event
               ) -> None:
    import pygame

    from display.call_screen import EV_HUB, EV_LINK, CallScreen
    from display.feed import HubFeed
    from display.sound import Announcer, call_voices
    from totem.clock import SystemClock
    from totem.hours import Schedule
    from totem.hubclient import hub_session
    from totem.speech import Synth
    from totem.ui.events import post
    from totem.ui.window import open_window

    window = open_window(fullscreen=config.display.fullscreen, size=config.display.window_size,
                         caption=f"Totem display - {config.site.desk_name}")
    stack.callback(pygame.quit)
    speech = Synth(voices=call_voices(config), rate_wpm=config.accessibility.rate_wpm) if config.display.speech \
        else None
    announcer = Announcer(speech=speech, volume=config.display.volume).start()
    stack.callback(announcer.close)
    clock = SystemClock()
    schedule = Schedule(config.hours, config.site.timezone)
    screen = CallScreen(config=config, window=window, announcer=announcer,
                        now=lambda: schedule.local(clock.now()))
    local = hub_url.replace("0.0.0.0", "127.0.0.1")
    feed = HubFeed(local, on_event=lambda event, data: post(EV_HUB, event=event, data=data),
                   on_link=lambda up: post(EV_LINK, up=up),
                   session_factory=lambda: hub_session(config, token=False)).start()
    stack.callback(feed.close)
    def stop(*_: object) -> None:
        stopping.set()
        post(pygame.QUIT)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
    if stopping.is_set():  # asked to stop while the screen was opening
        return
    notifier.ready("hub and call screen running")
    screen.run(on_frame=notifier.watchdog)


if __name__ == "__main__":
    sys.exit(main())
