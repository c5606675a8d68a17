"""Fast start (issue 21, point 2): each `totem` command loads only the libraries it uses.

Not a timing test: each command runs in a child process on the shipped site file (its public
holidays included), which reports the modules it had loaded when it wrote its first result to
stdout (`issue`: the ticket's code, once the paper is out) and when it ended. A module loaded
lazily (importlib's LazyLoader) and never touched does not count: it was never executed.
The caches an installed Pi keeps after its first start are there (python-escpos's printer database,
this year's public holidays). How long the imports take is measured in tests/bench/bench_startup.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PYPATH, ROOT, write_site

CHILD = """
import json, sys, types
report, argv = sys.argv[1], sys.argv[2:]
seen = {}

def loaded():
    # executed modules only: a LazyLoader module becomes a plain module when first touched
    return sorted(n for n, m in list(sys.modules.items()) if type(m) is types.ModuleType or
                  (m is not None and type(m).__name__ != "_LazyModule"))

class FirstWrite:
    def __init__(self, stream):
        self.stream = stream
    def write(self, text):
        if text and "first" not in seen:
            seen["first"] = loaded()
        return self.stream.write(text)
    def __getattr__(self, name):
        return getattr(self.stream, name)

sys.stdout = FirstWrite(sys.stdout)
# an ordinary working Tuesday, whatever the wall clock says (CI also runs at Easter and new year's eve)
from datetime import UTC, datetime
import totem.clock
totem.clock.SystemClock.now = lambda self: datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
try:
    from totem.cli import main
    code = main(argv)
except SystemExit as exc:
    code = exc.code
seen["end"] = loaded()
seen.setdefault("first", seen["end"])
seen["exit"] = code
with open(report, "w") as fh:
    json.dump(seen, fh)
"""

NETWORK = ("requests", "urllib3", "charset_normalizer", "idna")
ESCPOS = ("escpos", "barcode", "qrcode", "yaml")
# Pillow's modules that draw (the package itself is a few lines, imported by python-barcode)
PILLOW = ("PIL.Image", "PIL.ImageDraw", "PIL.ImageFont", "PIL.ImageOps", "escpos.image")
PRINTER_LINKS = ("usb", "serial")  # pyusb and pyserial: only for those printer connections
# the holidays library (it loads every country it knows): its answers are kept after the first start
NEVER = ("pygame", "aiohttp", "gpiozero", "holidays")


@pytest.fixture(scope="module")
def kept_caches(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The caches an installed Pi has after its first start (python-escpos's database, this year's
    public holidays), made by a first run of `status` and `print-test` on the same site."""
    cache = tmp_path_factory.mktemp("cache")
    for argv in (("status",), ("print-test",)):
        run(cache, *argv, cache=cache)
    return cache


def run(tmp_path: Path, *argv: str, cache: Path, exit_code: int = 0, usb: bool = False) -> dict:
    report = tmp_path / "modules.json"
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_DIRECTORY", "ESCPOS_CAPABILITIES_PICKLE_DIR")}
    env.update(PYTHONPATH=PYPATH, TOTEM_CONFIG=str(site(tmp_path, usb=usb)), XDG_CACHE_HOME=str(cache))
    done = subprocess.run([sys.executable, "-c", CHILD, str(report), *argv], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)
    assert report.exists(), done.stderr[-3000:]
    seen = json.loads(report.read_text(encoding="utf-8"))
    assert seen["exit"] == exit_code, (done.stdout, done.stderr[-3000:])
    return seen


def site(tmp_path: Path, *, usb: bool = False) -> Path:
    path = tmp_path / "site" / "site.toml"
    if not path.exists():
        extra = {"min_interval_s = 2": "min_interval_s = 0", 'holidays_country = ""': 'holidays_country = "IT"'}
        if usb:  # the installed Pi's printer (none is plugged in here: it answers offline)
            extra['connection = "folder"'] = 'connection = "usb"\nusb_vendor_id = 0x04b8\nusb_product_id = 0x0e15'
        write_site(path.parent, always_open=True, extra=extra)
    return path


def loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return sorted({m for m in modules for n in names if m == n or m.startswith(n + ".")})


@pytest.mark.parametrize(("argv", "exit_code"), [(("check-config",), 0), (("repair-db",), 2), (("resend",), 0),
                                                 (("backup", "{tmp}/backup"), 11), (("--help",), 0)],
                         ids=lambda a: a[0] if isinstance(a, tuple) else str(a))
def test_commands_that_touch_neither_printer_nor_hub_load_neither(tmp_path: Path, argv: tuple[str, ...],
                                                                  exit_code: int, kept_caches: Path) -> None:
    # repair-db and backup on a new site: nothing to repair or back up (exit 2, 11), after loading what they use
    seen = run(tmp_path, *(a.format(tmp=tmp_path) for a in argv), cache=kept_caches, exit_code=exit_code)
    assert loaded(seen["end"], NETWORK + ESCPOS + PRINTER_LINKS + NEVER + ("PIL",)) == []


def test_status_asks_the_hub_without_requests_or_escpos(tmp_path: Path, kept_caches: Path) -> None:
    seen = run(tmp_path, "status", cache=kept_caches)
    assert loaded(seen["end"], NETWORK + ESCPOS + PRINTER_LINKS + NEVER + ("PIL",)) == []
    assert "config.public_holidays" in seen["end"]  # it did look at today's opening, holidays included


