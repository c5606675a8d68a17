"""The one error hierarchy of the product.

Every error a caller can act on has its own type, inherits the matching builtin
where one fits, and names the offending value in its message.
"""

from __future__ import annotations

from datetime import datetime

from config.frozen import frozen


class TotemError(Exception):
    """Root of every error raised on purpose by totem, printer, display and config."""


@frozen
class Problem:
    """One thing wrong in a config file: where, what, and the value found."""

    path: str
    message: str
    got: object = None
    has_got: bool = True

    def format(self, source: str) -> str:
        line = f"{source}: {self.path}: {self.message}" if self.path else f"{source}: {self.message}"
        if self.has_got:
            line += f" (got {self.got!r})"
        return line


class ConfigError(TotemError, ValueError):
    """The site file is missing, unreadable or invalid. Carries every problem found."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__("\n".join(p.format(source) for p in self.problems))


class ConfigNotFound(ConfigError, FileNotFoundError):
    """No config file at any of the paths tried."""

    def __init__(self, tried: list[str]) -> None:
        self.tried = list(tried)
        problem = Problem("", "no config file found; tried " + ", ".join(tried), has_got=False)
        super().__init__("config", [problem])


class UnknownService(TotemError, KeyError):
    """A service id that the site file does not define."""

    def __init__(self, service_id: str, known: list[str]) -> None:
        self.service_id = service_id
        self.known = list(known)
        super().__init__(service_id)

    def __str__(self) -> str:
        return f"unknown service {self.service_id!r}; known: {', '.join(self.known)}"


class ServiceClosed(TotemError):
    """No ticket can be issued now: closed day, outside hours or past the last-ticket cutoff."""

    def __init__(self, reason: str, next_opening: datetime | None) -> None:
        self.reason = reason
        self.next_opening = next_opening
        when = next_opening.isoformat(timespec="minutes") if next_opening else "not scheduled"
        super().__init__(f"closed ({reason}); next opening {when}")


class ClockWrong(TotemError):
    """The totem's clock is clearly wrong: its tickets would belong to another day."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"clock not synchronised: {reason}")


class NumbersExhausted(TotemError):
    """This totem has used every number of its block ([[totems]] numbers) for a service today."""

    def __init__(self, service_id: str, last: int) -> None:
        self.service_id = service_id
        self.last = last
        super().__init__(f"service {service_id!r}: every number up to {last} is used today; "
                         "widen this totem's numbers in [[totems]]")


class NoNumberBlock(TotemError, LookupError):
    """The site lists [[totems]] blocks and none is this device's: it would print another's codes."""

    def __init__(self, device_id: str, blocks: list[str], source: str) -> None:
        self.device_id = device_id
        super().__init__(f"this device is {device_id!r} (from {source}) and [[totems]] has no block for it "
                         f"(blocks: {', '.join(blocks)}): add a [[totems]] block with id = {device_id!r}, or name "
                         "this Pi after its block in /etc/totem/device.toml (install.sh --device-id NAME)")


class DeviceConflict(TotemError, PermissionError):
    """The hub refused this device: another machine already uses its id (or, on a site without
    [[totems]], already issues tickets). Out of service until a technician fixes it."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class TooSoon(TotemError):
    """Anti-spam: the minimum interval between two tickets has not elapsed."""

    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s
        super().__init__(f"another ticket was issued moments ago; retry in {wait_s:.1f} s")


class PrinterUnavailable(TotemError, OSError):
    """The printer cannot print now (offline, out of paper, cover open, timed out). `voided`: the
    code of the ticket whose number was committed, shown, and then voided because it did not print
    (the citizen is told so), None when no number was used."""

    def __init__(self, state: str, detail: str = "", *, voided: str | None = None) -> None:
        self.state = state
        self.detail = detail
        self.voided = voided
        super().__init__(f"printer unavailable: {state}" + (f" ({detail})" if detail else "")
                         + (f"; {voided} voided" if voided else ""))


class StoreError(TotemError, OSError):
    """The ticket database cannot be opened or written (disk full, read-only, corrupt)."""


class DiskFull(StoreError):
    """The disk holding the database is full: free space there; the database is intact
    (never `repair-db`). The message says what may be freed (`totem.diskspace`)."""


class AppointmentRefused(TotemError, PermissionError):
    """An appointment's number was not accepted at check-in. `reason` is what the citizen is
    told: unknown, other_day, early, late, used, cancelled, locked (the hub's answers), or
    offline (the hub could not be asked: no priority is given without it)."""

    REASONS = ("unknown", "mistyped", "other_day", "early", "late", "used", "cancelled", "locked", "offline")

    def __init__(self, reason: str, message: str = "", **detail: str | float) -> None:
        self.reason = reason if reason in self.REASONS else "unknown"
        self.detail = detail
        super().__init__(message or f"appointment refused: {reason}")


class BackupError(TotemError, ValueError):
    """A backup or restore that cannot be done; the message says why and what to do."""


class MayNotBeCalled(TotemError):
    """Told before issuing: the wait for a ticket taken now reaches past today's closing
    (`closes_at`, "HH:MM"). No number was used; the citizen may take it anyway."""

    def __init__(self, service_id: str, closes_at: str) -> None:
        self.service_id = service_id
        self.closes_at = closes_at
        super().__init__(f"service {service_id!r}: a ticket taken now may not be called before closing "
                         f"({closes_at or 'closed'})")


class FontMissing(TotemError, FileNotFoundError):
    """A configured language's script has no font installed (CJK comes from a Debian package)."""

    def __init__(self, lang: str, path: str, package: str) -> None:
        self.lang, self.path, self.package = lang, path, package
        super().__init__(f"no font for language {lang!r}: {path} is missing; install the Debian package {package} "
                         "(systemd/install.sh does when site.languages lists it)")


class NoDeskToday(MayNotBeCalled):
    """No desk that calls the service works today (`[[desks]] days`): refused before issuing, or,
    with `site.issue_when_no_desk_today`, told first like a late ticket (`may_take`)."""

    def __init__(self, service_id: str, *, may_take: bool) -> None:
        self.service_id = service_id
        self.closes_at = ""
        self.may_take = may_take
        TotemError.__init__(self, f"service {service_id!r}: no desk that calls it works today; "
                            + ("the ticket may not be called" if may_take
                               else "not issued (site.issue_when_no_desk_today = false)"))
