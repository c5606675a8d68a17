"""The issuing rules: which service, whether the desk is open, anti-spam, the estimate.

No I/O beyond the ticket store; no pygame, escpos, requests or gpiozero. The UI, the
CLI and the GPIO button all issue through `Issuer.issue`, so a tap, a keypress, a
button and `totem issue` behave the same.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from config.errors import ClockWrong, DeviceConflict, MayNotBeCalled, NoDeskToday, NoNumberBlock, ServiceClosed
from config.frozen import frozen
from config.model import Config, Service
from totem.callorder import AFTER, BEFORE, DeskView, Waiting, rank
from totem.clock import Clock
from totem.clockcheck import clock_problem
from totem.closing import bound
from totem.estimate import Estimate
from totem.hours import Opening, Schedule
from totem.hubview import HubView, Told, live_estimate
from totem.no_desk import no_desk_today, ticket_warning
from totem.numbering import service_day
from totem.standing import DeviceStanding
from totem.store import TicketStore

log = logging.getLogger(__name__)


@frozen
class IssuedTicket:
    id: str
    code: str
    service: Service
    number: int
    issued_at: datetime  # local, aware
    lang: str
    estimate: Estimate | None
    note: str = ""  # a line under the service on the ticket and the screen (the appointment's time)


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
        if self.no_desk(service.id) and not self.config.site.issue_when_no_desk_today:
            raise NoDeskToday(service.id, may_take=False)
        return service

    def no_desk(self, service_id: str) -> bool:
        """No desk that calls the service works today (`totem.no_desk`)."""
        return no_desk_today(self.config, service_id, self.schedule.local(self.clock.now()).date())

    def competing(self, service: Service) -> tuple[str, ...]:
        """Services whose tickets, taken before one of `service`, may be called before it:
        those of the desks that call `service` (only priority ones for a priority service)."""
        ids = {sid for desk in self.config.desks_for(service.id) for sid in desk.services}
        return tuple(s.id for s in self.config.services if s.id in ids and (s.priority or not service.priority))

    def estimate_for(self, service: Service, now: datetime) -> Estimate:
        """What a ticket taken now is told, from what the totem already knows (no request):
        exact from the hub's live queue when the stream is live, else "circa" from the followed
        forecast plus our own tickets since, else unknown; laid on today's opening hours (never
        past closing)."""
        live = self.view.live(service_day(now, self.schedule.tz))
        told = live.services.get(service.id) if live is not None else None
        if live is not None and told is not None:
            return self.within_hours(
                self._live_estimate(service, told, self.store.not_counted(live.day, live.counted)), now)
        competing = self.competing(service)
        raw = self.view.estimate_for(service.id, day=service_day(now, self.schedule.tz),
                                     count_since=lambda at: self.store.issued_since(competing, at),
                                     minutes_per_person=service.avg_service_min)
        return self.within_hours(raw, now)

    def within_hours(self, estimate: Estimate, now: datetime) -> Estimate:
        """A desk-work range as wall-clock minutes from `now`: breaks added, cut at closing."""
        if estimate.source == "none":
            return estimate
        local = self.schedule.local(now)
        told = bound(estimate.wait_low_min, estimate.wait_high_min, ranges=self.schedule.ranges_on(local.date()),
                     now=local)
        return replace(estimate, wait_low_min=told.low_min, wait_high_min=told.high_min,
                       past_close=told.past_close, closes_at=told.closes_at)

    def check_late(self, service_id: str) -> None:
        """Raise `MayNotBeCalled` when a ticket taken now would be told its wait reaches past closing."""
        service = self.config.service(service_id)
        if self.no_desk(service.id):  # only reached when the site issues it anyway (`check`)
            raise NoDeskToday(service.id, may_take=True)
        if service.appointments:  # a checked-in appointment is called first: its own time, not the queue
            return
        estimate = self.estimate_for(service, self.clock.now())
        if estimate.past_close:
            raise MayNotBeCalled(service.id, estimate.closes_at)

    def _live_estimate(self, service: Service, told: Told, mine: list[str]) -> Estimate:
        """The hub's count for a ticket taken now, plus this totem's tickets it has not counted
        (`mine`: their services) that the call order puts ahead: certainly when every desk that
        calls `service` calls theirs, possibly when only some do (the hub's `ahead` rule)."""
        desks = [DeskView(d.id, frozenset(d.services), frozenset(d.prefer), self.config.calling.ratio(d))
                 for d in self.config.desks_for(service.id)]
        if not desks:
            return Estimate.unknown()
        certain = possible = 0
        ageing = bool(self.config.calling.long_wait_min)
        new = Waiting("~new", "", service.id, service.priority, "2")
        for i, sid in enumerate(mine):
            # Taken earlier, so ahead unless this ticket is a priority and theirs is not (and the site's
            # calling rules: a desk's preference, the ratio, a long wait; `totem.callorder.rank`).
            theirs = self.config.service_or_none(sid)
            earlier = Waiting(f"~{i}", "", sid, bool(theirs and theirs.priority), "1")
            ranks = [rank(d, earlier, new, aged="", ageing=ageing) for d in desks if sid in d.services]
            if any(r != AFTER for r in ranks):
                possible += 1
                certain += len(ranks) == len(desks) and all(r == BEFORE for r in ranks)
        extra_min = certain * service.avg_service_min / max(1, told.desks_open)
        return live_estimate(told, certain_extra=certain, possible_extra=possible, extra_min=extra_min)

    def issue(self, service_id: str, *, lang: str | None = None, appointment: str | None = None,
              note: str = "") -> IssuedTicket:
        """Commit a new ticket durably and return it. Nothing may be printed before this returns.
        `appointment`: the number of the appointment this ticket was checked in for."""
        service = self.check(service_id)
        lang = lang if lang in self.config.site.languages else self.config.site.languages[0]
        if self.no_desk(service.id):  # issued anyway by site choice: the ticket says it
            warning = ticket_warning(lang)
            note = f"{note}. {warning}" if note else warning
        now = self.clock.now()
        ahead = self.estimate_for(service, now)
        first, last = self.config.number_block()
        row = self.store.issue(service_id=service.id, prefix=service.prefix,
                               service_day=service_day(now, self.schedule.tz), issued_at=now, lang=lang,
                               totem_id=self.config.totem.id, min_interval_s=self.config.totem.min_interval_s,
                               first_number=first, last_number=last, appointment=appointment)
        log.info("issued %s (%s)", row.code, service.id)
        self.view.expect(row.id, row.code, ahead)  # the hub's count, when it comes, is compared with it
        return IssuedTicket(row.id, row.code, service, row.number, self.schedule.local(now), lang, ahead, note)

    def sweep_uncertain(self) -> list[str]:
        """At start: tickets an earlier process committed but never finished printing are
        marked "print unconfirmed" and sent again so (`TicketStore.sweep_uncertain`)."""
        now = self.clock.now()
        codes = self.store.sweep_uncertain(today=service_day(now, self.schedule.tz), at=now,
                                           totem_id=self.config.totem.id)
        if codes:
            log.warning("printing not confirmed for %d ticket(s) (the process stopped while printing): %s; the desk "
                        "console shows them", len(codes), ", ".join(codes[:20]))
        return codes

    def mark_printed(self, ticket: IssuedTicket) -> None:
        self.store.mark_printed(ticket.id)

    def void(self, ticket: IssuedTicket, reason: str) -> None:
        if self.store.void(ticket.id, reason=reason, at=self.clock.now()):
            log.warning("voided %s: %s", ticket.code, reason)

    def today_counts(self) -> dict[str, dict[str, int]]:
        return self.store.counts(service_day(self.clock.now(), self.schedule.tz))
