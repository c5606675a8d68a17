"""Render a TicketLayout to ESC/POS bytes with python-escpos (native text and QR, no raster
unless a logo is configured, or a line the pinned code page cannot hold: Arabic, Chinese,
Ukrainian, Romanian's ș ț, which print as an image of the line drawn with its script's font)."""

from __future__ import annotations

from printer.lazy_imports import escpos_imports

with escpos_imports():  # what escpos imports for paths a ticket never takes waits (see lazy_imports)
    from escpos.escpos import Escpos

from config.bidi import has_rtl
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
            if encodable(block.text, codepage):
                printer.text(block.text + "\n")
            else:
                _raster_line(printer, block, layout.width_dots)
                current = (current[0], current[1], current[2], "")  # the image set its own alignment
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


def encodable(text: str, codepage: str) -> bool:
    """Whether the printer's pinned code page has every character (else the line is an image)."""
    try:
        text.encode(codepage.lower())
    except UnicodeEncodeError:
        return False
    except LookupError:  # a code page Python has no codec for: only ASCII is certain
        return text.isascii()
    return True


def _raster_line(printer: Escpos, block: Text, width_dots: int) -> None:
    from printer.png_render import mirrored, text_image  # Pillow's fonts, only for such a line

    align = mirrored(block.align) if has_rtl(block.text) else block.align
    printer.set(align=align)
    printer.image(text_image(block, width_dots), impl="bitImageRaster", center=False)
