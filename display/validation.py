"""Strict checks of what totems and desks send. Each returns the parsed value or raises
BadRequest naming the field and the value, so a 400 always says why."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from config.model import Config
from totem.errors import TotemError

# fullmatch and explicit ASCII classes: `$` would accept a trailing newline, `\d` Arabic or full-width digits.
_ID_RE = re.compile(r"[A-Za-z0-9-]{8,64}")
_TOTEM_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
_SERVICE_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
DESK_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
_CODE_RE = re.compile(r"([A-Z])([0-9]{3,5})")
PRINTER_STATES = ("ready", "paper_low", "paper_out", "cover_open", "offline", "error", "unknown")


class BadRequest(TotemError, ValueError):
    def __init__(self, field: str, message: str, got: object = None) -> None:
        self.field = field
        text = f"{field}: {message}" + (f" (got {got!r})" if got is not None else "")
        super().__init__(text)


def expect_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest("body", "must be a JSON object", type(body).__name__)
    return body


def _only(body: dict[str, Any], allowed: tuple[str, ...]) -> None:
    extra = sorted(set(body) - set(allowed))
    if extra:
        raise BadRequest(extra[0], "unknown field", extra[0])


def ticket_id(value: Any) -> str:
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        raise BadRequest("id", "must be 8-64 letters, digits or '-'", value)
    return value


APPOINTMENT_RE = re.compile(r"[0-9]{5}")


def ticket(body: Any, config: Config) -> dict[str, Any]:
    body = expect_object(body)
    fields = ("id", "code", "service", "number", "issued_at", "totem")
    _only(body, (*fields, "appointment"))
    if "appointment" in body and not (isinstance(body["appointment"], str) and APPOINTMENT_RE.fullmatch(
            body["appointment"])):
        raise BadRequest("appointment", "must be an appointment's 5-digit number", body["appointment"])
    for name in fields:
        if name not in body:
            raise BadRequest(name, "missing")
    ticket_id(body["id"])
    service_id = body["service"]
    # A service this hub's site file does not know is still a printed ticket (rule 6): the
    # queue takes it and flags it; only a value that cannot be a service id is refused.
    if not isinstance(service_id, str) or not _SERVICE_RE.fullmatch(service_id):
        raise BadRequest("service", "must be a service id (lowercase letters, digits, '-', '_')", service_id)
    number = body["number"]
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 99999:
        raise BadRequest("number", "must be an integer 1-99999", number)
    code = body["code"]
    match = _CODE_RE.fullmatch(code) if isinstance(code, str) else None
    if not match:
        raise BadRequest("code", "must be a prefix letter and 3-5 digits", code)
    if int(match.group(2)) != number:
        raise BadRequest("code", f"does not match number {number}", code)
    issued_at = body["issued_at"]
    try:
        parsed = datetime.fromisoformat(issued_at) if isinstance(issued_at, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise BadRequest("issued_at", "must be an ISO 8601 time with a UTC offset", issued_at)
    if not 2000 <= parsed.year <= 2999:
        raise BadRequest("issued_at", "must be a year between 2000 and 2999", issued_at)
    if not isinstance(body["totem"], str) or not _TOTEM_RE.fullmatch(body["totem"]):
        raise BadRequest("totem", "must be a totem id", body["totem"])
    return body


def void(body: Any) -> str:
    body = expect_object(body) if body is not None else {}
    _only(body, ("id", "reason"))
    reason = body.get("reason", "")
    if not isinstance(reason, str) or len(reason) > 200:
        raise BadRequest("reason", "must be a string of at most 200 characters", reason)
    return reason


def health(body: Any) -> dict[str, Any]:
    body = expect_object(body)
    _only(body, ("printer", "backlog", "version", "state", "accepting", "set_aside", "fingerprint", "machine",
                 "hostname", "kind", "clock", "disk_free_mb"))
    if body.get("printer") not in PRINTER_STATES:
        raise BadRequest("printer", f"must be one of {', '.join(PRINTER_STATES)}", body.get("printer"))
    backlog = body.get("backlog", 0)
    if not isinstance(backlog, int) or isinstance(backlog, bool) or not 0 <= backlog <= 10**9:
        raise BadRequest("backlog", "must be a non-negative integer", backlog)
    version = body.get("version", "")
    if not isinstance(version, str) or len(version) > 40:
        raise BadRequest("version", "must be a short string", version)
    accepting = body.get("accepting", True)
    if not isinstance(accepting, bool):
        raise BadRequest("accepting", "must be true or false", accepting)
    set_aside = body.get("set_aside", 0)
    if not isinstance(set_aside, int) or isinstance(set_aside, bool) or not 0 <= set_aside <= 10**6:
        raise BadRequest("set_aside", "must be a non-negative integer", set_aside)
    fingerprint = body.get("fingerprint", "")
    if not isinstance(fingerprint, str) or not re.fullmatch(r"[0-9a-f]{0,64}", fingerprint):
        raise BadRequest("fingerprint", "must be a hex digest", fingerprint)
    disk = body.get("disk_free_mb")
    if disk is not None and (not isinstance(disk, int) or isinstance(disk, bool) or disk < 0):
        raise BadRequest("disk_free_mb", "must be a non-negative integer", disk)
    clock = body.get("clock")
    if clock is not None:
        try:
            datetime.fromisoformat(clock) if isinstance(clock, str) and len(clock) <= 40 else int("x")
        except ValueError:
            raise BadRequest("clock", "must be an ISO 8601 time with its offset", clock) from None
    return {"printer": body["printer"], "backlog": backlog, "version": version, "accepting": accepting,
            "set_aside": set_aside, "fingerprint": fingerprint,
            **({"disk_free_mb": disk} if disk is not None else {}), **({"clock": clock} if clock else {})}


_MACHINE_RE = re.compile(r"[0-9A-Za-z:._-]{1,64}")


def identity(body: dict[str, Any]) -> tuple[str, str, str] | None:
    """(machine key, hostname, kind) a device sends with its status (issue 19); None from older releases."""
    machine = body.get("machine")
    if machine is None:
        return None
    if not isinstance(machine, str) or not _MACHINE_RE.fullmatch(machine):
        raise BadRequest("machine", "must be the device's machine key (/etc/machine-id)", machine)
    hostname = body.get("hostname", "")
    if not isinstance(hostname, str) or not _MACHINE_RE.fullmatch(hostname or "-"):
        raise BadRequest("hostname", "must be a host name", hostname)
    kind = body.get("kind", "totem")
    if kind not in ("totem", "display"):
        raise BadRequest("kind", "must be totem or display", kind)
    return machine, hostname, kind


def transfer(body: Any, config: Config) -> tuple[str, str | None, bool | None]:
    """(service, desk or None for any desk serving it, priority or None to keep the ticket's own)."""
    body = expect_object(body)
    _only(body, ("service", "desk", "priority"))
    service_id = body.get("service")
    if not isinstance(service_id, str) or service_id not in {s.id for s in config.services}:
        raise BadRequest("service", "unknown service", service_id)
    desk_id = body.get("desk")
    if desk_id is not None:
        desk = config.desk(desk_id) if isinstance(desk_id, str) else None
        if desk is None:
            raise BadRequest("desk", "unknown desk", desk_id)
        if service_id not in desk.services:
            raise BadRequest("desk", f"desk {desk_id} does not serve {service_id}", desk_id)
    priority = body.get("priority")
    if priority is not None and not isinstance(priority, bool):
        raise BadRequest("priority", "must be true or false", priority)
    return service_id, desk_id, priority


CODE_RE = re.compile(r"[A-Z][0-9]{1,5}")


def chosen_ticket(body: Any) -> tuple[str, str]:
    """("id", ticket id) or ("code", "A007"): the waiting ticket an operator chose to call."""
    body = expect_object(body)
    _only(body, ("id", "code"))
    if ("id" in body) == ("code" in body):
        raise BadRequest("id", "give the ticket's id or code (one of them)", None)
    if "id" in body:
        return "id", ticket_id(body["id"])
    code = body["code"]
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        raise BadRequest("code", "must be a ticket code such as A007", code)
    return "code", code


def pin(body: Any) -> str:
    body = expect_object(body)
    _only(body, ("pin",))
    value = body.get("pin")
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 8:
        raise BadRequest("pin", "must be digits", None)
    return value
