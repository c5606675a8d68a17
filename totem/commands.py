"""What each `totem` command does, on real objects from totem.wiring. Prints only results."""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
from pathlib import Path

from config.follow import follow_url
from config.model import Config
from printer.connections import describe
from printer.layout import TicketContent
from totem import __version__
from totem.checkin import CheckInClient, take_appointment
from totem.clock import SystemClock
from totem.dispenser import Dispenser
from totem.errors import AppointmentRefused, StoreError
from totem.hubview import HubView
from totem.numbering import format_code, service_day
from totem.outbox import deliver_once
from totem.standing import claim
from totem.store import TicketStore
from totem.wiring import build_issuer, build_printer, open_store, push_targets

log = logging.getLogger(__name__)


def issue(config: Config, args: argparse.Namespace) -> int:
    with open_store(config) as store, build_printer(config) as printer:
        view = HubView()
        view.set_link(True)  # the delivery below runs before the wait: it says at once if the hub is away
        issuer = build_issuer(config, store, view=view)
        if issuer.standing is not None:  # the hub's word on this device's id before its first ticket
            claim(config, issuer.standing, store, {"printer": printer.probe().value, "version": __version__,
                                                   "accepting": True, "fingerprint": config.fingerprint()})
        dispenser = Dispenser(issuer=issuer, printer=printer, printer_state=printer.probe,
                              on_event=lambda: _push_now(config, store, view))
        if config.service(args.service).appointments:  # as a tap: only with a booked appointment's number
            if not args.appointment:
                raise AppointmentRefused("unknown", f"{args.service!r} checks in appointments: give --appointment "
                                         "NUMBER (the 5 digits the reception gave)")
            client = CheckInClient(config=config)
            try:
                ticket = take_appointment(config=config, dispenser=dispenser, client=client,
                                          number=args.appointment, lang=args.lang or config.site.languages[0])
            finally:
                client.close()
        elif args.appointment:
            raise AppointmentRefused("unknown", f"service {args.service!r} does not take appointments")
        else:
            ticket = dispenser.take(args.service, lang=args.lang)
        _push_now(config, store, view)  # the void, if printing failed
    print(ticket.code)
    return 0


def _push_now(config: Config, store: TicketStore, view: HubView) -> None:
    """One bounded delivery attempt so a CLI ticket reaches the hub (and is counted) at
    once; whatever is left stays in the outbox for the kiosk's pusher (or the next `totem issue`)."""
    left = deliver_once(config, store, view=view)
    if left:
        log.warning("hub not reachable: %d event(s) kept in the outbox", left)


def preview(config: Config, args: argparse.Namespace) -> int:
    with open_store(config) as store, build_printer(config) as printer:
        issuer = build_issuer(config, store)
        service = config.service(args.service)
        lang = args.lang if args.lang in config.site.languages else config.site.languages[0]
        now = issuer.clock.now()
        number = store.next_number(service.id, service_day(now, issuer.schedule.tz), config.number_block()[0])
        content = TicketContent(format_code(service.prefix, number), service, issuer.schedule.local(now), lang,
                                issuer.estimate_for(service, now), follow_url(config, "preview"))
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        printer.preview(content).save(out, format="PNG")
    print(out)
    return 0


def print_test(config: Config, args: argparse.Namespace) -> int:
    with build_printer(config) as printer:
        printer.print_test_page()
    print(f"test page sent to {describe(config.printer, 'test-page')}")
    return 0


