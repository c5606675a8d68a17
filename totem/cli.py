"""The `totem` command. The only module of the kiosk that prints."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from config import load_config
from config.errors import (
    AppointmentRefused,
    BackupError,
    ClockWrong,
    ConfigError,
    DeviceConflict,
    NoDeskToday,
    NoNumberBlock,
    NumbersExhausted,
    PrinterUnavailable,
    ServiceClosed,
    StoreError,
    TooSoon,
    UnknownService,
)
from config.model import Config
from totem import __version__, logs

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_CONFIG = 2
EXIT_CLOSED = 3
EXIT_UNKNOWN_SERVICE = 4
EXIT_TOO_SOON = 5
EXIT_PRINTER = 6
EXIT_STORE = 7
EXIT_NUMBERS = 8
EXIT_CLOCK = 9
EXIT_APPOINTMENT = 10
EXIT_BACKUP = 11
EXIT_DEVICE = 12
EXIT_NO_DESK = 13
EXIT_RIGHTS = 77  # sysexits' EX_NOPERM, as /usr/local/bin/totem answers

EXIT_CODES = f"""exit codes:
  {EXIT_OK}  success
  {EXIT_INTERNAL}  unexpected internal error (see the log)
  {EXIT_CONFIG}  bad command line or invalid/missing config (one line per problem)
  {EXIT_CLOSED}  the desk is closed now (outside hours, past the last-ticket cutoff, holiday)
  {EXIT_UNKNOWN_SERVICE}  unknown service id
  {EXIT_TOO_SOON}  anti-spam: another ticket was issued less than min_interval_s ago
  {EXIT_PRINTER}  printer unavailable (no number consumed if known before issuing; voided if it failed while printing)
  {EXIT_STORE}  the ticket database cannot be written (disk full, read-only, corrupt)
  {EXIT_NUMBERS}  this totem used every number of its [[totems]] block for that service today
  {EXIT_CLOCK}  the clock is clearly wrong (before the release date, or far from the hub's): no ticket issued
  {EXIT_APPOINTMENT} the appointments service needs --appointment NUMBER, and the hub must accept it (unknown,
      another day, too early or late, used, cancelled, or the hub unreachable): no ticket issued
  {EXIT_BACKUP} backup or restore not done (the service is running, not a backup, a damaged copy,
      a newer release's schema): the message says what to do; nothing was changed
  {EXIT_DEVICE} this device may not issue: [[totems]] has no block for its id, or the hub saw another machine
      with its id first (the message names it): no ticket issued
  {EXIT_NO_DESK} no desk that calls the service works today ([[desks]] days): not issued
     (site.issue_when_no_desk_today = true issues it with the warning printed)
  {EXIT_RIGHTS} not allowed to read the site file or the service's data: run it with sudo (or in group totem)

config lookup: --config, else $TOTEM_CONFIG, else /etc/totem/totem.toml"""

ERROR_EXITS: tuple[tuple[type[Exception], int], ...] = (
    (NoDeskToday, EXIT_NO_DESK),
    (UnknownService, EXIT_UNKNOWN_SERVICE), (ServiceClosed, EXIT_CLOSED), (TooSoon, EXIT_TOO_SOON),
    (PrinterUnavailable, EXIT_PRINTER), (StoreError, EXIT_STORE), (NumbersExhausted, EXIT_NUMBERS),
    (ClockWrong, EXIT_CLOCK), (AppointmentRefused, EXIT_APPOINTMENT), (NoNumberBlock, EXIT_DEVICE),
    (DeviceConflict, EXIT_DEVICE), (BackupError, EXIT_BACKUP))

log = logging.getLogger(__name__)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter, as wide as argparse makes it, without its `import shutil` (bz2, lzma...:
    ~3 ms of every command's start, issue 21): argparse makes one for each argument it is given."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


def _columns() -> int:
    """`shutil.get_terminal_size().columns`: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False, formatter_class=_Formatter)
    common.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="site file (TOML)")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="debug logging")
    parser = argparse.ArgumentParser(
        prog="totem", parents=[common], formatter_class=_Formatter,
        description="Ticket totem kiosk. Without a command, runs the touchscreen kiosk.", epilog=EXIT_CODES)
    parser.add_argument("--version", action="version", version=f"totem {__version__}")
    parser.add_argument("--always-open", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    fmt = _Formatter
    p = sub.add_parser("run", parents=[common], help="run the kiosk (the default)", epilog=EXIT_CODES,
                       formatter_class=fmt)
    p.add_argument("--always-open", action="store_true",
                   help="demo/installation: take tickets outside opening hours (numbering unchanged)")
    p = sub.add_parser("check-config", parents=[common], help="validate a site file and summarise it",
                       epilog=EXIT_CODES, formatter_class=fmt)
    p.add_argument("path", nargs="?", help="file to check (default: the config lookup)")
    p.add_argument("--explain", action="store_true",
                   help="also print the first 20 calls of a sample morning under the site's calling rules")
    p = sub.add_parser("issue", parents=[common], help="issue and print one ticket exactly as a tap would",
                       epilog=EXIT_CODES, formatter_class=fmt)
    p.add_argument("service", metavar="SERVICE_ID")
    p.add_argument("--lang", help="ticket language (default: the site's first)")
    p.add_argument("--appointment", metavar="NUMBER",
                   help="the appointments service: the 11-digit number the reception gave, or the online "
                        "booking's code (checked in at the hub)")
    p = sub.add_parser("preview", parents=[common], help="render a sample ticket to PNG (no printer, no number used)",
                       epilog=EXIT_CODES, formatter_class=fmt)
    p.add_argument("service", metavar="SERVICE_ID")
    p.add_argument("--out", required=True, metavar="FILE.png")
    p.add_argument("--lang", help="ticket language (default: the site's first)")
    sub.add_parser("print-test", parents=[common], help="print a test page (sizes, accents, QR)",
                   epilog=EXIT_CODES, formatter_class=fmt)
    sub.add_parser("status", parents=[common], help="today's counters, outbox backlog, printer state",
                   epilog=EXIT_CODES, formatter_class=fmt)
    p = sub.add_parser("repair-db", parents=[common], epilog=EXIT_CODES, formatter_class=fmt,
                       help="move an unreadable ticket database aside and start a new one (technician action)")
    p.add_argument("--start-after", type=int, metavar="N", default=None,
                   help="when the old counters cannot be read: today's numbers continue after N for every service")
    p = sub.add_parser("backup", parents=[common], epilog=EXIT_CODES, formatter_class=fmt,
                       help="copy every database of this Pi (totem, hub, reception) into DIR; safe while running")
    p.add_argument("dir", metavar="DIR", help="a new directory (a USB stick, /var/backups/totem/...)")
    p = sub.add_parser("restore", parents=[common], epilog=EXIT_CODES, formatter_class=fmt,
                       help="put the databases of a backup DIR back in place (stop the service first)")
    p.add_argument("dir", metavar="DIR", help="a directory made by `totem backup` or `totem-display backup`")
    sub.add_parser("resend", parents=[common], help="put events the hub refused (set aside) back in line",
                   epilog=EXIT_CODES, formatter_class=fmt)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.configure(getattr(args, "verbose", False))
    command = args.command or "run"
    try:
        if command == "check-config":
            return cmd_check_config(getattr(args, "path", None) or getattr(args, "config", None),
                                    explain=args.explain)
        config = load_config(getattr(args, "config", None))
        from totem import commands

        handler = {"run": commands.run, "issue": commands.issue, "preview": commands.preview,
                   "print-test": commands.print_test, "status": commands.status,
                   "resend": commands.resend, "repair-db": commands.repair_db, "backup": commands.backup,
                   "restore": commands.restore}[command]
        return handler(config, args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    except (UnknownService, ServiceClosed, TooSoon, PrinterUnavailable, StoreError, NumbersExhausted,
            ClockWrong, AppointmentRefused, NoNumberBlock, DeviceConflict, BackupError, NoDeskToday) as exc:
        print(f"totem: {exc}", file=sys.stderr)
        return next(code for kind, code in ERROR_EXITS if isinstance(exc, kind))
    except PermissionError as exc:  # the installed service's files: 0640 root:totem, /var/lib/totem 0750 totem
        print(f"totem: {exc.strerror}: {exc.filename or 'the data dir'}: run it as  sudo totem {command}"
              " (or as a member of group totem)", file=sys.stderr)
        return EXIT_RIGHTS
    except KeyboardInterrupt:
        return EXIT_OK


def cmd_check_config(path: str | None, *, explain: bool = False) -> int:
    from config.advice import identity_notes, raspberry_pi_model, warnings

    config = load_config(path)
    print(summarise(config))
    # valid, so exit 0, but unsafe or hard to read
    for line in identity_notes(config) + warnings(config, pi_model=raspberry_pi_model()) + font_warnings(config):
        print(f"warning: {line}")
    if explain:  # the order a sample morning gets under the site's calling rules (totem.sample_morning)
        from totem.sample_morning import explain as sample

        print(sample(config))
    return EXIT_OK


def font_warnings(config: Config) -> list[str]:
    """A listed language whose font is not installed (Chinese: a Debian package) would show tofu."""
    from config.errors import FontMissing
    from printer.fonts import font_for

    out = []
    for lang in config.site.languages:
        try:
            font_for(lang)
        except FontMissing as exc:
            out.append(f"site.languages: {exc}")
    return out


def summarise(config: Config) -> str:
    from totem.clock import SystemClock
    from totem.hours import Schedule

    schedule = Schedule(config.hours, config.site.timezone)
    now = SystemClock().now()
    status = schedule.status(now)
    today = schedule.local(now)
    ranges = ", ".join(str(r) for r in schedule.ranges_on(today.date())) or "closed"
    lines = [f"{config.source}: OK",
             f"site: {config.site.name} / {config.site.desk_name} ({config.site.timezone}, "
             f"languages {', '.join(config.site.languages)})",
             f"today {today:%A %Y-%m-%d}: {ranges}; now {'taking tickets' if status.accepting else status.reason}"
             + (f", next opening {status.next_opening:%a %Y-%m-%d %H:%M}" if status.next_opening else ""),
             f"services ({len(config.services)}):"]
    for s in config.services:
        lines.append(f"  {s.prefix}  {s.id:<14} {s.label(config.site.languages[0])}"
                     f" ({s.avg_service_min:g} min{', priority' if s.priority else ''})")
    block = next((b for b in config.totems if b.id == config.totem.id), None)
    device = config.device.describe() if config.device else repr(config.totem.id)
    lines.append(f"this device: {device}; numbers " + (f"{block.first}-{block.last} ([[totems]])" if block else
                                                       "from 1 (no [[totems]])" if not config.totems else
                                                       "none: no [[totems]] block for it"))
    lines.append(f"desks ({len(config.desks)}):")
    for d in config.desks:
        lines.append(f"  {d.id}: {d.name} calls {', '.join(d.services)}")
    lines.append(f"printer: {config.printer.connection}, {config.printer.paper_width_mm} mm, "
                 f"{config.printer.profile}/{config.printer.codepage}")
    lines.append(f"hub: listens on {config.hub.listen_host}:{config.hub.listen_port}, totems push to {config.hub.url}")
    if config.calendar is not None:
        cal = config.calendar
        rule = (f"one service, {cal.service}" if cal.service_from == "calendar" else
                f"by {cal.service_from}: " + ", ".join(f"{k} -> {v}" for k, v in cal.services.items()))
        lines.append(f"calendar: {cal.kind} {cal.url} every {cal.poll_s:g} s; service {rule}; code in "
                     f"{cal.code_property}")
    lines.append("gpio: " + ("off" if config.gpio is None else
                             f"LED {config.gpio.status_led}, button {config.gpio.ticket_button}"))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
