"""The one place where real objects are built from the config and handed to each other.

Each builder imports what it builds (issue 21, point 2): `totem print-test` needs a printer and
no issuer, `totem resend` a store and no printer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from config.model import Config

if TYPE_CHECKING:
    from printer.ticket_printer import TicketPrinter
    from totem.clock import Clock
    from totem.hubview import HubView
    from totem.issuing import Issuer
    from totem.store import TicketStore


def push_targets(config: Config) -> list[str]:
    """Where events go: the hub (the call display). One event log, one cursor per target."""
    return [config.hub.url]


def open_store(config: Config) -> TicketStore:
    from totem.store import TicketStore

    return TicketStore.in_dir(config.totem.data_dir)


def build_issuer(config: Config, store: TicketStore, clock: Clock | None = None, *,
                 ignore_hours: bool = False, view: HubView | None = None) -> Issuer:
    from totem.clock import SystemClock
    from totem.issuing import Issuer
    from totem.standing import DeviceStanding

    return Issuer(config=config, store=store, clock=clock or SystemClock(), ignore_hours=ignore_hours, view=view,
                  standing=DeviceStanding(config, store))


def build_printer(config: Config, *, previews_at_close: bool = False) -> TicketPrinter:
    """The site's printer. `previews_at_close`: a folder printer draws its PNG previews when the printer
    closes, after the paper (a command that says its result as soon as the paper is out)."""
    from printer.connections import open_connection
    from printer.ticket_printer import TicketPrinter

    return TicketPrinter(config=config, connection=open_connection(config.printer,
                                                                   previews_at_close=previews_at_close))
