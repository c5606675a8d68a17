"""Tickets issued at the reception point, on the hub (issue 14).

The reception is one more issuer of the site: it numbers from its own [[totems]] block
(`reception.issuer`), keeps its tickets in its own store beside the hub's queue
(`reception.sqlite3` in the hub's data directory), and obeys the totem's rules.

Steps of `issue` (one ticket at a time: one lock):
1. the service is checked (known, open now) by the same `Issuer` the totems use;
2. the number is committed durably, with its "issued" event in the store's outbox;
3. the event is handed to the hub's queue in this process (`deliver`), which answers the
   exact people ahead; the ticket's estimate is that answer;
4. the ticket prints on the reception's printer (`reception.print = "printer"`), or is only
   shown on the page (`"screen"`); a printer failure voids it, and the void is delivered too.

Failure paths: `ServiceClosed`, `UnknownService`, `NumbersExhausted` (the block is used up
today), `PrinterUnavailable` (nothing printed; the number voided). Events not delivered
(the hub stopped between 2 and 3) are delivered at the next start (`deliver`), so the queue
never misses a ticket the reception issued.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

from config.errors import PrinterUnavailable
from config.model import Config
from totem.clock import Clock
from totem.hubview import estimate_from_position
from totem.issuing import IssuedTicket, Issuer
from totem.store import TicketStore

log = logging.getLogger(__name__)

TARGET = "hub-local"  # the outbox cursor of the queue in this same process
FILENAME = "reception.sqlite3"


class Printer(Protocol):
    def print_ticket(self, ticket: IssuedTicket) -> None: ...
    def close(self) -> None: ...


class ReceptionIssuer:
    def __init__(self, *, config: Config, clock: Clock, printer: Printer | None, always_open: bool = False) -> None:
        assert config.reception is not None
        # The reception as an issuer of its own: its id and block, no anti-spam interval (staff at a PC).
        own = replace(config, totem=replace(config.totem, id=config.reception.issuer, min_interval_s=0.0,
                                            data_dir=config.hub.data_dir))
        self.config = own
        self.store = TicketStore(config.hub.data_dir / FILENAME)
        self.issuer = Issuer(config=own, store=self.store, clock=clock, ignore_hours=always_open)
        self.printer = printer
        self._lock = threading.Lock()

    def close(self) -> None:
        if self.printer is not None:
            self.printer.close()
        self.store.close()

    def deliver(self, ingest: Callable[[dict[str, Any]], dict[str, Any]], void: Callable[[str], object]) -> int:
        """Hand every undelivered event to the queue, in order; returns how many. `ingest`
        returns the ticket's position (what the hub tells its holder)."""
        sent = 0
        while events := self.store.pending_events(TARGET, limit=100):
            for event in events:
                if event.kind == "issued":
                    ingest(event.payload)
                else:
                    void(event.ticket_id)
                self.store.ack(TARGET, event.seq)
                sent += 1
        return sent

    def issue(self, service_id: str, lang: str, *, ingest: Callable[[dict[str, Any]], dict[str, Any]],
              void: Callable[[str], object]) -> tuple[IssuedTicket, bool]:
        """Issue, hand to the queue and print one ticket: (the ticket, printed on paper)."""
        with self._lock:
            self.issuer.check(service_id)
            ticket = self.issuer.issue(service_id, lang=lang)
            position: dict[str, Any] = {}

            def counted(payload: dict[str, Any]) -> dict[str, Any]:
                answer = ingest(payload)
                if payload["id"] == ticket.id:
                    position.update(answer)
                return answer

            self.deliver(counted, void)
            estimate = estimate_from_position(position)
            if estimate is not None:
                ticket = replace(ticket, estimate=estimate)
            if self.printer is None:
                self.issuer.mark_printed(ticket)
                return ticket, False
            try:
                self.printer.print_ticket(ticket)
            except Exception as exc:  # nothing printed: the number is voided, the queue told (rule 2)
                self.issuer.void(ticket, f"reception printer: {exc}")
                self.deliver(ingest, void)
                raise exc if isinstance(exc, PrinterUnavailable) else PrinterUnavailable("error", str(exc)) from exc
            self.issuer.mark_printed(ticket)
            return ticket, True


def build_reception(config: Config, clock: Clock, *, always_open: bool = False) -> ReceptionIssuer:
    """The reception's issuer and, with `print = "printer"`, its own printer (same layout as the totem's)."""
    assert config.reception is not None
    printer = None
    if config.reception.print_to == "printer" and config.reception.printer is not None:
        from printer.connections import open_connection
        from printer.ticket_printer import TicketPrinter

        printer = TicketPrinter(config=replace(config, printer=config.reception.printer),
                                connection=open_connection(config.reception.printer))
    return ReceptionIssuer(config=config, clock=clock, printer=printer, always_open=always_open)
