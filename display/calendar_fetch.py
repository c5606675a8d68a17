"""Reading the online booking's calendar over HTTP (issue 23, point 3): the poller's I/O.

- `kind = "ics"`: one GET of the iCalendar file;
- `kind = "caldav"`: one calendar-query REPORT (RFC 4791 7.8, Depth 1) on the collection, asking
  for every VEVENT's calendar data; each answer's `calendar-data` is one iCalendar document.
Both with `requests` (already the totem's) and the standard library's XML parser: `caldav` 3.6
would add 15 packages (lxml, qh3 and two more compiled; urllib3-future over requests' urllib3)
for one request written here in 20 lines.

Credentials come from their own file (`calendar.credentials`: `username = "..."`, `password =
"..."`, TOML), or from systemd's credential of the same name ($CREDENTIALS_DIRECTORY, when the
unit has `LoadCredential=`); a file that others may read is refused. Failures raise
`CalendarUnavailable` naming the address (never the password) and what went wrong.
"""

from __future__ import annotations

import os
import stat
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

from config.errors import TotemError
from config.model import CalendarSettings

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 20.0
MAX_BYTES = 20 * 2**20  # a year of a busy office is a few MB
_DAV = "{DAV:}"
_CALDAV = "{urn:ietf:params:xml:ns:caldav}"
QUERY = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">{range}</C:comp-filter></C:comp-filter>
  </C:filter>
</C:calendar-query>"""


class CalendarUnavailable(TotemError, ConnectionError):
    """The calendar could not be read now (network, answer, credentials); nothing was changed."""


def credentials(path: Path | None) -> tuple[str, str] | None:
    """(username, password) from the credentials file, or None when the site names none."""
    if path is None:
        return None
    systemd = os.environ.get("CREDENTIALS_DIRECTORY")
    if systemd and (Path(systemd) / path.name).is_file():
        path = Path(systemd) / path.name
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise CalendarUnavailable(f"cannot read the calendar credentials {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXO | stat.S_IWGRP):
        raise CalendarUnavailable(f"{path}: others may read or change it (mode {stat.filemode(mode)}): "
                                  f"chown root:totem {path}; chmod 0640 {path}")
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise CalendarUnavailable(f"cannot read the calendar credentials {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CalendarUnavailable(f"{path}: not TOML ({exc})") from None
    user, password = data.get("username"), data.get("password")
    if not isinstance(user, str) or not isinstance(password, str):
        raise CalendarUnavailable(f"{path}: needs username = \"...\" and password = \"...\"")
    return user, password


def query(since: datetime | None) -> bytes:
    """The REPORT's body: every VEVENT, or those from `since` on (the server filters: years of past
    bookings are not sent at every poll)."""
    scope = f'<C:time-range start="{since.astimezone(UTC):%Y%m%dT%H%M%SZ}"/>' if since is not None else ""
    return QUERY.format(range=scope).encode()


def fetch(settings: CalendarSettings, *, since: datetime | None = None, session: object | None = None
          ) -> list[bytes]:
    """Every iCalendar document of the calendar now (with CalDAV, events from `since` on);
    raises `CalendarUnavailable`."""
    import requests

    http = session if session is not None else requests
    auth = credentials(settings.credentials)
    timeout = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
    try:
        if settings.kind == "ics":
            response = http.get(settings.url, auth=auth, timeout=timeout, headers={"Accept": "text/calendar"},
                                stream=True)
        else:
            response = http.request("REPORT", settings.url, data=query(since), auth=auth, timeout=timeout,
                                    headers={"Depth": "1", "Content-Type": "application/xml; charset=utf-8"},
                                    stream=True)
        with response:
            expected = 200 if settings.kind == "ics" else 207
            if response.status_code != expected:
                hint = " (check calendar.credentials)" if response.status_code in (401, 403) else ""
                raise CalendarUnavailable(f"{settings.url}: HTTP {response.status_code}{hint}")
            body = b""
            for chunk in response.iter_content(65536):  # read no more than MAX_BYTES into memory
                body += chunk
                if len(body) > MAX_BYTES:
                    raise CalendarUnavailable(f"{settings.url}: over {MAX_BYTES} bytes")
    except requests.RequestException as exc:
        raise CalendarUnavailable(f"{settings.url}: not reachable ({type(exc).__name__})") from None
    if settings.kind == "ics":
        if not body.lstrip().startswith(b"BEGIN:VCALENDAR"):
            raise CalendarUnavailable(f"{settings.url}: not an iCalendar file")
        return [body]
    return _calendar_data(body, settings.url)


def _calendar_data(body: bytes, url: str) -> list[bytes]:
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise CalendarUnavailable(f"{url}: the REPORT answer is not XML ({exc})") from None
    if root.tag != f"{_DAV}multistatus":
        raise CalendarUnavailable(f"{url}: the REPORT answer is not a multistatus")
    documents = []
    for response in root.iter(f"{_DAV}response"):
        for data in response.iter(f"{_CALDAV}calendar-data"):
            if data.text and data.text.strip():
                documents.append(data.text.encode())
    return documents
