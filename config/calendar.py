"""[calendar]: appointments imported from the town's online booking (issue 23, point 3).

The booking module publishes its appointments as a calendar; the hub reads it every `poll_s`
seconds (display.calendar_poller) so the reception never types them twice. The site file says
where the calendar is and how an event becomes an appointment:

- `url`: a CalDAV collection (`kind = "caldav"`, read with a calendar-query REPORT) or an
  iCalendar file (`kind = "ics"`, read with GET);
- `credentials`: a separate file, owned by root and readable by the hub only, holding
  `username` and `password` (never the site file, which every Pi gets a copy of);
- the service of each event: `service_from = "category"` (its CATEGORIES), `"prefix"` (the
  start of its SUMMARY, which is read and then forgotten) or `"calendar"` (one service for the
  whole calendar: `service`); `services` maps categories or prefixes to service ids;
- `code_property`: the event's property carrying the booking code the citizen types at the
  totem (an 11-digit appointment number: display.calendar_events).
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from config.checks import Checker, url_problem
from config.model import CalendarSettings, Service

KINDS = ("caldav", "ics")
SERVICE_FROM = ("category", "prefix", "calendar")
KEYS = ("url", "kind", "credentials", "poll_s", "service_from", "services", "service", "code_property")
DEFAULT_POLL_S = 60


def _service_id(c: Checker, path: str, value: Any, services: list[Service]) -> str | None:
    """A service an imported appointment can be about: a known one, not the check-in button itself."""
    allowed = [s.id for s in services if not s.appointments]
    if not isinstance(value, str):
        c.bad(path, "must be a service id (a string)", value)
        return None
    if value not in allowed:
        close = difflib.get_close_matches(value, allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; services: {', '.join(allowed)}"
        c.bad(path, "unknown service (or the appointments button itself)" + hint, value)
        return None
    return value


def parse_calendar(c: Checker, t: dict[str, Any], *, services: list[Service], reception: Any,
                   resolve: Any) -> CalendarSettings | None:
    """`resolve(text)`: a path relative to the site file's folder."""
    c.keys(t, KEYS, "calendar")
    url = c.get(t, "url", "calendar", "a string", check=url_problem)
    kind = c.get(t, "kind", "calendar", "a string", "caldav",
                 lambda v: None if v in KINDS else f"must be one of {', '.join(KINDS)}")
    credentials = c.get(t, "credentials", "calendar", "a non-empty string", "")
    if url and "@" in url.split("//", 1)[-1].split("/", 1)[0]:
        c.bad("calendar.url", "must not carry a user or password: put them in the file named by "
              "calendar.credentials (the site file is copied to every Pi)", url.split("@")[-1])
    poll_s = c.get(t, "poll_s", "calendar", "an integer", DEFAULT_POLL_S,
                   lambda v: None if 10 <= v <= 3600 else "must be 10-3600 seconds")
    service_from = c.get(t, "service_from", "calendar", "a string", "category",
                         lambda v: None if v in SERVICE_FROM else f"must be one of {', '.join(SERVICE_FROM)}")
    mapping: dict[str, str] = {}
    service = ""
    if service_from == "calendar":
        service = _service_id(c, "calendar.service", t.get("service"), services) or ""
        if "services" in t:
            c.bad("calendar.services", 'is used with service_from = "category" or "prefix"; with "calendar" '
                  "give service", t["services"])
    elif service_from is not None:
        table = c.table(t, "services", "calendar")
        for key, value in table.items():
            if not key.strip():
                c.bad("calendar.services", "an empty category or prefix", key)
                continue
            sid = _service_id(c, f"calendar.services.{key}", value, services)
            if sid:
                mapping[key.strip().lower()] = sid
        if table == {} and "services" in t:
            c.bad("calendar.services", "must map at least one category or prefix to a service", {})
        if "service" in t:
            c.bad("calendar.service", 'is used with service_from = "calendar"', t["service"])
    code_property = c.get(t, "code_property", "calendar", "a non-empty string", "X-BOOKING-CODE",
                          lambda v: None if v.replace("-", "").isalnum() else "must be an iCalendar property name")
    if reception is None:
        c.bad("calendar", "needs a [reception] table (imported appointments are checked in like the reception's)")
    elif not any(s.appointments for s in services):
        c.bad("calendar", "needs a service with appointments = true: its totem button checks the citizens in")
    if None in (url, kind, credentials, poll_s, service_from, code_property) or (service_from == "calendar"
                                                                                 and not service):
        return None
    return CalendarSettings(url.rstrip("/") + "/" if kind == "caldav" else url, kind, float(poll_s), service_from,
                            mapping, service,
                            Path(resolve(credentials)) if credentials else None, code_property.upper())
