"""One description of a ticket, rendered to ESC/POS bytes and to a PNG alike.

Geometry follows ESC/POS font A at 203 dpi: a character cell is 12x24 dots at 1x,
text scales by whole multiples (1-8), one dot is 0.125 mm. The same line-height model
sizes the PNG and computes the paper length, so preview and paper agree.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from pathlib import Path

from config.frozen import frozen
from config.i18n import Translator
from config.model import Config, Service
from config.records import Estimate
from printer.wrapping import fit_words

DOTS_PER_MM = 8  # 203 dpi
CHAR_W = 12
CHAR_H = 24
LINE_GAP = 4  # spacing on 1x lines (ESC 3 28)
# GS V 66 0 feeds just past the cutter before cutting: about 12 mm on 80 mm printers (TM-T20 class).
# python-escpos' cut() would first feed six blank lines (22 mm of paper per ticket).
CUT_FEED_DOTS = 96
PRINTABLE_DOTS = {80: 576, 58: 384}


@frozen
class Text:
    text: str
    width: int = 1  # horizontal multiplier 1-8
    height: int = 1  # vertical multiplier 1-8
    bold: bool = False
    align: str = "center"


@frozen
class Rule:
    pass


@frozen
class QR:
    data: str
    module_dots: int = 6


@frozen
class Logo:
    path: Path


Block = Text | Rule | QR | Logo


@frozen
class TicketLayout:
    paper_width_mm: int
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    cut: bool = True

    @property
    def width_dots(self) -> int:
        return PRINTABLE_DOTS[self.paper_width_mm]

    def chars_per_line(self, width: int = 1) -> int:
        return self.width_dots // (CHAR_W * width)

    def block_height_dots(self, block: Block) -> int:
        if isinstance(block, Text):
            return max(CHAR_H + LINE_GAP, CHAR_H * block.height)
        if isinstance(block, Rule):
            return CHAR_H + LINE_GAP
        if isinstance(block, QR):
            return qr_modules(block.data) * block.module_dots + LINE_GAP
        if isinstance(block, Logo):
            return logo_size(block.path, self.width_dots)[1]
        raise TypeError(block)

    def height_dots(self) -> int:
        total = sum(self.block_height_dots(b) for b in self.blocks)
        return total + (CUT_FEED_DOTS if self.cut else 0)

    def length_mm(self) -> float:
        return self.height_dots() / DOTS_PER_MM


def qr_modules(data: str) -> int:
    """Modules per side of a model-2 QR with error level L for this payload (plus quiet zone)."""
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=0)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.modules_count + 2


def logo_size(path: Path, max_width: int) -> tuple[int, int]:
    from printer.lazy_imports import ready

    ready("PIL.Image")  # perhaps deferred by python-escpos's import (printer/lazy_imports)
    from PIL import Image

    with Image.open(path) as img:
        w, h = img.size
    if w > max_width:
        h = h * max_width // w
        w = max_width
    return w, h


def code_scale(code: str, width_dots: int) -> int:
    """The largest text multiplier (<= 8) that fits the code with half a cell of margin."""
    return max(1, min(8, int(width_dots // (CHAR_W * (len(code) + 0.5)))))


def wrapped(text: str, layout_chars: int, **style: object) -> list[Text]:
    """`text` in lines that fit: words whole, a long address broken at its dots and slashes."""
    return [Text(line, **style) for line in fit_words(text, layout_chars)]  # type: ignore[arg-type]


@frozen
class TicketContent:
    """What a ticket says. Built from an issued ticket, or from sample data for a preview."""

    code: str
    service: Service
    issued_at: datetime  # local
    lang: str
    estimate: Estimate | None
    follow_url: str | None = None  # this ticket's "follow your turn" page (hub.public_url set)
    note: str = ""  # under the service: the appointment checked in ("Appuntamento delle 10:30")


def build_ticket(content: TicketContent, config: Config, *, copy: bool = False) -> TicketLayout:
    t = Translator(content.lang)
    width_mm = config.printer.paper_width_mm
    probe = TicketLayout(width_mm)
    cpl1 = probe.chars_per_line(1)
    cpl2 = probe.chars_per_line(2)
    blocks: list[Block] = []
    if copy:  # a reprint must not pass for a second ticket
        blocks += wrapped(f"*** {t('ticket_copy')} ***", cpl2, width=2, height=2, bold=True)
    if config.printer.logo is not None:
        blocks.append(Logo(config.printer.logo))
    blocks += wrapped(config.site.name, cpl1, bold=True)
    blocks += wrapped(config.site.desk_name, cpl2, width=2, height=2, bold=True)
    if config.site.address:
        blocks += wrapped(config.site.address, cpl1)
    blocks += wrapped(t("ticket_your_number"), cpl1)
    scale = code_scale(content.code, probe.width_dots)
    blocks.append(Text(content.code, width=scale, height=scale, bold=True))
    blocks += wrapped(content.service.label(content.lang), cpl1, height=2, bold=True)
    if content.note:
        blocks += wrapped(content.note, cpl1, bold=True)
    blocks.append(Text(f"{content.issued_at:%d/%m/%Y  %H:%M}"))
    if content.estimate is not None:
        blocks += wrapped(people_ahead_text(t, content.estimate), cpl1, height=2, bold=True)
        blocks += wrapped(wait_text(t, content.estimate), cpl1)
        if content.estimate.past_close and content.estimate.wait_low_min is not None:
            blocks += wrapped(past_close_text(t, content.estimate), cpl1, bold=True)
    blocks.append(Rule())
    if config.contacts.phone:
        blocks += wrapped(t("ticket_appointments", phone=config.contacts.phone), cpl1)
    if config.contacts.email:
        blocks += wrapped(t("ticket_email", email=config.contacts.email), cpl1)
    if content.follow_url:  # the ticket's own page wins over the site's general QR: one code, no confusion
        blocks.append(Rule())
        blocks += wrapped(t("ticket_follow"), cpl1, bold=True)
        blocks.append(QR(content.follow_url))
    elif config.printer.qr_url:
        blocks.append(QR(config.printer.qr_url))
    return TicketLayout(width_mm, tuple(blocks))


def people_ahead_text(t: Translator, estimate: Estimate) -> str:
    """Exact only when the hub counted this ticket; otherwise visibly an estimate, or unknown."""
    ahead = estimate.people_ahead
    if ahead is None:
        return t("ticket_people_ahead_unknown")
    kind = "" if estimate.exact else "_approx"
    if ahead == 0:
        return t(f"ticket_people_ahead{kind}_none")
    if ahead == 1:
        return t(f"ticket_people_ahead{kind}_one")
    return t(f"ticket_people_ahead{kind}_many", n=ahead)


def wait_text(t: Translator, estimate: Estimate) -> str:
    """The range, never past closing; with no range left before closing, that warning instead."""
    if estimate.wait_low_min is None or estimate.wait_high_min is None:
        return past_close_text(t, estimate) if estimate.past_close else t("ticket_wait_unknown")
    if estimate.wait_low_min == 0:
        return t("ticket_wait_short", high=estimate.wait_high_min)
    return t("ticket_wait_range", low=estimate.wait_low_min, high=estimate.wait_high_min)


def past_close_text(t: Translator, estimate: Estimate) -> str:
    return t("ticket_past_close", time=estimate.closes_at)


def build_test_page(config: Config) -> TicketLayout:
    """The technician's test page: every size, accented letters, the QR if configured."""
    t = Translator(config.site.languages[0])
    probe = TicketLayout(config.printer.paper_width_mm)
    cpl1 = probe.chars_per_line(1)
    blocks: list[Block] = [*wrapped(t("ticket_test_title"), probe.chars_per_line(2), width=2, height=2, bold=True),
                           Rule()]
    for size in range(1, 9):  # every size shows a code; where "7x A001" would not fit, the label goes above it
        if len(f"{size}x A001") <= probe.chars_per_line(size):
            blocks.append(Text(f"{size}x A001", width=size, height=size, bold=size > 1))
        else:
            blocks += [Text(f"{size}x", align="left"), Text("A001", width=size, height=size, bold=True)]
    blocks += [Rule(), *wrapped("àèéìòù ÀÈÉÌÒÙ ç €", cpl1, align="left"),
               *wrapped("Città, perché, più, già", cpl1, align="left"),
               *wrapped(f"{config.printer.profile} / {config.printer.codepage} / {config.printer.paper_width_mm} mm",
                        cpl1, align="left"), Text("-" * cpl1, align="left")]
    blocks.append(QR(config.printer.qr_url or "https://example.org/totem-test"))
    return TicketLayout(config.printer.paper_width_mm, tuple(blocks))
