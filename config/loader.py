"""Find, parse and validate the site file. Every problem is collected before reporting."""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.calendar import parse_calendar
from config.calling import desk_prefer, desk_ratio, parse_calling
from config.checks import (
    MISSING,
    Checker,
    is_kind,
    non_negative,
    parse_listen,
    pin_code,
    positive,
    public_url_problem,
    tcp_port,
    url_problem,
    window_size,
)
from config.coverage import check_contrast, check_coverage
from config.desk_days import check_desk_days, desk_days
from config.devices import parse_accessibility, parse_display, parse_gpio
from config.errors import ConfigError, ConfigNotFound, Problem
from config.hours import parse_hours
from config.identity import Device, this_device
from config.model import (
    Config,
    Contacts,
    Desk,
    HubSettings,
    PrinterSettings,
    Service,
    Site,
    TotemBlock,
    TotemSettings,
)
from config.reception import check_appointment_services, parse_reception

if sys.version_info >= (3, 11):  # noqa: UP036 - tomli kept for older Pythons, as the brief asks
    import tomllib
else:  # pragma: no cover - Raspberry Pi OS Bookworm ships 3.11
    import tomli as tomllib

DEFAULT_PATH = Path("/etc/totem/totem.toml")
MAX_SERVICES = 9  # keypad digits 1-9; nine buttons keep >= 19 mm rows on a 7" panel
CONNECTIONS = ("usb", "serial", "network", "file", "folder")
_SERVICE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
_LANG_RE = re.compile(r"^[a-z]{2}$")


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--config`, else `$TOTEM_CONFIG`, else /etc/totem/totem.toml (DESIGN.md contract)."""
    if explicit:
        candidates = [Path(explicit)]
    elif os.environ.get("TOTEM_CONFIG"):
        candidates = [Path(os.environ["TOTEM_CONFIG"])]
    else:
        candidates = [DEFAULT_PATH]
    tried = []
    for path in candidates:
        if path.is_file():
            return path
        tried.append(str(path))
    if not explicit and not os.environ.get("TOTEM_CONFIG"):
        tried.append("$TOTEM_CONFIG (unset)")
    raise ConfigNotFound(tried)


# The installed appliance (systemd/install.sh): the release running now, and each role's
# StateDirectory from the unit files. Module constants so tests can point them elsewhere.
INSTALLED_RELEASE = Path("/opt/totem/current")
INSTALLED_STATE = {"totem": Path("/var/lib/totem"), "hub": Path("/var/lib/totem-display")}


def default_data_dir(base_dir: Path | None = None, *, role: str = "totem") -> Path:
    """systemd's StateDirectory when run as a unit; for a site file inside a source checkout,
    the checkout's var/ (what ./scripts/run uses, so `totem status` and friends see the demo's
    state); on an installed appliance the units' StateDirectory, so a technician's command opens
    the running service's database and never a second one (rule 9); else the user's XDG state dir."""
    state = os.environ.get("STATE_DIRECTORY")
    if state:
        return Path(state.split(":")[0])
    if base_dir is not None:
        checkout = Path(base_dir).resolve().parent
        if (checkout / "pyproject.toml").is_file() and (checkout / "scripts" / "run").is_file():
            return checkout / "var"
    if INSTALLED_RELEASE.exists():
        return INSTALLED_STATE[role]
    xdg = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(xdg) / "totem"


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate the site file; raise `ConfigError` listing every problem."""
    source = find_config(path)
    try:
        with open(source, "rb") as fh:  # tomllib wants binary mode
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(source), [Problem("", f"TOML syntax error: {exc}", has_got=False)]) from None
    except OSError as exc:
        hint = " (run it with sudo, or as a member of group totem)" if isinstance(exc, PermissionError) else ""
        raise ConfigError(str(source), [Problem("", f"cannot read file: {exc.strerror}{hint}", has_got=False)]) \
            from None
    return parse_config(raw, source=source)


def parse_config(raw: Mapping[str, Any], *, source: Path, device: Device | None = None) -> Config:
    """Validate an already parsed TOML tree. Public for tests and for the hub. `device`: this
    machine's identity (default: `config.identity.this_device()`)."""
    device = device or this_device()
    c = Checker()
    c.keys(raw, ("site", "contacts", "hours", "services", "totem", "totems", "printer", "hub", "desks", "gpio",
                 "display", "accessibility", "reception", "calendar", "calling"), "")
    site = _site(c, c.table(raw, "site", ""))
    contacts = _contacts(c, c.table(raw, "contacts", ""))
    hours = parse_hours(c, c.table(raw, "hours", ""))
    services = _services(c, raw.get("services", MISSING), _declared_languages(raw))
    base_dir = source.parent
    totem = _totem(c, c.table(raw, "totem", ""), base_dir, device)
    totems = _totems(c, raw.get("totems", MISSING))
    data_dir = totem.data_dir if totem else default_data_dir(base_dir)
    printer = _printer(c, c.table(raw, "printer", ""), data_dir, base_dir)
    hub = _hub(c, c.table(raw, "hub", ""), base_dir)
    service_ids = _declared_service_ids(raw)  # as written: one bad service is one problem, not two
    desks = _desks(c, raw.get("desks", MISSING), service_ids)
    gpio = parse_gpio(c, c.table(raw, "gpio", "", required=False), service_ids) if "gpio" in raw else None
    display = parse_display(c, c.table(raw, "display", "", required=False), _declared_languages(raw))
    access = parse_accessibility(c, c.table(raw, "accessibility", "", required=False), _declared_languages(raw))
    reception = parse_reception(c, c.table(raw, "reception", "", required=False), totems=totems,
                                parse_printer=lambda c_, t, path: _printer(c_, t, data_dir, base_dir, path)) \
        if "reception" in raw else None
    check_appointment_services(c, services, reception)
    calendar = parse_calendar(c, c.table(raw, "calendar", "", required=False), services=services,
                              reception=reception, resolve=lambda v: _resolve(v, base_dir)) \
        if "calendar" in raw else None
    calling = parse_calling(c, c.table(raw, "calling", "", required=False))
    check_coverage(c, services, desks)
    check_desk_days(c, services, desks, hours)
    check_contrast(c, services)
    if c.problems:
        raise ConfigError(str(source), c.problems)
    assert site and contacts and hours and totem and printer and hub and display and access
    return Config(source, site, contacts, hours, tuple(services), totem, printer, hub, tuple(desks), gpio, display,
                  tuple(totems), access, reception, device, calendar, calling)


def _totems(c: Checker, value: Any) -> list[TotemBlock]:
    """[[totems]]: every totem of the site and its block of numbers, so codes never repeat
    across totems and no totem needs the hub to issue."""
    if value is MISSING:
        return []
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        c.bad("totems", "must be an array of tables ([[totems]]) with id and numbers", value)
        return []
    out: list[TotemBlock] = []
    for i, t in enumerate(value):
        path = f"totems[{i}]"
        c.keys(t, ("id", "numbers"), path)
        tid = c.get(t, "id", path, "a string", check=lambda v: None if _SERVICE_ID_RE.match(v)
                    else "must be lowercase letters, digits, '-' or '_'")
        numbers = c.get(t, "numbers", path, "a list", check=lambda v: None if (
            len(v) == 2 and all(is_kind(n, "an integer") for n in v) and 1 <= v[0] <= v[1] <= 99999)
            else "must be [first, last] with 1 <= first <= last <= 99999, e.g. [1, 499]")
        if tid is None or numbers is None:
            continue
        for j, other in enumerate(out):
            if other.id == tid:
                c.bad(f"{path}.id", f"duplicate totem id (also totems[{j}])", tid)
            elif numbers[0] <= other.last and other.first <= numbers[1]:
                c.bad(f"{path}.numbers", f"overlaps totems[{j}] ({other.id}: {other.first}-{other.last}): "
                      "two totems would print the same codes", numbers)
        out.append(TotemBlock(tid, numbers[0], numbers[1]))
    return out  # which block is this Pi's depends on the machine: Config.number_block, check-config's summary


def _site(c: Checker, t: dict[str, Any]) -> Site | None:
    c.keys(t, ("name", "desk_name", "address", "timezone", "languages", "issue_when_no_desk_today"), "site")
    name = c.get(t, "name", "site", "a non-empty string")
    desk_name = c.get(t, "desk_name", "site", "a non-empty string")
    address = c.get(t, "address", "site", "a string", "")
    tz = c.get(t, "timezone", "site", "a non-empty string", "Europe/Rome")
    if tz:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            c.bad("site.timezone", "unknown timezone; use an IANA name such as 'Europe/Rome'", tz)
            tz = None
    langs = c.get(t, "languages", "site", "a list of strings", ["it", "en"])
    if langs is not None:
        if not langs:
            c.bad("site.languages", "must list at least one language", langs)
        for i, lang in enumerate(langs):
            if not isinstance(lang, str) or not _LANG_RE.match(lang) or not _has_catalogue(lang):
                c.bad(f"site.languages[{i}]", _language_problem(lang), lang)
        if len(set(langs)) != len(langs):
            c.bad("site.languages", "lists a language twice", langs)
    no_desk = c.get(t, "issue_when_no_desk_today", "site", "true or false", False)
    if None in (name, desk_name, tz, langs, no_desk) or not langs:
        return None
    return Site(name, desk_name, tz, tuple(langs), address, no_desk)


def _declared_languages(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """site.languages as written (even if another site key is wrong), so one mistake is reported once."""
    site = raw.get("site")
    langs = site.get("languages", ["it", "en"]) if isinstance(site, dict) else ["it", "en"]
    if not isinstance(langs, list) or not langs or not all(isinstance(x, str) for x in langs):
        return ("it", "en")
    known = tuple(x for x in langs if _LANG_RE.match(x) and _has_catalogue(x))  # a wrong code is reported once
    return known or ("it", "en")


def _declared_service_ids(raw: Mapping[str, Any]) -> list[str]:
    services = raw.get("services")
    if not isinstance(services, list):
        return []
    return [t["id"] for t in services if isinstance(t, dict) and isinstance(t.get("id"), str)]


def _language_problem(lang: Any) -> str:
    from config.i18n import available_languages
    from config.languages import suggest

    known = available_languages()
    what = ("must be a two-letter ISO 639-1 code" if not isinstance(lang, str) or not _LANG_RE.match(lang)
            else "no translation catalogue for this language")
    guess = suggest(lang, known) if isinstance(lang, str) else None
    return f"{what}; did you mean {guess!r}?" if guess else f"{what}; available: {', '.join(known)}"


def _has_catalogue(lang: str) -> bool:
    from config.i18n import available_languages

    return lang in available_languages()


def _contacts(c: Checker, t: dict[str, Any]) -> Contacts | None:
    c.keys(t, ("phone", "email"), "contacts")
    phone = c.get(t, "phone", "contacts", "a string", "")
    email = c.get(t, "email", "contacts", "a string", "")
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        c.bad("contacts.email", "is not an e-mail address", email)
        email = None
    if phone and not re.match(r"^\+?[\d ./-]{6,20}$", phone):
        c.bad("contacts.phone", "is not a phone number", phone)
        phone = None
    if phone is None or email is None:
        return None
    return Contacts(phone, email)


def _services(c: Checker, value: Any, languages: tuple[str, ...]) -> list[Service]:
    if value is MISSING:
        c.bad("services", "missing: add at least one [[services]] table")
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        c.bad("services", "must be an array of tables ([[services]])", value)
        return []
    if not value:
        c.bad("services", "must define at least one service", value)
        return []
    if len(value) > MAX_SERVICES:
        c.bad("services", f"{len(value)} services: at most {MAX_SERVICES} fit the totem's buttons and the keypad "
              "(digits 1-9); merge some or move them to the reception point", len(value))
    out: list[Service] = []
    seen_ids: dict[str, int] = {}
    seen_prefixes: dict[str, int] = {}
    for i, t in enumerate(value):
        path = f"services[{i}]"
        c.keys(t, ("id", "prefix", "label", "avg_service_min", "priority", "colour", "appointments"), path)
        sid = c.get(t, "id", path, "a string", check=lambda v: None if _SERVICE_ID_RE.match(v)
                    else "must be lowercase letters, digits, '-' or '_'")
        prefix = c.get(t, "prefix", path, "a string", check=lambda v: None if re.match(r"^[A-Z]$", v)
                       else "must be one capital letter A-Z")
        if sid is not None:
            if sid in seen_ids:
                c.bad(f"{path}.id", f"duplicate service id (also services[{seen_ids[sid]}])", sid)
            seen_ids.setdefault(sid, i)
        if prefix is not None:
            if prefix in seen_prefixes:
                c.bad(f"{path}.prefix", f"duplicate prefix (also services[{seen_prefixes[prefix]}])", prefix)
            seen_prefixes.setdefault(prefix, i)
        labels = c.table(t, "label", path)
        for lang in languages:
            c.get(labels, lang, f"{path}.label", "a non-empty string")
        for lang, text in labels.items():
            if lang not in languages and not _has_catalogue(lang):  # labels for a language not (yet) listed may stay
                c.bad(f"{path}.label.{lang}", f"no such language; {_language_problem(lang)}", lang)
            elif isinstance(text, str) and len(text) > 48:
                c.bad(f"{path}.label.{lang}", "too long for a button and a ticket (48 characters at most)", text)
        avg = c.get(t, "avg_service_min", path, "a number", check=positive)
        priority = c.get(t, "priority", path, "true or false", False)
        colour = c.get(t, "colour", path, "a string", "#1f4e8c",
                       check=lambda v: None if _COLOUR_RE.match(v) else "must be a colour like '#1f4e8c'")
        appointments = c.get(t, "appointments", path, "true or false", False)
        if None not in (sid, prefix, avg, priority, colour, appointments):
            out.append(Service(sid, prefix, {k: str(v) for k, v in labels.items()}, float(avg), priority, colour,
                               appointments))
    return out


def _resolve(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path)


def _totem(c: Checker, t: dict[str, Any], base_dir: Path, device: Device) -> TotemSettings | None:
    c.keys(t, ("id", "data_dir", "min_interval_s", "take_ticket_timeout_s", "technician_pin",
               "fullscreen", "window_size", "rotation"), "totem")
    # Obsolete: a device's identity comes from its machine (config.identity); check-config says so.
    file_id = t.get("id") if isinstance(t.get("id"), str) else None
    tid = device.id
    data_dir = c.get(t, "data_dir", "totem", "a non-empty string", "")
    interval = c.get(t, "min_interval_s", "totem", "a number", 2.0, non_negative)
    timeout = c.get(t, "take_ticket_timeout_s", "totem", "a number", 8.0, positive)
    pin = c.get(t, "technician_pin", "totem", "a string", check=pin_code)
    fullscreen = c.get(t, "fullscreen", "totem", "true or false", True)
    size = window_size(c, t, "totem", [1280, 800])
    rotation = c.get(t, "rotation", "totem", "an integer", 0,
                     lambda v: None if v in (0, 90, 180, 270) else "must be 0, 90, 180 or 270")
    if None in (tid, interval, timeout, pin, fullscreen, size, rotation):
        return None
    directory = _resolve(data_dir, base_dir) if data_dir else default_data_dir(base_dir)
    return TotemSettings(tid, directory, float(interval), float(timeout), pin, fullscreen,
                         (size[0], size[1]), rotation, file_id)


def _printer(c: Checker, t: dict[str, Any], data_dir: Path, base_dir: Path, path: str = "printer"
             ) -> PrinterSettings | None:
    keys = ("connection", "profile", "codepage", "paper_width_mm", "timeout_s", "status_poll_s", "folder",
            "usb_vendor_id", "usb_product_id", "usb_in_ep", "usb_out_ep", "serial_device", "serial_baudrate",
            "host", "port", "device", "qr_url", "logo")
    c.keys(t, keys, path)
    conn = c.get(t, "connection", path, "a string",
                 check=lambda v: None if v in CONNECTIONS else f"must be one of {', '.join(CONNECTIONS)}")
    profile = c.get(t, "profile", path, "a string", "TM-T20II")
    codepage = c.get(t, "codepage", path, "a string", "CP858")
    if profile is not None:
        from config.escpos_profiles import capabilities

        profiles = capabilities()["profiles"]
        if profile not in profiles:
            close = difflib.get_close_matches(profile, list(profiles), n=1)
            c.bad(f"{path}.profile", "unknown python-escpos profile" +
                  (f"; did you mean {close[0]!r}?" if close else ""), profile)
        elif codepage is not None and codepage not in profiles[profile].get("codePages", {}).values():
            c.bad(f"{path}.codepage", f"profile {profile} has no such code page (CP858 or CP437 print à è é ì ò ù)",
                  codepage)
    width = c.get(t, "paper_width_mm", path, "an integer", 80,
                  lambda v: None if v in (58, 80) else "must be 58 or 80")
    timeout = c.get(t, "timeout_s", path, "a number", 5.0, positive)
    poll = c.get(t, "status_poll_s", path, "a number", 5.0, positive)
    extra: dict[str, Any] = {}
    required = {"usb": ("usb_vendor_id", "usb_product_id"), "serial": ("serial_device",),
                "network": ("host",), "file": ("device",), "folder": ("folder",)}.get(conn or "", ())
    kinds = {"usb_vendor_id": "an integer", "usb_product_id": "an integer", "usb_in_ep": "an integer",
             "usb_out_ep": "an integer", "serial_device": "a non-empty string", "serial_baudrate": "an integer",
             "host": "a non-empty string", "port": "an integer", "device": "a non-empty string",
             "folder": "a non-empty string", "qr_url": "a string", "logo": "a string"}
    checks = {"port": tcp_port, "usb_vendor_id": lambda v: None if 0 < v <= 0xFFFF else "must be 0x0001-0xFFFF",
              "usb_product_id": lambda v: None if 0 < v <= 0xFFFF else "must be 0x0001-0xFFFF",
              "qr_url": lambda v: url_problem(v) if v else None}
    for key, kind in kinds.items():
        if key in required:
            extra[key] = c.get(t, key, path, kind, check=checks.get(key))
        elif key in t:
            extra[key] = c.get(t, key, path, kind, None, checks.get(key))
    if None in (conn, profile, codepage, width, timeout, poll) or any(extra.get(k) is None for k in required):
        return None
    if extra.get("folder"):
        extra["folder"] = _resolve(extra["folder"], data_dir)
    if extra.get("logo"):
        extra["logo"] = _resolve(extra["logo"], base_dir)
    extra = {k: v for k, v in extra.items() if v is not None}
    return PrinterSettings(conn, profile, codepage, width, float(timeout), float(poll), **extra)


def _hub(c: Checker, t: dict[str, Any], base_dir: Path) -> HubSettings | None:
    c.keys(t, ("listen", "url", "token", "data_dir", "history_days", "message", "push_timeout_s",
               "heartbeat_s", "session_hours", "max_connections_per_address", "max_streams_per_address",
               "tls_cert", "tls_key", "tls_fingerprint", "manager_pin", "public_url", "disk_reserve_mb",
               "web_push"), "hub")
    listen = c.get(t, "listen", "hub", "a string", "127.0.0.1:8080",
                   lambda v: None if parse_listen(v) else "must be HOST:PORT with a port 1-65535")
    url = c.get(t, "url", "hub", "a string", check=url_problem)
    token = c.get(t, "token", "hub", "a string",
                  check=lambda v: None if len(v) >= 16 and v.isprintable() and " " not in v
                  else "must be at least 16 printable characters without spaces")
    data_dir = c.get(t, "data_dir", "hub", "a non-empty string", "")
    history = c.get(t, "history_days", "hub", "an integer", 90, positive)
    message = c.get(t, "message", "hub", "a string", "")
    push_timeout = c.get(t, "push_timeout_s", "hub", "a number", 3.0, positive)
    heartbeat = c.get(t, "heartbeat_s", "hub", "a number", 30.0, positive)
    session_hours = c.get(t, "session_hours", "hub", "a number", 10.0,
                          lambda v: None if 0.1 <= v <= 168 else "must be between 0.1 and 168 hours")
    per_address = c.get(t, "max_connections_per_address", "hub", "an integer", 64,
                        lambda v: None if 4 <= v <= 10000 else "must be between 4 and 10000")
    streams = c.get(t, "max_streams_per_address", "hub", "an integer", 8,
                    lambda v: None if 1 <= v <= 1000 else "must be between 1 and 1000")
    tls_cert = c.get(t, "tls_cert", "hub", "a non-empty string", "")
    tls_key = c.get(t, "tls_key", "hub", "a non-empty string", "")
    if bool(tls_cert) != bool(tls_key):
        c.bad("hub.tls_key" if tls_cert else "hub.tls_cert", "tls_cert and tls_key go together", tls_key or tls_cert)
    fingerprint = c.get(t, "tls_fingerprint", "hub", "a string", "",
                        lambda v: None if re.fullmatch(r"([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}", v)
                        else "must be the certificate's SHA-256 fingerprint (64 hex digits, colons allowed)")
    if url and url.startswith("https://") and not fingerprint:
        c.bad("hub.tls_fingerprint", "missing: an https:// hub.url needs the hub certificate's fingerprint "
              "(openssl x509 -in hub.crt -noout -fingerprint -sha256)")
    manager_pin = c.get(t, "manager_pin", "hub", "a string", "", lambda v: pin_code(v) if v else None)
    public_url = c.get(t, "public_url", "hub", "a string", "", lambda v: public_url_problem(v) if v else None)
    reserve = c.get(t, "disk_reserve_mb", "hub", "a number", 20.0,
                    lambda v: None if 1 <= v <= 100_000 else "must be between 1 and 100000 MB")
    web_push = c.get(t, "web_push", "hub", "true or false", False)
    if web_push and public_url is not None and not public_url.startswith("https://"):  # issue 22: display.push
        c.bad("hub.web_push", "needs hub.public_url on https:// (phones take Web Push only from secure pages)",
              public_url)
    if None in (listen, url, token, history, message, push_timeout, heartbeat, session_hours, per_address, streams,
                tls_cert, tls_key, fingerprint, manager_pin, public_url, reserve):
        return None
    host, port = parse_listen(listen) or ("127.0.0.1", 8080)
    directory = _resolve(data_dir, base_dir) if data_dir else default_data_dir(base_dir, role="hub")
    return HubSettings(host, port, url.rstrip("/"), token, directory, history, message,
                       float(push_timeout), float(heartbeat), session_hours=float(session_hours),
                       max_connections_per_address=per_address, max_streams_per_address=streams,
                       tls_cert=_resolve(tls_cert, base_dir) if tls_cert else None,
                       tls_key=_resolve(tls_key, base_dir) if tls_key else None,
                       tls_fingerprint=(fingerprint or "").replace(":", "").lower(), manager_pin=manager_pin,
                       public_url=public_url.rstrip("/"), disk_reserve_mb=float(reserve), web_push=bool(web_push))


def _desks(c: Checker, value: Any, service_ids: list[str]) -> list[Desk]:
    if value is MISSING or value == []:
        c.bad("desks", "missing: add at least one [[desks]] table")
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        c.bad("desks", "must be an array of tables ([[desks]])", value)
        return []
    out: list[Desk] = []
    seen: set[str] = set()
    for i, t in enumerate(value):
        path = f"desks[{i}]"
        c.keys(t, ("id", "name", "services", "pin", "days", "prefer", "priority_ratio"), path)
        did = c.get(t, "id", path, "a string", check=lambda v: None if _SERVICE_ID_RE.match(v)
                    else "must be lowercase letters, digits, '-' or '_'")
        if did in seen:
            c.bad(f"{path}.id", "duplicate desk id", did)
        seen.add(did)
        name = c.get(t, "name", path, "a non-empty string")
        services = c.get(t, "services", path, "a list of strings")
        for j, sid in enumerate(services or []):
            if sid not in service_ids:
                close = difflib.get_close_matches(sid, service_ids, n=1)
                c.bad(f"{path}.services[{j}]", "unknown service" + (f"; did you mean {close[0]!r}?" if close else ""),
                      sid)
        if services == []:
            c.bad(f"{path}.services", "must list at least one service", services)
        pin = c.get(t, "pin", path, "a string", check=pin_code)
        days = desk_days(c, t, path)
        prefer = desk_prefer(c, t, path, [s for s in services or [] if s in service_ids] if services else None)
        ratio = desk_ratio(c, t, path)
        if None not in (did, name, services, pin, days, prefer) and ratio is not MISSING:
            out.append(Desk(did, name, tuple(services), pin, days, prefer, ratio))  # type: ignore[arg-type]
    return out

