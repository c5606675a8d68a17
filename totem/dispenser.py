"""Take a ticket: the one path shared by a tap, a keypress, the GPIO button and `totem issue`.

1. a printer known to be unable to print refuses before any number is used; so does a
   tap whose ticket may not be called before closing (`MayNotBeCalled`), until the citizen
   chooses to take it anyway;
2. the number is committed durably (Issuer.issue) with the people ahead the totem
   already knows (exact from the hub's live queue, "circa" without it: never a request);
   the caller is told its code (the kiosk shows it at once) and listeners (the outbox
   pusher) are woken, so the ticket goes to the hub at once;
3. the ticket is printed at once (rule 10: the network is never on the path from a tap to
   the paper); if that fails it is voided (the void goes out like any event) and the
   printer is reported failed (the kiosk goes Out of service until it answers);
4. later, off this path: the hub's own count of the ticket, if it differs from the printed
   one (a ticket from another totem in the same instant), corrects the screen and the
   spoken message (HubView.on_corrected); the follow-your-turn page is the hub's own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from config.errors import PrinterUnavailable
from printer.status import PrinterState
from totem.issuing import IssuedTicket, Issuer

log = logging.getLogger(__name__)
_STATES = {s.value for s in PrinterState}


class Printer(Protocol):
    def print_ticket(self, ticket: IssuedTicket) -> None: ...


class Dispenser:
    def __init__(self, *, issuer: Issuer, printer: Printer, printer_state: Callable[[], PrinterState],
                 on_event: Callable[[], None] = lambda: None,
                 on_printer_failed: Callable[[PrinterState], None] = lambda state: None) -> None:
        self.issuer = issuer
        self.printer = printer
        self.printer_state = printer_state
        self.on_event = on_event
        self.on_printer_failed = on_printer_failed  # the monitor: Out of service until the printer answers
        self._lock = threading.Lock()  # one ticket at a time from this totem

    def ready(self, service_id: str) -> None:
        """Steps 1's checks alone (open, printer able): before asking the hub about an appointment."""
        self.issuer.check(service_id)
        state = self.printer_state()
        if not state.can_print:
            raise PrinterUnavailable(state.value, "known before issuing; no number used")

    def take(self, service_id: str, *, lang: str | None = None,
             on_issued: Callable[[IssuedTicket], None] = lambda ticket: None, appointment: str | None = None,
             note: str = "", accept_late: bool = True) -> IssuedTicket:
        """`appointment`, `note`: a checked-in appointment's number and the line printed about it.
        `accept_late=False` (a tap): step 1 also refuses with `MayNotBeCalled` when the wait the
        ticket would print reaches past closing, so the screen can say so before any number is used."""
        with self._lock:
            self.ready(service_id)
            if not accept_late:
                self.issuer.check_late(service_id)
            ticket = self.issuer.issue(service_id, lang=lang, appointment=appointment, note=note)
            on_issued(ticket)
            self.on_event()
            try:
                self.printer.print_ticket(ticket)
            except PrinterUnavailable as exc:
                self.issuer.void(ticket, f"printer: {exc.state}")
                self.on_event()
                self.on_printer_failed(PrinterState(exc.state) if exc.state in _STATES else PrinterState.ERROR)
                raise PrinterUnavailable(exc.state, exc.detail, voided=ticket.code) from exc
            except Exception as exc:  # any printing bug still voids the committed number (rule 2)
                self.issuer.void(ticket, f"printer error: {type(exc).__name__}")
                self.on_event()
                self.on_printer_failed(PrinterState.ERROR)
                raise PrinterUnavailable("error", str(exc), voided=ticket.code) from exc
            self.issuer.mark_printed(ticket)
            return ticket
