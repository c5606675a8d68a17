"""What each `totem` command does, on real objects from totem.wiring. Prints only results."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from config.errors import AppointmentRefused, StoreError
from config.model import Config
from totem import __version__

if TYPE_CHECKING:
    from totem.hubview import HubView
    from totem.store import TicketStore

# Each command imports what it uses (issue 21: start fast): `requests` only for `issue`'s push once
# the paper is out (one-off questions to the hub go through totem.hubcall), escpos only where bytes
# are rendered, PIL only where a picture is drawn.

log = logging.getLogger(__name__)


def issue(config: Config, args: argparse.Namespace) -> int:
    from totem.dispenser import Dispenser
    from totem.hubview import HubView
    from totem.wiring import build_issuer, build_printer, open_store

    # the paper, then its code on stdout, then the folder printer's PNG preview (at close)
    with open_store(config) as store, build_printer(config, previews_at_close=True) as printer:
        view = HubView()
        _read_queue(config, view)
        issuer = build_issuer(config, store, view=view)
        issuer.sweep_uncertain()  # what an earlier, killed `totem issue` or kiosk left uncertain
        if issuer.standing is not None:  # the hub's word on this device's id before its first ticket
            from totem.standing import claim

            claim(config, issuer.standing, store, {"printer": printer.probe().value, "version": __version__,
                                                   "accepting": True, "fingerprint": config.fingerprint()})
        # The push goes after the paper (rule 10): the ticket, or its void if printing failed.
        dispenser = Dispenser(issuer=issuer, printer=printer, printer_state=printer.probe)
        try:
            if config.service(args.service).appointments:  # as a tap: only with a booked appointment's number
                if not args.appointment:
                    raise AppointmentRefused("unknown", f"{args.service!r} checks in appointments: give --appointment "
                                             "NUMBER (the number the reception gave)")
                from totem.checkin import CheckInClient, take_appointment

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
            print(ticket.code, flush=True)  # the paper is out: said before the push (and requests' import)
        finally:
            _push_now(config, store, view)
    return 0


def _read_queue(config: Config, view: HubView) -> None:
    """The hub's queue as of now, once (a command has no stream to follow): the ticket then
    prints the exact people ahead as a tap does, or "circa" when the hub does not answer."""
    from totem.hubcall import HubUnreachable, hub_call

    try:
        _, answer = hub_call(config, "GET", "/api/forecast", token=False, timeout_s=1.0)
    except HubUnreachable as exc:
        log.info("hub's queue not read (%s): the ticket says 'circa'", exc)
        return
    view.set_live(answer if isinstance(answer, dict) else {}, totem=config.totem.id)


def _push_now(config: Config, store: TicketStore, view: HubView) -> None:
    """One bounded delivery attempt so a CLI ticket reaches the hub (and is counted) at
    once; whatever is left stays in the outbox for the kiosk's pusher (or the next `totem issue`)."""
    from totem.outbox import deliver_once

    left = deliver_once(config, store, view=view)
    if left:
        log.warning("hub not reachable: %d event(s) kept in the outbox", left)


def preview(config: Config, args: argparse.Namespace) -> int:
    from config.follow import follow_url
    from printer.layout import TicketContent
    from totem.numbering import format_code, service_day
    from totem.wiring import build_issuer, build_printer, open_store

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
    from printer.connections import describe
    from totem.wiring import build_printer

    with build_printer(config, previews_at_close=True) as printer:
        printer.print_test_page()
        print(f"test page sent to {describe(config.printer, 'test-page')}", flush=True)  # its PNG follows
    return 0


def status(config: Config, args: argparse.Namespace) -> int:
    from totem.numbering import format_code, service_day
    from totem.wiring import build_issuer, build_printer, open_store, push_targets

    try:
        store = open_store(config)
    except StoreError as exc:
        print(f"totem {config.totem.id} (version {__version__}): OUT OF SERVICE")
        print(f"ticket database: {exc}")
        print(_disk_line(config))
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
        print(_disk_line(config))
        problem = issuer.clock_problem()
        verdict = f"WRONG ({problem})" if problem else "plausible"
        print(f"clock: {issuer.clock.now():%Y-%m-%d %H:%M:%S} UTC, {verdict}; NTP synchronised: {_ntp_synchronised()}")
    return 0


LOW_DISK_BYTES = 5_000_000  # below this a ticket may fail to commit: said before it happens


def _disk_line(config: Config) -> str:
    from totem.diskspace import disk_full_advice, free_bytes

    try:
        free = free_bytes(config.totem.data_dir)
    except OSError as exc:
        return f"disk: free space unknown ({exc.strerror})"
    if free < LOW_DISK_BYTES:
        return f"disk: {disk_full_advice(config.totem.data_dir)}"
    return f"disk: {free / 1e6:.0f} MB free in {config.totem.data_dir}"


def repair_db(config: Config, args: argparse.Namespace) -> int:
    """Move an unreadable ticket database aside and start a new one that never repeats a
    number already given today (counters copied from the old file, or --start-after)."""
    from totem.clock import SystemClock
    from totem.numbering import service_day
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
    from totem.hubcall import HubUnreachable, hub_call

    try:
        _, answer = hub_call(config, "GET", "/api/forecast", token=False, timeout_s=2.0)
    except HubUnreachable:
        return " (hub not reachable)"
    if not isinstance(answer, dict):
        return " (hub not reachable)"
    theirs = answer.get("fingerprint")
    if theirs == config.fingerprint():
        return " (same as the hub's)"
    return f" - DIFFERENT from the hub's ({theirs}): copy the same site file to every Pi"


def _ntp_synchronised() -> str:
    """systemd's view of NTP (`timedatectl`), where there is one."""
    import subprocess

    try:
        out = subprocess.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"], capture_output=True,
                             text=True, timeout=3)
    except (OSError, subprocess.SubprocessError):
        return "unknown (no timedatectl)"
    return out.stdout.strip() or "unknown"


def resend(config: Config, args: argparse.Namespace) -> int:
    """Put the events set aside back in line and try to deliver them now."""
    from totem.outbox import deliver_once
    from totem.wiring import open_store

    with open_store(config) as store:
        n = store.resend_set_aside()
        left = deliver_once(config, store) if n else 0
    print(f"{n} event(s) put back in line; {left} still to send")
    return 0


def backup(config: Config, args: argparse.Namespace) -> int:
    """Every database of this Pi, copied with SQLite's online backup (totem.backup)."""
    from totem.backup import backup as make_backup

    manifest = make_backup(config, Path(args.dir))  # BackupError: the CLI's exit 11, with the reason
    for entry in manifest["databases"]:
        print(f"{entry['source']} -> {Path(args.dir) / entry['file']} ({entry['bytes']} bytes, "
              f"schema {entry['schema_version']})")
    print(f"backup complete: {Path(args.dir) / 'manifest.json'} (version {manifest['version']}, "
          f"{manifest['created_at']})")
    return 0


def restore(config: Config, args: argparse.Namespace) -> int:
    """A backup's databases put back (totem.backup); refused while the service runs."""
    from totem.backup import restore as put_back

    lines = put_back(config, Path(args.dir))  # BackupError: the CLI's exit 11, with the reason
    for line in lines:
        print(line)
    print("restore complete: start the service again (sudo systemctl start totem, or totem-hub/totem-display)")
    return 0


def run(config: Config, args: argparse.Namespace) -> int:
    from totem.kiosk import run_kiosk

    return run_kiosk(config, always_open=getattr(args, "always_open", False))
