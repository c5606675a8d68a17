"""The printed ticket: golden tests on decoded ESC/POS, connections, status, CLI end to end."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import PYPATH, ROOT, rome, write_site
from escpos_decode import Decoded, decode
from fake_printer import FakeNetworkPrinter
from PIL import Image

from config import load_config
from config.errors import PrinterUnavailable
from config.model import Config
from config.records import Estimate
from printer.connections import FileConnection, FolderConnection, PrintJob, open_connection
from printer.escpos_render import render_escpos
from printer.layout import CHAR_W, TicketContent, build_test_page, build_ticket
from printer.status import PrinterState, decode_status
from printer.ticket_printer import TicketPrinter
from printer.wrapping import fit_words

ACCENTED = {'label.it = "Servizi sanitari"': 'label.it = "Sanità: più servizi, perché è così"'}


def content(config: Config, code: str = "E007", estimate: Estimate | None = None, lang: str = "it") -> TicketContent:
    return TicketContent(code, config.service("sanita"), rome(2026, 12, 1, 10, 32), lang, estimate)


def ticket_bytes(config: Config, c: TicketContent) -> bytes:
    return render_escpos(build_ticket(c, config), profile=config.printer.profile, codepage=config.printer.codepage)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(write_site(tmp_path, extra=ACCENTED))


def test_golden_ticket_80mm(config: Config) -> None:
    est = Estimate(people_ahead=3, exact=True, wait_low_min=25, wait_high_min=55, source="hub")
    data = ticket_bytes(config, content(config, estimate=est))
    out = decode(data)
    assert out.codepages == ["CP858"]
    code = out.find("E007")
    assert (code.width, code.height, code.bold, code.align) == (8, 8, True, "center")
    assert out.find("Sanità: più servizi, perché è così").height == 2
    assert out.find("Comune di Capannori").bold
    out.find("Sportello Comune Amico")
    out.find("01/12/2026  10:32")
    out.find("3 persone prima di lei")
    out.find("Attesa stimata: 25-55 minuti")
    out.find("0583 428370")
    out.find("comuneamico@comune.capannori.lu.it")
    assert out.cuts == 1 and out.rasters == 0 and out.qr == [] and out.unknown == []
    assert len(data) < 1024


def test_english_ticket_and_no_invented_estimate(config: Config) -> None:
    out = decode(ticket_bytes(config, content(config, lang="en")))
    out.find("Health services")
    out.find("Your number")
    assert not any("wait" in t.lower() or "ahead" in t.lower() for t in out.texts())


def test_58mm_paper_fits_the_code(tmp_path: Path) -> None:
    config = load_config(write_site(tmp_path, extra={"paper_width_mm = 80": "paper_width_mm = 58"}))
    out = decode(ticket_bytes(config, content(config)))
    code = out.find("E007")
    assert code.width == 7 and 12 * code.width * len("E007") <= 384
    assert all(len(line.text) * 12 * line.width <= 384 for line in out.lines), out.texts()
    out = decode(ticket_bytes(config, content(config, code="E1000")))
    assert out.find("E1000").width * 12 * 5 <= 384


def test_every_line_fits_80mm(config: Config) -> None:
    for est in (Estimate(12, False, 90, 150, "forecast"), Estimate.unknown()):
        out = decode(ticket_bytes(config, content(config, estimate=est)))
        assert all(len(line.text) * 12 * line.width <= 576 for line in out.lines), out.texts()


def test_an_estimate_is_visibly_an_estimate(config: Config) -> None:
    """Rule 7: exact only when the hub counted this ticket; never "nobody ahead" when not known."""
    approx = decode(ticket_bytes(config, content(config, estimate=Estimate(0, False, 0, 5, "forecast"))))
    approx.find("Forse nessuno prima di lei (stima)")
    unknown = decode(ticket_bytes(config, content(config, estimate=Estimate.unknown()))).texts()
    assert "Persone in attesa: dato non disponibile ora" in unknown
    assert not any("Nessuno" in line for line in unknown)


def test_qr_is_native_and_logo_is_the_only_raster(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("1", (200, 60), 0).save(logo)
    config = load_config(write_site(tmp_path, extra={'qr_url = ""': 'qr_url = "https://www.comune.capannori.lu.it/"',
                                                     '# logo = "logo.png"': f'logo = "{logo}"'}))
    out = decode(ticket_bytes(config, content(config)))
    assert out.qr == ["https://www.comune.capannori.lu.it/"]
    assert out.rasters == 1


def test_test_page_has_every_size_and_accents(config: Config) -> None:
    layout = build_test_page(config)
    out = decode(render_escpos(layout, profile="TM-T20II", codepage="CP858"))
    sizes = {line.width for line in out.lines if "A001" in line.text}
    assert sizes == set(range(1, 9))
    out.find("àèéìòù ÀÈÉÌÒÙ ç €")
    assert len(out.qr) == 1


@pytest.mark.parametrize(("reply", "state"), [
    (None, PrinterState.UNKNOWN),
    (b"", PrinterState.UNKNOWN),
    (b"\x12", PrinterState.UNKNOWN),                   # partial answer
    (b"\xff\xff\xff", PrinterState.UNKNOWN),           # not a status reply
    (b"\x12\x12\x12", PrinterState.READY),
    (b"\x16\x12\x12", PrinterState.READY),             # drawer pin bit is not an error
    (b"\x12\x12\x1e", PrinterState.PAPER_LOW),         # near-end sensor
    (b"\x12\x12\x72", PrinterState.PAPER_OUT),         # paper end sensor
    (b"\x1a\x32\x12", PrinterState.PAPER_OUT),         # stopped for paper end
    (b"\x1a\x16\x12", PrinterState.COVER_OPEN),
    (b"\x1a\x52\x12", PrinterState.ERROR),
    (b"\x1a\x12\x12", PrinterState.OFFLINE),
])
def test_status_mapping(reply: bytes | None, state: PrinterState) -> None:
    assert decode_status(reply) is state


def test_unknown_is_never_ready() -> None:
    assert PrinterState.UNKNOWN.can_print and not PrinterState.UNKNOWN.healthy
    assert not PrinterState.PAPER_OUT.can_print and not PrinterState.OFFLINE.can_print


def test_network_printer_receives_whole_ticket_and_connection_closes(tmp_path: Path, config: Config) -> None:
    with FakeNetworkPrinter() as fake:
        site = write_site(tmp_path, extra={'connection = "folder"': f'connection = "network"\nhost = "127.0.0.1"\n'
                                           f'port = {fake.port}', "timeout_s = 5": "timeout_s = 2"})
        net = load_config(site)
        connection = open_connection(net.printer)
        assert connection.status() is PrinterState.READY
        data = ticket_bytes(config, content(config))
        connection.send(PrintJob("x", data))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not (len(fake.connections) == 2 and fake.connections[1].closed_by_client):
            time.sleep(0.01)
        job = fake.connections[1]
        assert job.closed_by_client, "the connection must be closed after each ticket"
        assert bytes(job.data) == data + b"\x10\x04\x01"
        connection.close()


def ask_status(connection: Any, answers: list[PrinterState]) -> None:
    answers.append(connection.status())


def test_network_status_reports_paper_out_and_silence(tmp_path: Path) -> None:
    with FakeNetworkPrinter(status={1: 0x12, 2: 0x12, 4: 0x72}) as out_of_paper, \
            FakeNetworkPrinter(mode="silent") as silent:
        for fake, expected in ((out_of_paper, PrinterState.PAPER_OUT), (silent, PrinterState.UNKNOWN)):
            site = write_site(tmp_path, extra={'connection = "folder"': f'connection = "network"\nhost = "127.0.0.1"'
                                               f'\nport = {fake.port}', "timeout_s = 5": "timeout_s = 0.5"})
            connection = open_connection(load_config(site).printer)
            answers: list[PrinterState] = []
            asking = threading.Thread(target=ask_status, args=(connection, answers), daemon=True)
            asking.start()
            asking.join(timeout=20)  # a safety net: the library's default would block for 60 s
            assert answers == [expected]


def test_file_connection_appends_and_reports(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    conn = FileConnection(str(device), timeout_s=1)
    assert conn.status() is PrinterState.OFFLINE  # no device node
    device.write_bytes(b"")
    assert conn.status() is PrinterState.UNKNOWN  # a file cannot say whether paper is in
    conn.send(PrintJob("a", b"one"))
    conn.send(PrintJob("b", b"two"))
    assert device.read_bytes() == b"onetwo"
    with pytest.raises(PrinterUnavailable):
        FileConnection(str(tmp_path / "no" / "lp0"), timeout_s=1).send(PrintJob("c", b"x"))


def test_folder_connection_unwritable_is_offline(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    conn = FolderConnection(blocker / "tickets")
    assert conn.status() is PrinterState.OFFLINE
    with pytest.raises(PrinterUnavailable):
        conn.send(PrintJob("A001", b"x"))


def test_folder_connection_can_write_the_previews_after_the_paper(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    # `totem issue` and `print-test`: the paper (the .escpos bytes) at once, the PNG preview when the
    # printer closes, after the command has said its result (issue 21: Pillow is not on the paper's path)
    drawn: list[str] = []

    def preview(name: str) -> Callable[[], Image.Image]:
        return lambda: drawn.append(name) or Image.new("L", (8, 8), 255)

    conn = FolderConnection(tmp_path / "tickets", previews_at_close=True)
    conn.send(PrintJob("2026-12-01/A001", b"paper one", preview=preview("A001")))
    conn.send(PrintJob("2026-12-01/A002", b"paper two", preview=preview("A002")))
    day = tmp_path / "tickets" / "2026-12-01"
    assert (day / "A001.escpos").read_bytes() == b"paper one" and (day / "A002.escpos").exists()
    assert drawn == [] and not list(day.glob("*.png"))
    conn.close()
    assert drawn == ["A001", "A002"] and sorted(p.name for p in day.glob("*.png")) == ["A001.png", "A002.png"]
    conn.close()  # nothing left to write
    assert drawn == ["A001", "A002"]
    # a preview that cannot be written after the paper is told in the log; the ticket is printed all the same
    (day / "A003.png").mkdir()  # where the PNG should go: a directory, so the write fails
    conn.send(PrintJob("2026-12-01/A003", b"paper three", preview=preview("A003")))
    with caplog.at_level(logging.WARNING, logger="printer.connections"):
        conn.close()
    assert (day / "A003.escpos").read_bytes() == b"paper three"
    assert "A003.png" in caplog.text and "preview" in caplog.text


# -- the CLI, as a technician or the UI would use it -------------------------------------------------

def totem(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=PYPATH)
    return subprocess.run([sys.executable, "-m", "totem", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=timeout)


def tickets(tmp_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(tmp_path / "data" / "totem.sqlite3") as db:
        return db.execute("SELECT code, status FROM tickets ORDER BY rowid").fetchall()


def test_issue_writes_ticket_to_folder(open_site_path: Path, tmp_path: Path) -> None:
    result = totem("issue", "uffici", "--config", str(open_site_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "A001"
    folder = tmp_path / "data" / "tickets"
    [escpos] = list(folder.glob("*/A001.escpos"))
    assert escpos.parent.name == date.today().isoformat() or len(escpos.parent.name) == 10
    out = decode(escpos.read_bytes())
    assert out.find("A001").width == 8 and out.cuts == 1
    with Image.open(escpos.with_suffix(".png")) as png:
        assert png.width == 576 + 32 and png.height > 400
    assert tickets(tmp_path) == [("A001", "printed")]
    assert totem("issue", "uffici", "--config", str(open_site_path)).stdout.strip() == "A002"


def test_issue_exit_codes(open_site_path: Path, tmp_path: Path) -> None:
    assert totem("issue", "nope", "--config", str(open_site_path)).returncode == 4
    closed = write_site(tmp_path / "closed", never_open=True)
    result = totem("issue", "uffici", "--config", str(closed))
    assert result.returncode == 3 and "next opening" in result.stderr
    # The anti-spam window counts on the wall clock between two processes: 600 s, so that a slow first
    # run (a loaded machine, its push to an absent hub) never lets the second one out of it.
    env_site = write_site(tmp_path / "spam", always_open=True, extra={"min_interval_s = 2": "min_interval_s = 600"})
    assert totem("issue", "uffici", "--config", str(env_site)).returncode == 0
    assert totem("issue", "uffici", "--config", str(env_site)).returncode == 5


def test_printer_down_uses_no_number(tmp_path: Path) -> None:
    with FreePort() as port:
        pass  # nothing listens there any more: connection refused
    site = write_site(tmp_path, always_open=True, extra={
        'connection = "folder"': f'connection = "network"\nhost = "127.0.0.1"\nport = {port}',
        "timeout_s = 5": "timeout_s = 1"})
    result = totem("issue", "uffici", "--config", str(site), timeout=30)  # a safety net, not a measurement
    assert result.returncode == 6, result.stderr
    assert "offline" in result.stderr
    assert not (tmp_path / "data" / "totem.sqlite3").exists() or tickets(tmp_path) == []


def test_silent_printer_fails_within_timeout_and_voids(tmp_path: Path) -> None:
    with FakeNetworkPrinter(mode="silent") as fake:
        site = write_site(tmp_path, always_open=True, extra={
            'connection = "folder"': f'connection = "network"\nhost = "127.0.0.1"\nport = {fake.port}',
            "timeout_s = 5": "timeout_s = 1.5"})
        env = dict(os.environ, PYTHONPATH=PYPATH)
        # the 20 s limit is a safety net: python-escpos's default would wait 60 s for the silent printer
        proc = subprocess.run([sys.executable, "-m", "totem", "issue", "uffici", "--config", str(site)],
                              capture_output=True, text=True, cwd=ROOT, env=env, timeout=20)
        assert proc.returncode == 6, proc.stderr
        assert "no answer" in proc.stderr
        assert tickets(tmp_path) == [("A001", "void")]
        with sqlite3.connect(tmp_path / "data" / "totem.sqlite3") as db:
            kinds = [k for (k,) in db.execute("SELECT kind FROM events ORDER BY seq")]
        assert kinds == ["issued", "void"]


def test_preview_uses_no_number(open_site_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "preview.png"
    result = totem("preview", "appuntamento", "--out", str(out), "--lang", "en", "--config", str(open_site_path))
    assert result.returncode == 0, result.stderr
    with Image.open(out) as png:
        assert png.width == 576 + 32
    assert tickets(tmp_path) == []


def test_print_test_page_to_folder(open_site_path: Path, tmp_path: Path) -> None:
    result = totem("print-test", "--config", str(open_site_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"test page sent to {tmp_path / 'data' / 'tickets'}/test-page.escpos (and .png)"
    out = decode((tmp_path / "data" / "tickets" / "test-page.escpos").read_bytes())
    assert {line.width for line in out.lines if "A001" in line.text} == set(range(1, 9))


@dataclass(frozen=True)
class _Issued:
    """An issued ticket as the printer sees it (totem.issuing.IssuedTicket's fields)."""
    id: str
    code: str
    service: object
    issued_at: object
    lang: str
    estimate: Estimate | None
    note: str = ""


def _fits(out: Decoded, dots: int) -> None:
    too_wide = [(line.text, line.width) for line in out.lines if len(line.text) * CHAR_W * line.width > dots]
    assert not too_wide, f"past the {dots}-dot line: {too_wide}"


@pytest.mark.parametrize(("paper_mm", "dots"), [(58, 384), (80, 576)])
def test_every_ticket_line_fits_the_paper_and_addresses_break_at_sensible_points(
        tmp_path: Path, paper_mm: int, dots: int) -> None:
    """Issue 25: 58 mm paper split the e-mail address mid-word. The folder printer's bytes,
    decoded: every line fits, the address is broken only after its "@" (58 mm) or not at all."""
    url = "https://www.comune.capannori.lu.it/servizi/sportello-comune-amico?fonte=totem"
    config = load_config(write_site(tmp_path, extra={"paper_width_mm = 80": f"paper_width_mm = {paper_mm}",
                                                     'qr_url = ""': f'qr_url = "{url}"'}))
    folder = tmp_path / "tickets"
    est = Estimate(people_ahead=12, exact=False, wait_low_min=90, wait_high_min=150, source="forecast")
    with TicketPrinter(config=config, connection=FolderConnection(folder)) as printer:
        for lang in config.site.languages:
            ticket = _Issued(f"t-{lang}", "E107", config.service("sanita"), rome(2026, 12, 1, 10, 32), lang, est,
                             note="Appuntamento delle 10:30")
            printer.print_ticket(ticket, copy=lang == "en")
        printer.print_test_page()
    jobs = sorted(folder.rglob("*.escpos"))
    assert len(jobs) == 3, jobs
    for job in jobs:
        out = decode(job.read_bytes())
        _fits(out, dots)
        assert out.unknown == []
        if job.stem == "test-page":
            for size in range(1, 9):  # the code at every size, never dropped for its label
                assert any(line.text.strip() == "A001" or line.text == f"{size}x A001"
                           for line in out.lines if line.width == size), (size, out.texts())
            continue
        texts = out.texts()
        if paper_mm == 80:
            assert "comuneamico@comune.capannori.lu.it" in texts
        else:
            i = texts.index("comuneamico@")
            assert texts[i + 1] == "comune.capannori.lu.it"
        assert out.find("E107").width * CHAR_W * 4 <= dots


def test_long_words_break_after_at_and_slash_never_mid_name() -> None:
    assert fit_words("Scrivete a comuneamico@comune.capannori.lu.it, grazie", 16) == [
        "Scrivete a", "comuneamico@", "comune.capannori", ".lu.it, grazie"]
    assert fit_words("https://www.comune.capannori.lu.it/servizi/sportello", 24) == [
        "https://www.comune", ".capannori.lu.it/", "servizi/sportello"]
    assert fit_words("", 10) == [""]
    with pytest.raises(ValueError, match="got width 0"):
        fit_words("x", 0)


class FreePort:
    """A free TCP port on 127.0.0.1 that nobody listens on after the block."""

    def __enter__(self) -> int:
        import socket

        self._sock = socket.create_server(("127.0.0.1", 0))
        return self._sock.getsockname()[1]

    def __exit__(self, *exc: object) -> None:
        self._sock.close()
