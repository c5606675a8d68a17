"""Decode ESC/POS bytes back into lines with their style, for golden tests.

Understands what python-escpos emits for our tickets: init, code page, ESC !/GS ! sizes,
bold, alignment, line spacing, feeds, cuts, native QR, raster and column images, DLE EOT.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from escpos.capabilities import CAPABILITIES


@dataclass
class Line:
    text: str
    width: int
    height: int
    bold: bool
    align: str


@dataclass
class Decoded:
    lines: list[Line] = field(default_factory=list)
    cuts: int = 0
    qr: list[str] = field(default_factory=list)
    rasters: int = 0
    codepages: list[str] = field(default_factory=list)
    status_queries: int = 0
    unknown: list[bytes] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [line.text for line in self.lines]

    def find(self, needle: str) -> Line:
        for line in self.lines:
            if needle in line.text:
                return line
        raise AssertionError(f"{needle!r} not printed; lines: {self.texts()}")


def decode(data: bytes, profile: str = "TM-T20II") -> Decoded:
    pages = CAPABILITIES["profiles"][profile]["codePages"]
    out = Decoded()
    codec = "cp437"
    width = height = 1
    bold = False
    align = "left"
    buf = bytearray()
    i = 0

    def flush() -> None:
        out.lines.append(Line(bytes(buf).decode(codec), width, height, bold, align))
        buf.clear()

    while i < len(data):
        b = data[i]
        if b == 0x0A:
            flush()
            i += 1
        elif b == 0x1B:
            cmd = data[i + 1]
            if cmd == ord("@"):
                width = height = 1
                bold = False
                align = "left"
                i += 2
            elif cmd == ord("t"):
                name = pages[str(data[i + 2])]
                out.codepages.append(name)
                codec = name.lower().replace("_", "-")
                i += 3
            elif cmd == ord("!"):
                n = data[i + 2]
                width = 2 if n & 0x20 else 1
                height = 2 if n & 0x10 else 1
                bold = bool(n & 0x08)
                i += 3
            elif cmd == ord("E"):
                bold = bool(data[i + 2])
                i += 3
            elif cmd == ord("a"):
                align = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}[data[i + 2]]
                i += 3
            elif cmd == ord("d"):
                out.lines.extend(Line("", width, height, bold, align) for _ in range(data[i + 2]))
                i += 3
            elif cmd in (ord("-"), ord("M"), ord("{"), ord("3"), ord("J")):
                i += 3
            elif cmd == ord("2"):
                i += 2
            elif cmd == ord("*"):
                n = data[i + 3] + 256 * data[i + 4]
                mode = data[i + 2]
                out.rasters += 1
                i += 5 + n * (3 if mode in (32, 33) else 1)
            else:
                out.unknown.append(data[i:i + 2])
                i += 2
        elif b == 0x1D:
            cmd = data[i + 1]
            if cmd == ord("!"):
                n = data[i + 2]
                width, height = (n >> 4) + 1, (n & 0x0F) + 1
                i += 3
            elif cmd == ord("V"):
                out.cuts += 1
                i += 4 if data[i + 2] in (65, 66) else 3
            elif cmd == ord("(") and data[i + 2] == ord("k"):
                n = data[i + 3] + 256 * data[i + 4]
                body = data[i + 5:i + 5 + n]
                if body[:3] == b"1P0":
                    out.qr.append(body[3:].decode("ascii"))
                i += 5 + n
            elif cmd == ord("(") and data[i + 2] == ord("L"):
                n = data[i + 3] + 256 * data[i + 4]
                out.rasters += 1
                i += 5 + n
            elif cmd == ord("v") and data[i + 2] == ord("0"):
                x = data[i + 4] + 256 * data[i + 5]
                y = data[i + 6] + 256 * data[i + 7]
                out.rasters += 1
                i += 8 + x * y
            elif cmd in (ord("b"), ord("B"), ord("L"), ord("W")):
                i += 3 if cmd in (ord("b"), ord("B")) else 4
            else:
                out.unknown.append(data[i:i + 2])
                i += 2
        elif b == 0x10 and i + 2 < len(data) and data[i + 1] == 0x04:
            out.status_queries += 1
            i += 3
        else:
            buf.append(b)
            i += 1
    if buf:
        flush()
    return out
