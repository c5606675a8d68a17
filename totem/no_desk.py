"""Which services have no desk today. Pure logic.

A service has "no open desk today" when every desk that calls it rests on today's weekday
(`[[desks]] days` in the site file). Holidays, closed dates and the day's hours close the
whole site (the totem shows Closed), so they need no second look here. A paused desk is not
counted as resting: a pause ends (the hub's estimate assumes it comes back, and the
"may not be called before closing" warning covers a pause that outlasts the day).

The totem greys such a service on Home and refuses it (`Issuer.check`), or, with
`site.issue_when_no_desk_today = true`, warns before issuing and prints the warning; the
`totem issue` command and the reception point follow the same rule, through the same issuer.
"""

from __future__ import annotations

from datetime import date

from config.i18n import Translator
from config.model import Config, Desk


def desks_working(config: Config, day: date) -> tuple[Desk, ...]:
    """The desks whose days include `day`'s weekday."""
    return tuple(d for d in config.desks if day.weekday() in d.days)


def no_desk_today(config: Config, service_id: str, day: date) -> bool:
    """No desk that calls `service_id` works on `day` (a service no desk calls at all is refused
    by check-config, and counts here too)."""
    return not any(day.weekday() in d.days for d in config.desks_for(service_id))


def services_without_desk(config: Config, day: date) -> frozenset[str]:
    """The ids of the services with no desk on `day`: what Home greys out."""
    return frozenset(s.id for s in config.services if no_desk_today(config, s.id, day))


def ticket_warning(lang: str) -> str:
    """The line a ticket issued anyway prints (and the screen shows) under its service."""
    return Translator(lang)("ticket_no_desk_today")
