"""The ticket printer: builds a ticket's layout once and sends bytes (plus a preview for
the folder printer) through the configured connection."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Protocol

from config.follow import follow_url
from config.model import Config, Service
from config.records import Estimate
from printer.connections import Connection, PrintJob
from printer.layout import TicketContent, TicketLayout, build_test_page, build_ticket
from printer.status import PrinterState

if TYPE_CHECKING:
    from PIL import Image

# python-escpos (with qrcode, PIL and barcode) and PIL are imported at their first use: a command
# that prints no picture never loads PIL, one that only reads the printer's state loads neither.


def render_png(layout: TicketLayout) -> Image.Image:
    from printer.png_render import render_png

    return render_png(layout)

log = logging.getLogger(__name__)


class IssuedTicket(Protocol):
    """What the printer needs of an issued ticket (the totem's `totem.issuing.IssuedTicket`)."""

    @property
    def id(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def service(self) -> Service: ...
    @property
    def issued_at(self) -> datetime: ...
    @property
    def lang(self) -> str: ...
    @property
    def estimate(self) -> Estimate | None: ...
    @property
    def note(self) -> str: ...


def content_of(ticket: IssuedTicket, config: Config) -> TicketContent:
    return TicketContent(ticket.code, ticket.service, ticket.issued_at, ticket.lang, ticket.estimate,
                         follow_url(config, ticket.id), ticket.note)


class TicketPrinter:
    def __init__(self, *, config: Config, connection: Connection) -> None:
        self.config = config
        self.connection = connection
        self._last_preview: tuple[str, Callable[[], Image.Image] | None] = ("", None)

    def layout(self, content: TicketContent) -> TicketLayout:
        return build_ticket(content, self.config)

    def encode(self, layout: TicketLayout) -> bytes:
        from printer.escpos_render import render_escpos

        return render_escpos(layout, profile=self.config.printer.profile, codepage=self.config.printer.codepage)

    def preview(self, content: TicketContent) -> Image.Image:
        return render_png(self.layout(content))

    def status(self) -> PrinterState:
        return self.connection.status()

    def probe(self) -> PrinterState:
        return self.connection.probe()

    def print_ticket(self, ticket: IssuedTicket, *, copy: bool = False) -> None:
        """Send one ticket; raises PrinterUnavailable when it did not go out whole. A copy
        (the technician's reprint) says COPIA on top and is a job of its own (its own file)."""
        layout = build_ticket(content_of(ticket, self.config), self.config, copy=copy)
        preview = cache(lambda: render_png(layout))  # rendered at most once, by the folder printer or the screen
        name = f"{ticket.issued_at:%Y-%m-%d}/{ticket.code}"
        if copy:
            name += f"-copy-{time.strftime('%H%M%S')}"
        else:
            self._last_preview = (ticket.id, preview)
        self.connection.send(PrintJob(name, self.encode(layout), preview=preview))

    def preview_of(self, ticket: IssuedTicket) -> Image.Image:
        """The image of a ticket just printed (reusing the printer's rendering), or a new one."""
        ticket_id, preview = self._last_preview
        if ticket_id == ticket.id and preview is not None:
            return preview()
        return self.preview(content_of(ticket, self.config))

    def print_test_page(self) -> None:
        layout = build_test_page(self.config)
        self.connection.send(PrintJob("test-page", self.encode(layout), preview=lambda: render_png(layout)))

    def warm(self) -> None:
        """Load python-escpos and PIL and their tables before the first ticket needs them (the
        kiosk calls this on a thread of its own once its first frame is on the screen)."""
        self.encode(build_test_page(self.config))
        from printer import png_render  # noqa: F401 (imported for its cost, now rather than at a tap)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> TicketPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
