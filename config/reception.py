"""[reception]: the reception point at the entrance (issue 14).

The reception staff open `/reception` on the hub with their PIN. There they issue a ticket
for a citizen who cannot or will not use the totem, numbered from the reception's own
[[totems]] block (so codes never meet a totem's), and enter phone or e-mail appointments,
which the citizen checks in at the totem's appointments button with the number given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from config.checks import Checker, pin_code
from config.model import PrinterSettings, ReceptionSettings, Service, TotemBlock

PRINT_TO = ("screen", "printer")
KEYS = ("pin", "issuer", "print", "printer", "checkin_early_min", "checkin_late_min")


def parse_reception(c: Checker, t: dict[str, Any], *, totems: list[TotemBlock],
                    parse_printer: Callable[[Checker, dict[str, Any], str], PrinterSettings | None],
                    ) -> ReceptionSettings | None:
    """`parse_printer(c, table, path)`: the loader's [printer] parser, for [reception.printer]."""
    c.keys(t, KEYS, "reception")
    pin = c.get(t, "pin", "reception", "a string", check=pin_code)
    issuer = c.get(t, "issuer", "reception", "a string", "accoglienza")
    blocks = {b.id for b in totems}
    if issuer is not None and issuer not in blocks:
        c.bad("reception.issuer", "needs its own [[totems]] block of numbers (id = this name), so the reception's "
              "codes never meet a totem's" + (f"; blocks now: {', '.join(sorted(blocks))}" if blocks else ""), issuer)
    print_to = c.get(t, "print", "reception", "a string", "screen",
                     lambda v: None if v in PRINT_TO else f"must be one of {', '.join(PRINT_TO)}")
    printer = None
    if print_to == "printer":
        printer = parse_printer(c, c.table(t, "printer", "reception"), "reception.printer")
    elif "printer" in t:
        c.bad("reception.printer", 'is used only with print = "printer"', print_to)
    early = c.get(t, "checkin_early_min", "reception", "an integer", 30,
                  lambda v: None if 0 <= v <= 240 else "must be 0-240 minutes")
    late = c.get(t, "checkin_late_min", "reception", "an integer", 30,
                 lambda v: None if 0 <= v <= 240 else "must be 0-240 minutes")
    if None in (pin, issuer, print_to, early, late) or (print_to == "printer" and printer is None):
        return None
    return ReceptionSettings(pin, issuer, print_to, printer, early, late)


def check_appointment_services(c: Checker, services: list[Service], reception: Any) -> None:
    """At most one appointments button, and only where appointments can be entered."""
    marked = [i for i, s in enumerate(services) if s.appointments]
    for i in marked[1:]:
        c.bad(f"services[{i}].appointments", f"only one service checks in appointments (also services[{marked[0]}])",
              True)
    if marked and reception is None:
        c.bad(f"services[{marked[0]}].appointments", "needs a [reception] table: appointments are entered there",
              True)
