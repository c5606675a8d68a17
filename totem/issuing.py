"""The issuing rules: which service, whether the desk is open, anti-spam, the estimate.

No I/O beyond the ticket store; no pygame, escpos, requests or gpiozero. The UI, the
CLI and the GPIO button all issue through `Issuer.issue`, so a tap, a keypress, a
button and `totem issue` behave the same.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from config.model import Config, Service
from totem.clock import Clock
from totem.clockcheck import clock_problem
from totem.errors import ClockWrong, DeviceConflict, NoNumberBlock, ServiceClosed
from totem.estimate import Estimate
from totem.hours import Opening, Schedule
from totem.hubview import HubView
from totem.numbering import service_day
from totem.standing import DeviceStanding
from totem.store import TicketStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssuedTicket:
    id: str
    code: str
    service: Service
    number: int
    issued_at: datetime  # local, aware
    lang: str
    estimate: Estimate | None
    note: str = ""  # a line under the service on the ticket and the screen (the appointment's time)


ANSWER_WAIT_S = 1.0  # how long a ticket waits for the hub to count the people ahead before printing


class Issuer:
    def __init__(self, *, config: Config, store: TicketStore, clock: Clock, ignore_hours: bool = False,
                 view: HubView | None = None, standing: DeviceStanding | None = None) -> None:
        self.config = config
        self.standing = standing  # the hub's word on this device's id (None: the reception, on the hub)
        self.store = store
        self.clock = clock
        self.ignore_hours = ignore_hours  # demo and installation: take tickets at any hour
        self.schedule = Schedule(config.hours, config.site.timezone)
        self.view = view if view is not None else HubView()

    def opening(self) -> Opening:
        status = self.schedule.status(self.clock.now())
        if self.ignore_hours and not status.accepting:
            return replace(status, accepting=True, reason="forced_open", next_opening=None)
        return status

    def clock_problem(self) -> str | None:
        return clock_problem(self.clock.now(), hub_offset_s=self.view.hub_offset_s())

    def device_problem(self) -> str | None:
        """Why this device may not issue at all (no [[totems]] block, its id taken), or None."""
        try:
            self.config.number_block()
        except NoNumberBlock as exc:
            return str(exc)
        return self.standing.problem() if self.standing is not None else None

    def check(self, service_id: str) -> Service:
        """Raise UnknownService, NoNumberBlock, DeviceConflict, ClockWrong or ServiceClosed if a
        ticket cannot be issued now."""
        service = self.config.service(service_id)
        self.config.number_block()  # NoNumberBlock
        problem = self.standing.problem() if self.standing is not None else None
        if problem is not None:
            raise DeviceConflict(problem)
        problem = self.clock_problem()
        if problem is not None:
            raise ClockWrong(problem)
        opening = self.opening()
        if not opening.accepting:
            raise ServiceClosed(opening.reason, opening.next_opening)
        return service

    def competing(self, service: Service) -> tuple[str, ...]:
        """Services whose tickets, taken before one of `service`, may be called before it:
        those of the desks that call `service` (only priority ones for a priority service)."""
        ids = {sid for desk in self.config.desks_for(service.id) for sid in desk.services}
        return tuple(s.id for s in self.config.services if s.id in ids and (s.priority or not service.priority))

    def estimate_for(self, service: Service, now: datetime) -> Estimate:
        """Before the hub has counted a ticket: the followed forecast plus our own tickets since."""
        competing = self.competing(service)
        return self.view.estimate_for(service.id, day=service_day(now, self.schedule.tz),
                                      count_since=lambda at: self.store.issued_since(competing, at),
                                      minutes_per_person=service.avg_service_min)

    def confirm(self, ticket: IssuedTicket, *, timeout_s: float = ANSWER_WAIT_S) -> IssuedTicket:
        """The exact people ahead, once the hub has counted this ticket (the outbox pushes it
        at once); the forecast-based estimate when the hub does not answer in time."""
        counted = self.view.wait_position(ticket.id, timeout_s)
        return replace(ticket, estimate=counted) if counted is not None else ticket

    def issue(self, service_id: str, *, lang: str | None = None, appointment: str | None = None,
              note: str = "") -> IssuedTicket:
        """Commit a new ticket durably and return it. Nothing may be printed before this returns.
        `appointment`: the number of the appointment this ticket was checked in for."""
        service = self.check(service_id)
        lang = lang if lang in self.config.site.languages else self.config.site.languages[0]
        now = self.clock.now()
        ahead = self.estimate_for(service, now)
        first, last = self.config.number_block()
        row = self.store.issue(service_id=service.id, prefix=service.prefix,
                               service_day=service_day(now, self.schedule.tz), issued_at=now, lang=lang,
                               totem_id=self.config.totem.id, min_interval_s=self.config.totem.min_interval_s,
                               first_number=first, last_number=last, appointment=appointment)
        log.info("issued %s (%s)", row.code, service.id)
        return IssuedTicket(row.id, row.code, service, row.number, self.schedule.local(now), lang, ahead, note)

    def mark_printed(self, ticket: IssuedTicket) -> None:
        self.store.mark_printed(ticket.id)

    def void(self, ticket: IssuedTicket, reason: str) -> None:
        if self.store.void(ticket.id, reason=reason, at=self.clock.now()):
            log.warning("voided %s: %s", ticket.code, reason)

    def today_counts(self) -> dict[str, dict[str, int]]:
        return self.store.counts(service_day(self.clock.now(), self.schedule.tz))