def test_preview_draws_without_escpos_or_the_network(tmp_path: Path, kept_caches: Path) -> None:
    seen = run(tmp_path, "preview", "uffici", "--out", str(tmp_path / "p.png"), cache=kept_caches)
    assert loaded(seen["end"], (*NETWORK, "escpos", "barcode", "yaml", *PRINTER_LINKS, *NEVER)) == []
    assert "PIL.Image" in seen["end"]


def test_issue_prints_before_importing_requests(tmp_path: Path, kept_caches: Path) -> None:
    seen = run(tmp_path, "issue", "uffici", cache=kept_caches)
    assert "escpos.escpos" in seen["first"]  # the ticket was rendered by python-escpos
    assert loaded(seen["first"], NETWORK + NEVER) == []  # the paper never waits for requests' import
    # nor for Pillow: the folder printer's PNG preview is drawn after the paper (and the code on stdout)
    assert loaded(seen["first"], PILLOW) == []
    assert "PIL.Image" in seen["end"] and list((tmp_path / "site").rglob("A001.png"))
    # escpos imports these at its own start; a native-QR ticket on a folder printer never uses them
    assert loaded(seen["end"], ("qrcode", "yaml", *PRINTER_LINKS, *NEVER)) == []
    assert "requests" in seen["end"]  # the push, after the paper


def test_print_test_renders_with_escpos_without_usb_or_serial(tmp_path: Path, kept_caches: Path) -> None:
    seen = run(tmp_path, "print-test", cache=kept_caches)
    assert "escpos.escpos" in seen["first"]
    assert loaded(seen["first"], PILLOW) == []  # "test page sent" as soon as the paper is; the PNG after it
    assert "PIL.Image" in seen["end"] and list((tmp_path / "site").rglob("test-page.png"))
    assert loaded(seen["end"], (*NETWORK, "yaml", *PRINTER_LINKS, *NEVER)) == []


def test_what_escpos_imports_lazily_still_works_when_used() -> None:
    # An image QR code (not our tickets' native one) needs qrcode, deferred while escpos was imported;
    # python-barcode's SVG writer needs xml.dom.minidom, deferred too.
    # Pillow's drawing modules and escpos.image are deferred too: an image, a software barcode (Pillow's
    # ImageWriter) and a raster line still print.
    probe = ("from printer.escpos_render import BufferPrinter; from printer.lazy_imports import is_loaded; "
             "p = BufferPrinter(profile='TM-T88III'); before = is_loaded('qrcode'), is_loaded('PIL.Image'); "
             "p.qr('https://example.org/f/A001', native=False); "
             "import barcode; svg = barcode.get('ean13', '400638133393').render(); "  # SVG: xml.dom.minidom
             "q = BufferPrinter(profile='TM-T88III'); q.barcode('4006381333931', 'EAN13', force_software=True); "
             "from PIL import Image; r = BufferPrinter(profile='TM-T88III'); r.image(Image.new('1', (64, 16))); "
             "print(*before, is_loaded('qrcode'), len(p.output) > 100, b'<svg' in svg, len(q.output) > 500, "
             "bytes([0x1d, 0x76, 0x30]) in r.output)")  # GS v 0: the raster image
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": PYPATH}, timeout=120)
    assert done.stdout.splitlines()[-1].split() == ["False", "False", "True", "True", "True", "True", "True"], \
        done.stdout + done.stderr[-3000:]  # (escpos says on stdout that a barcode is drawn in software)


def test_a_usb_printer_is_reached_without_pyserial_and_preview_never_reaches_it(tmp_path: Path,
                                                                                kept_caches: Path) -> None:
    status = run(tmp_path / "status", "status", cache=kept_caches, usb=True)
    assert "usb.core" in status["end"]  # it asked the printer (offline: none is plugged in)
    assert loaded(status["end"], (*NETWORK, "serial", "qrcode", "yaml", *NEVER)) == []
    preview = run(tmp_path / "preview", "preview", "uffici", "--out", str(tmp_path / "p.png"), cache=kept_caches,
                  usb=True)
    assert loaded(preview["end"], (*NETWORK, *ESCPOS, *PRINTER_LINKS, *NEVER)) == []


def test_the_command_line_is_parsed_without_shutil_and_help_keeps_the_terminal_width(tmp_path: Path,
                                                                                     kept_caches: Path) -> None:
    # argparse imports shutil (with bz2 and lzma) for the terminal's width; ours asks the terminal itself
    seen = run(tmp_path, "check-config", cache=kept_caches)
    assert loaded(seen["first"], ("shutil", "bz2", "lzma")) == []  # (its font check loads it, after the summary)
    for columns in (50, 120):
        done = subprocess.run([sys.executable, "-m", "totem", "issue", "--help"], capture_output=True, text=True,
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": PYPATH, "COLUMNS": str(columns)},
                              timeout=120, check=True)
        wrapped = done.stdout.split("exit codes:")[0].splitlines()  # (the exit codes' epilog is kept as written)
        widest = max(len(line) for line in wrapped)
        assert columns - 25 < widest <= columns - 2, (columns, widest)  # as argparse sizes it: COLUMNS - 2