def status(config: Config, args: argparse.Namespace) -> int:
    try:
        store = open_store(config)
    except StoreError as exc:
        print(f"totem {config.totem.id} (version {__version__}): OUT OF SERVICE")
        print(f"ticket database: {exc}")
        with build_printer(config) as printer:
            print(f"printer ({config.printer.connection}): {printer.status().value}")
        return 7
    with store, build_printer(config) as printer:
        issuer = build_issuer(config, store)
        today = service_day(issuer.clock.now(), issuer.schedule.tz)
        opening = issuer.opening()
        print(f"totem {config.totem.id} (version {__version__}), service day {today.isoformat()}: "
              + ("taking tickets" if opening.accepting else f"closed ({opening.reason})"))
        problem = issuer.device_problem()
        print(f"device: {config.device.describe() if config.device else config.totem.id}"
              + (f": OUT OF SERVICE: {problem}" if problem else ""))
        counts = issuer.today_counts()
        print(f"{'service':<14} {'issued':>6} {'printed':>7} {'void':>4}  last")
        for service in config.services:
            c = counts.get(service.id, {"issued": 0, "printed": 0, "void": 0, "last_number": 0})
            last = format_code(service.prefix, c["last_number"]) if c["last_number"] else "-"
            print(f"{service.id:<14} {c['issued']:>6} {c['printed']:>7} {c['void']:>4}  {last}")
        for target in push_targets(config):
            print(f"outbox backlog for {target}: {store.backlog(target)} event(s) still to send")
        print(f"site file fingerprint: {config.fingerprint()}" + _hub_fingerprint(config))
        aside = store.set_aside_events()
        if aside:
            print(f"set aside: {len(aside)} event(s) the hub refused; fix the cause, then `totem resend`:")
        for target, event, reason in aside:
            print(f"  {event.kind} {event.payload.get('code', event.ticket_id)} -> {target}: {reason}")
        print(f"printer ({config.printer.connection}): {printer.status().value}")
        problem = issuer.clock_problem()
        verdict = f"WRONG ({problem})" if problem else "plausible"
        print(f"clock: {issuer.clock.now():%Y-%m-%d %H:%M:%S} UTC, {verdict}; NTP synchronised: {_ntp_synchronised()}")
    return 0


def repair_db(config: Config, args: argparse.Namespace) -> int:
    """Move an unreadable ticket database aside and start a new one that never repeats a
    number already given today (counters copied from the old file, or --start-after)."""
    from totem.repair import RepairRefused, repair

    try:
        report = repair(config.totem.data_dir, today=service_day(SystemClock().now(), config.site.timezone),
                        start_after=args.start_after)
    except RepairRefused as exc:
        print(f"totem repair-db: {exc}", file=sys.stderr)
        return 2
    for line in report:
        print(line)
    return 0


def _hub_fingerprint(config: Config) -> str:
    """The hub's site file fingerprint beside ours: a difference means the Pis disagree."""
    import requests

    from totem.hubclient import hub_session

    try:
        with hub_session(config, token=False) as session:
            theirs = session.get(f"{config.hub.url}/api/forecast", timeout=2).json().get("fingerprint")
    except (requests.RequestException, ValueError, AttributeError):
        return " (hub not reachable)"
    if theirs == config.fingerprint():
        return " (same as the hub's)"
    return f" - DIFFERENT from the hub's ({theirs}): copy the same site file to every Pi"


def _ntp_synchronised() -> str:
    """systemd's view of NTP (`timedatectl`), where there is one."""
    try:
        out = subprocess.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"], capture_output=True,
                             text=True, timeout=3)
    except (OSError, subprocess.SubprocessError):
        return "unknown (no timedatectl)"
    return out.stdout.strip() or "unknown"


def resend(config: Config, args: argparse.Namespace) -> int:
    """Put the events set aside back in line and try to deliver them now."""
    with open_store(config) as store:
        n = store.resend_set_aside()
        left = deliver_once(config, store) if n else 0
    print(f"{n} event(s) put back in line; {left} still to send")
    return 0


def backup(config: Config, args: argparse.Namespace) -> int:
    """Every database of this Pi, copied with SQLite's online backup (totem.backup)."""
    from totem.backup import BackupError
    from totem.backup import backup as make_backup
    from totem.cli import EXIT_BACKUP

    try:
        manifest = make_backup(config, Path(args.dir))
    except BackupError as exc:
        print(f"backup: {exc}", file=sys.stderr)
        return EXIT_BACKUP
    for entry in manifest["databases"]:
        print(f"{entry['source']} -> {Path(args.dir) / entry['file']} ({entry['bytes']} bytes, "
              f"schema {entry['schema_version']})")
    print(f"backup complete: {Path(args.dir) / 'manifest.json'} (version {manifest['version']}, "
          f"{manifest['created_at']})")
    return 0


def restore(config: Config, args: argparse.Namespace) -> int:
    """A backup's databases put back (totem.backup); refused while the service runs."""
    from totem.backup import BackupError
    from totem.backup import restore as put_back
    from totem.cli import EXIT_BACKUP

    try:
        lines = put_back(config, Path(args.dir))
    except BackupError as exc:
        print(f"restore: {exc}", file=sys.stderr)
        return EXIT_BACKUP
    for line in lines:
        print(line)
    print("restore complete: start the service again (sudo systemctl start totem, or totem-hub/totem-display)")
    return 0


def run(config: Config, args: argparse.Namespace) -> int:
    from totem.kiosk import run_kiosk

    return run_kiosk(config, always_open=getattr(args, "always_open", False))
