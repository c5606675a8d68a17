"""Render a TicketLayout to ESC/POS bytes with python-escpos (native text and QR, no raster
unless a logo is configured)."""

from __future__ import annotations

from printer.lazy_imports import ESCPOS_UNUSED, deferred

with deferred(*ESCPOS_UNUSED):  # imported by escpos for paths a ticket never takes (see lazy_imports)
    from escpos.escpos import Escpos

from printer.layout import CHAR_H, LINE_GAP, QR, Logo, Rule, Text, TicketLayout


class BufferPrinter(Escpos):
    """python-escpos's commands collected in memory, as `escpos.printer.Dummy` does, without
    importing `escpos.printer` (which imports pyusb, pyserial and every other connection type)."""

    def __init__(self, profile: str) -> None:
        super().__init__(profile=profile)
        self._chunks: list[bytes] = []

    def _raw(self, msg: bytes) -> None:
        self._chunks.append(msg)

    @property
    def output(self) -> bytes:
        return b"".join(self._chunks)


def render_escpos(layout: TicketLayout, *, profile: str, codepage: str) -> bytes:
    """The complete job: init, code page, blocks, feed and cut."""
    printer = BufferPrinter(profile=profile)
    write_layout(printer, layout, codepage=codepage)
    return printer.output


def write_layout(printer: Escpos, layout: TicketLayout, *, codepage: str) -> None:
    printer.hw("INIT")
    printer.charcode(codepage)  # pin the code page: accents must not depend on auto-detection
    # ESC 3 n: on 203-dpi printers n counts dots: a 24-dot line plus the gap
    printer.line_spacing(CHAR_H + LINE_GAP, divisor=180)
    current: tuple[int, int, bool, str] = (1, 1, False, "left")
    for block in layout.blocks:
        if isinstance(block, Text):
            wanted = (block.width, block.height, block.bold, block.align)
            if wanted != current:
                _style(printer, block)
                current = wanted
            printer.text(block.text + "\n")
        elif isinstance(block, Rule):
            if current != (1, 1, False, "left"):
                printer.set(align="left", bold=False, normal_textsize=True)
                current = (1, 1, False, "left")
            printer.text("-" * layout.chars_per_line(1) + "\n")
        elif isinstance(block, QR):
            printer.set(align="center")
            current = (current[0], current[1], current[2], "center")
            printer.qr(block.data, native=True, size=block.module_dots)
            printer.text("\n")
        elif isinstance(block, Logo):
            printer.set(align="center")
            current = (current[0], current[1], current[2], "center")
            printer.image(str(block.path), impl="bitImageRaster", center=False)
    if layout.cut:
        printer.cut(feed=False)  # GS V 66 0: feed to the cutter and cut (see layout.CUT_FEED_DOTS)


def _style(printer: Escpos, block: Text) -> None:
    if block.width == 1 and block.height == 1:
        printer.set(align=block.align, bold=block.bold, normal_textsize=True)
    elif block.width == block.height == 2:
        printer.set(align=block.align, bold=block.bold, double_width=True, double_height=True)
    else:
        printer.set(align=block.align, bold=block.bold, custom_size=True, width=block.width, height=block.height)
