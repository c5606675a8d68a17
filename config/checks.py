"""Typed reads of a parsed TOML tree that record problems instead of raising, and the
value checks the site file's sections share."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import time
from typing import Any
from urllib.parse import urlsplit

from config.errors import Problem
from config.model import TimeRange

MISSING = object()
_RANGE_RE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_PIN_RE = re.compile(r"^\d{4,8}$")


class Checker:
    """Typed reads of a parsed TOML tree that record problems instead of raising."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def bad(self, path: str, message: str, got: object = MISSING) -> None:
        self.problems.append(Problem(path, message, None if got is MISSING else got, got is not MISSING))

    def keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
                self.bad(_join(path, key), "unknown key" + hint, key)

    def table(self, parent: Mapping[str, Any], key: str, path: str, required: bool = True) -> dict[str, Any]:
        value = parent.get(key, MISSING)
        if value is MISSING:
            if required:
                self.bad(_join(path, key), "missing required table")
            return {}
        if not isinstance(value, dict):
            self.bad(_join(path, key), "must be a table", value)
            return {}
        return value

    def get(
        self,
        table: Mapping[str, Any],
        key: str,
        path: str,
        kind: str,
        default: Any = MISSING,
        check: Callable[[Any], str | None] | None = None,
    ) -> Any:
        full = _join(path, key)
        value = table.get(key, MISSING)
        if value is MISSING:
            if default is MISSING:
                self.bad(full, f"missing required key ({kind})")
                return None
            return default
        if not is_kind(value, kind):
            self.bad(full, f"must be {kind}", value)
            return None if default is MISSING else default
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and any(unicodedata.category(ch) == "Cc" for ch in t) for t in texts):
            # NUL, escape sequences, line breaks: they break screens, tickets and logs
            self.bad(full, "contains a control character (NUL, newline, escape...)", value)
            return None if default is MISSING else default
        if check is not None:
            message = check(value)
            if message:
                self.bad(full, message, value)
                return None if default is MISSING else default
        return value


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def is_kind(value: Any, kind: str) -> bool:
    if kind == "a string":
        return isinstance(value, str)
    if kind == "a non-empty string":
        return isinstance(value, str) and value.strip() != ""
    if kind == "an integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "a number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "true or false":
        return isinstance(value, bool)
    if kind == "a list of strings":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "a list":
        return isinstance(value, list)
    raise AssertionError(kind)


def window_size(c: Checker, t: Mapping[str, Any], path: str, default: list[int]) -> list[int] | None:
    """[width, height] of a window in pixels, each 200-8000."""
    size = c.get(t, "window_size", path, "a list", default)
    if size is not None and not (len(size) == 2 and all(is_kind(v, "an integer") and 200 <= v <= 8000 for v in size)):
        c.bad(f"{path}.window_size", "must be [width, height] in pixels, each 200-8000", size)
        return None
    return size


def volume(value: float) -> str | None:
    return None if 0 <= value <= 1 else "must be between 0.0 (mute) and 1.0"


def positive(value: float) -> str | None:
    return None if value > 0 else "must be greater than 0"


def non_negative(value: float) -> str | None:
    return None if value >= 0 else "must be 0 or more"


def tcp_port(value: int) -> str | None:
    return None if 1 <= value <= 65535 else "must be a TCP port, 1-65535"


def bcm_pin(value: int) -> str | None:
    return None if 0 <= value <= 27 else "must be a BCM GPIO number 0-27"


def pin_code(value: str) -> str | None:
    return None if _PIN_RE.match(value) else "must be 4 to 8 digits, as a quoted string"


def parse_range(text: str) -> tuple[TimeRange | None, str | None]:
    match = _RANGE_RE.match(text.strip())
    if not match:
        return None, "must look like '08:45-13:00'"
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2 != 0):
        return None, "is not a real time of day"
    start = time(h1, m1)
    end = time(23, 59, 59) if h2 == 24 else time(h2, m2)
    if end <= start:
        return None, "ends before it starts"
    return TimeRange(start, end), None


def parse_listen(text: str) -> tuple[str, int] | None:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        return None
    return host.strip("[]"), int(port)


def public_url_problem(text: str) -> str | None:
    """An address printed in a QR code: http(s), a host, maybe a path; no query or fragment."""
    problem = url_problem(text)
    if problem is None and (urlsplit(text).query or urlsplit(text).fragment):
        return "must have no ?query or #fragment (the ticket's page is added after it)"
    return problem


def url_problem(text: str) -> str | None:
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return "is not a valid URL (bad port?)"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http:// or https:// URL with a host"
    if port is not None and not 1 <= port <= 65535:
        return "has a port outside 1-65535"
    return None
