"""Frozen, typed objects describing one site. Built only by `config.loader`."""

from __future__ import annotations

from dataclasses import field
from datetime import date, time
from pathlib import Path

from config.frozen import frozen
from config.identity import Device

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@frozen
class TimeRange:
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@frozen
class Site:
    name: str
    desk_name: str
    timezone: str
    languages: tuple[str, ...]
    address: str = ""
    issue_when_no_desk_today: bool = False  # a service no desk works today: issue with a warning (else refuse)


@frozen
class Contacts:
    phone: str
    email: str


@frozen
class Hours:
    weekly: tuple[tuple[TimeRange, ...], ...]  # index 0 = Monday
    last_ticket_before_close_min: int
    closed_dates: frozenset[date]
    holidays_country: str  # "" = no computed public holidays
    holidays_subdivision: str = ""


@frozen
class Service:
    id: str
    prefix: str
    labels: dict[str, str] = field(hash=False)
    avg_service_min: float
    priority: bool = False
    colour: str = "#1f4e8c"
    appointments: bool = False  # the totem's button checks in an appointment (its number) instead of issuing

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or next(iter(self.labels.values()))


@frozen
class TotemSettings:
    id: str
    data_dir: Path
    min_interval_s: float
    take_ticket_timeout_s: float
    technician_pin: str
    fullscreen: bool
    window_size: tuple[int, int]
    rotation: int
    file_id: str | None = None  # an obsolete [totem] id in the site file (identity comes from the machine)


@frozen
class PrinterSettings:
    connection: str
    profile: str
    codepage: str
    paper_width_mm: int
    timeout_s: float
    status_poll_s: float
    folder: Path | None = None
    usb_vendor_id: int = 0
    usb_product_id: int = 0
    usb_in_ep: int = 0x82
    usb_out_ep: int = 0x01
    serial_device: str = ""
    serial_baudrate: int = 9600
    host: str = ""
    port: int = 9100
    device: str = ""
    qr_url: str = ""
    logo: Path | None = None


@frozen
class HubSettings:
    listen_host: str
    listen_port: int
    url: str
    token: str
    data_dir: Path
    history_days: int
    message: str
    push_timeout_s: float
    heartbeat_s: float
    session_hours: float = 10.0
    max_connections_per_address: int = 64
    max_streams_per_address: int = 8
    tls_cert: Path | None = None  # the hub serves HTTPS with this certificate and key
    tls_key: Path | None = None
    tls_fingerprint: str = ""  # what the totems pin: the certificate's SHA-256, hex
    manager_pin: str = ""  # opens /reports ("" = the reports page stays locked)
    public_url: str = ""  # the hub as citizens' phones reach it: the ticket's QR ("" = no QR)
    disk_reserve_mb: float = 20.0  # below this much free space on its data dir the hub refuses new work (503)
    web_push: bool = False  # "nearly your turn" by Web Push too (display.push; keys: totem-display push-keys)


@frozen
class DisplaySettings:
    fullscreen: bool = False
    window_size: tuple[int, int] = (1280, 720)
    volume: float = 0.8
    speech: bool = True
    voice: str = "it"
    flash_s: float = 6.0
    # A call is spoken in the site's first language, the ticket holder's (chosen at the totem), then
    # these; at most call_languages_max phrases a call (display.sound.call_languages).
    call_languages: tuple[str, ...] = ("en",)
    call_languages_max: int = 2


@frozen
class AccessibilitySettings:
    """The totem's spoken guidance, its timing for slower users and its panel's size."""

    speech: bool = True
    volume: float = 0.9
    rate_wpm: int = 140
    voices: dict[str, str] = field(default_factory=dict, hash=False)  # language -> espeak-ng voice
    time_factor: float = 3.0  # timed screens last this many times longer in a guided or large-text session
    screen_diagonal_in: float = 7.0  # Home sizes its text for this panel (6 mm capitals, 7 mm large; 3 mm least)

    def voice(self, lang: str) -> str:
        from config.languages import language

        return self.voices.get(lang) or language(lang).voice


@frozen
class Desk:
    id: str
    name: str
    services: tuple[str, ...]
    pin: str
    days: tuple[int, ...] = tuple(range(7))  # weekdays it works (0 = Monday), among the site's open days
    prefer: tuple[str, ...] = ()  # services it calls first; the rest only when none of these waits (config.calling)
    priority_ratio: int | None = None  # this desk's own ratio; None = the site's [calling] priority_ratio


@frozen
class CallingRules:
    """[calling]: the site's rules for the call order (totem.callorder). 0 = the rule is off."""

    priority_ratio: int = 0  # at most this many priority calls in a row at a desk while normal tickets wait
    long_wait_min: float = 0.0  # a ticket waiting longer than this goes ahead of newer priority ones

    def ratio(self, desk: Desk) -> int:
        return self.priority_ratio if desk.priority_ratio is None else desk.priority_ratio

    def any_on(self, desks: tuple[Desk, ...]) -> bool:
        return bool(self.long_wait_min) or any(self.ratio(d) or d.prefer for d in desks)


