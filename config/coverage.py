"""What the site file must agree with itself about, beyond each key's own value: every
service has a desk that calls it, and every service's button text is readable.

Both are refusals (check-config exits 2), not warnings: a service no desk serves prints
tickets nobody can ever call, and a label under 4.5:1 is below the legal floor (WCAG 2.1
AA, EN 301 549). A desk serving an unknown service is refused where the desk is read.
"""

from __future__ import annotations

from collections.abc import Sequence

from config.checks import Checker
from config.colours import WHITE, contrast, hex_colour
from config.model import Desk, Service

MIN_TEXT_CONTRAST = 4.5  # white text on a service colour: below this the site file is refused


def check_coverage(c: Checker, services: Sequence[Service], desks: Sequence[Desk]) -> None:
    """One problem per service that no [[desks]] table lists (named by its id key)."""
    if not desks:  # no desk at all is already one problem ("desks: missing")
        return
    served = {sid for desk in desks for sid in desk.services}
    for i, service in enumerate(services):
        if service.id in served:
            continue
        kind = ("an appointments service" if service.appointments
                else "a priority service" if service.priority else "a service")
        c.bad(f"services[{i}].id", f"{kind} that no desk calls: its tickets would wait forever; add it to the "
              "services of a [[desks]] table, or remove it", service.id)


def check_contrast(c: Checker, services: Sequence[Service]) -> None:
    """White button and ticket-screen text on each service colour: at least 4.5:1."""
    for i, service in enumerate(services):
        ratio = contrast(WHITE, hex_colour(service.colour))
        if ratio < MIN_TEXT_CONTRAST:
            c.bad(f"services[{i}].colour", f"white text on it is {ratio:.1f}:1, below the legal minimum 4.5:1; "
                  "choose a darker colour", service.colour)
