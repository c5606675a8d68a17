"""Printer state from ESC/POS real-time status replies (DLE EOT n).

"No answer" is never "ready": a connection that cannot read, or a printer that stays
silent, is UNKNOWN. (python-escpos' paper_status() reports paper OK on silence, so we
decode the bytes ourselves.)
"""

from __future__ import annotations

import enum

DLE_EOT_PRINTER = b"\x10\x04\x01"
DLE_EOT_OFFLINE = b"\x10\x04\x02"
DLE_EOT_PAPER = b"\x10\x04\x04"
STATUS_QUERY = DLE_EOT_PRINTER + DLE_EOT_OFFLINE + DLE_EOT_PAPER


class PrinterState(enum.Enum):
    READY = "ready"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    ERROR = "error"
    UNKNOWN = "unknown"

    @property
    def can_print(self) -> bool:
        """Worth trying: READY, PAPER_LOW, and UNKNOWN (a print failure will void the ticket)."""
        return self in (PrinterState.READY, PrinterState.PAPER_LOW, PrinterState.UNKNOWN)

    @property
    def healthy(self) -> bool:
        return self in (PrinterState.READY, PrinterState.PAPER_LOW)


def _valid(byte: int) -> bool:
    # Every DLE EOT reply has bit 1 and bit 4 set, bits 0 and 7 clear.
    return byte & 0x93 == 0x12


def decode_status(reply: bytes | None) -> PrinterState:
    """Decode the three replies to STATUS_QUERY (printer, offline cause, paper sensor)."""
    if not reply or len(reply) < 3 or not all(_valid(b) for b in reply[:3]):
        return PrinterState.UNKNOWN
    printer, offline, paper = reply[0], reply[1], reply[2]
    if offline & 0x04:
        return PrinterState.COVER_OPEN
    if paper & 0x60 or offline & 0x20:
        return PrinterState.PAPER_OUT
    if offline & 0x40:
        return PrinterState.ERROR
    if printer & 0x08:
        return PrinterState.OFFLINE
    if paper & 0x0C:
        return PrinterState.PAPER_LOW
    return PrinterState.READY
