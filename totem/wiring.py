"""The one place where real objects are built from the config and handed to each other."""

from __future__ import annotations

from config.model import Config
from printer.connections import open_connection
from printer.ticket_printer import TicketPrinter
from totem.clock import Clock, SystemClock
from totem.hubview import HubView
from totem.issuing import Issuer
from totem.standing import DeviceStanding
from totem.store import TicketStore


def push_targets(config: Config) -> list[str]:
    """Where events go: the hub (the call display). One event log, one cursor per target."""
    return [config.hub.url]


def open_store(config: Config) -> TicketStore:
    return TicketStore.in_dir(config.totem.data_dir)


def build_issuer(config: Config, store: TicketStore, clock: Clock | None = None, *,
                 ignore_hours: bool = False, view: HubView | None = None) -> Issuer:
    return Issuer(config=config, store=store, clock=clock or SystemClock(), ignore_hours=ignore_hours, view=view,
                  standing=DeviceStanding(config, store))


def build_printer(config: Config) -> TicketPrinter:
    return TicketPrinter(config=config, connection=open_connection(config.printer))