@frozen
class TotemBlock:
    """A totem's share of the numbering: numbers first..last of every service, every day."""

    id: str
    first: int
    last: int


@frozen
class GpioSettings:
    status_led: int | None
    ticket_button: int | None
    button_service: str
    help_button: int | None = None  # tactile help key: turns on spoken guidance, repeats the screen


@frozen
class ReceptionSettings:
    """The reception point (`/reception` on the hub): tickets issued for citizens, appointments entered."""

    pin: str
    issuer: str  # its [[totems]] block: the reception numbers its own tickets
    print_to: str = "screen"  # "screen": the code on the page; "printer": the reception's own printer
    printer: PrinterSettings | None = None
    checkin_early_min: int = 30  # an appointment checks in from this long before its time...
    checkin_late_min: int = 30  # ... until this long after it


@frozen
class CalendarSettings:
    """[calendar]: appointments imported from the town's online booking (config.calendar)."""

    url: str  # a CalDAV collection, or an iCalendar (.ics) address
    kind: str  # "caldav" | "ics"
    poll_s: float
    service_from: str  # "category" | "prefix" | "calendar"
    services: dict[str, str] = field(hash=False)  # category or summary prefix (lowercase) -> service id
    service: str = ""  # service_from = "calendar": every event is this service
    credentials: Path | None = None  # a root-owned file with username and password (never in the site file)
    code_property: str = "X-BOOKING-CODE"  # where the event carries its booking code


@frozen
class Config:
    source: Path
    site: Site
    contacts: Contacts
    hours: Hours
    services: tuple[Service, ...]
    totem: TotemSettings
    printer: PrinterSettings
    hub: HubSettings
    desks: tuple[Desk, ...]
    gpio: GpioSettings | None
    display: DisplaySettings = field(default_factory=DisplaySettings)
    totems: tuple[TotemBlock, ...] = ()  # empty: one totem, numbering from 1 without a limit
    accessibility: AccessibilitySettings = field(default_factory=AccessibilitySettings)
    reception: ReceptionSettings | None = None
    device: Device | None = None  # this machine (config.identity); its id is totem.id
    calendar: CalendarSettings | None = None  # [calendar]: the online booking's appointments, imported
    calling: CallingRules = field(default_factory=CallingRules)  # [calling]: ratio and ageing (off by default)

    def fingerprint(self) -> str:
        """A short digest of what every Pi of the site must agree on (services, desks, hours,
        numbering, contacts), not of the lines a technician sets per Pi (printer, ids, paths).
        The totems send theirs to the hub; a difference is shown on the desk console."""
        import hashlib
        import json

        shared = {"site": [self.site.name, self.site.desk_name, self.site.timezone, list(self.site.languages)]
                  + (["issue_when_no_desk_today"] if self.site.issue_when_no_desk_today else []),
                  "contacts": [self.contacts.phone, self.contacts.email],
                  "hours": [[[str(r) for r in day] for day in self.hours.weekly],
                            self.hours.last_ticket_before_close_min,
                            sorted(d.isoformat() for d in self.hours.closed_dates), self.hours.holidays_country,
                            self.hours.holidays_subdivision],
                  "services": [[s.id, s.prefix, s.labels, s.avg_service_min, s.priority, s.appointments]
                               for s in self.services],
                  "desks": [[d.id, d.name, list(d.services)] + ([list(d.days)] if d.days != tuple(range(7)) else [])
                            for d in self.desks],  # days only when set: older sites keep their digest
                  "totems": [[b.id, b.first, b.last] for b in self.totems]}
        if self.calling.any_on(self.desks):  # only when set: sites without rules keep their digest
            shared["calling"] = [self.calling.priority_ratio, self.calling.long_wait_min,
                                 [[d.id, list(d.prefer), d.priority_ratio] for d in self.desks]]
        return hashlib.sha256(json.dumps(shared, sort_keys=True).encode()).hexdigest()[:16]

    def number_block(self) -> tuple[int, int | None]:
        """This totem's (first, last) number; (1, None) on a site without [[totems]].
        `NoNumberBlock` when the site lists blocks and none is this device's."""
        if not self.totems:
            return (1, None)
        block = next((b for b in self.totems if b.id == self.totem.id), None)
        if block is None:
            from config.errors import NoNumberBlock

            raise NoNumberBlock(self.totem.id, [b.id for b in self.totems],
                                self.device.source if self.device else "hostname")
        return (block.first, block.last)

    def service(self, service_id: str) -> Service:
        """The service with that id; raises `UnknownService`."""
        from config.errors import UnknownService

        for service in self.services:
            if service.id == service_id:
                return service
        raise UnknownService(service_id, [s.id for s in self.services])

    def service_or_none(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def appointment_service(self) -> Service | None:
        """The service whose totem button checks in an appointment, if the site has one."""
        return next((s for s in self.services if s.appointments), None)

    def desk(self, desk_id: str) -> Desk | None:
        return next((d for d in self.desks if d.id == desk_id), None)

    def desks_for(self, service_id: str) -> tuple[Desk, ...]:
        return tuple(d for d in self.desks if service_id in d.services)
