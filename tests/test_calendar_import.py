"""Appointments from the town's online booking (issue 23, point 3): a real Radicale CalDAV server
(from PyPI, its own storage folder, htpasswd) and a local HTTP server with an .ics file feed the
hub's calendar poller; the citizen checks in with the booking code through the real check-in
paths (`totem issue --appointment`, the kiosk on SDL's dummy driver); one frozen clock."""

from __future__ import annotations

import os
import socketserver
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import requests
from conftest import PYPATH, ROOT, rome, write_site
from kiosk_harness import kiosk, pump, tap_service
from test_checkin import type_number
from test_desk_browser import browser  # noqa: F401  (the fixture)
from test_hub_api import AUTH
from test_reception import Reception

from config import load_config
from config.errors import ConfigError
from display.server import HubServer
from totem.appointment_numbers import check_digit, new_number
from totem.clock import FrozenClock
from totem.ui.events import Screen

OPEN = rome(2026, 12, 1, 10, 0)  # Tuesday morning, the hub's frozen clock
USER, PASSWORD = "comune", "s3greta-prenotazioni"


def code(seed: str) -> str:
    body = seed.rjust(10, "0")[:10]
    return body + check_digit(body)


def event(uid: str, *, start_utc: str, number: str, category: str = "Anagrafe", status: str = "CONFIRMED",
          sequence: int = 0, summary: str = "Anagrafe - Mario Rossi") -> str:
    """One booking as the booking module publishes it: a citizen's name in SUMMARY and ATTENDEE."""
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Comune//Prenotazioni//IT\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20261120T080000Z\r\nDTSTART:{start_utc}\r\nDURATION:PT15M\r\n"
            f"SUMMARY:{summary}\r\nCATEGORIES:{category}\r\nSTATUS:{status}\r\nSEQUENCE:{sequence}\r\n"
            f"X-BOOKING-CODE:{number[:4]} {number[4:8]} {number[8:]}\r\n"
            "ATTENDEE;CN=Mario Rossi:mailto:mario.rossi@example.org\r\n"
            "DESCRIPTION:Tel. 333 1234567\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def calendar_site(tmp_path: Path, *, url: str, kind: str, credentials: Path | None = None, extra: str = "") -> Path:
    site = write_site(tmp_path, always_open=True, extra={"min_interval_s = 2": "min_interval_s = 0"})
    block = (f'\n[calendar]\nurl = "{url}"\nkind = "{kind}"\npoll_s = 3600\nservice_from = "category"\n'
             + (f'credentials = "{credentials}"\n' if credentials else "") + extra
             + '[calendar.services]\nanagrafe = "uffici"\n"sanità" = "sanita"\n')
    site.write_text(site.read_text(encoding="utf-8") + block, encoding="utf-8")
    return site


class _QuietWSGI(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _ThreadingWSGI(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


@contextmanager
def radicale_server(tmp_path: Path) -> Iterator[str]:
    """Radicale's own application on a real HTTP socket, 127.0.0.1 port 0, htpasswd auth."""
    import radicale
    import radicale.config

    tmp_path.mkdir(parents=True, exist_ok=True)
    users = tmp_path / "users"
    users.write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
    configuration = radicale.config.load()
    configuration.update({"storage": {"filesystem_folder": str(tmp_path / "collections")},
                          "auth": {"type": "htpasswd", "htpasswd_filename": str(users),
                                   "htpasswd_encryption": "plain"},
                          "rights": {"type": "owner_only"}}, "test", privileged=True)
    server = make_server("127.0.0.1", 0, radicale.Application(configuration), server_class=_ThreadingWSGI,
                         handler_class=_QuietWSGI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def credentials_file(tmp_path: Path) -> Path:
    path = tmp_path / "calendar.credentials"
    path.write_text(f'username = "{USER}"\npassword = "{PASSWORD}"\n', encoding="utf-8")
    path.chmod(0o600)
    return path


def poll_now(hub: HubServer) -> dict:
    answer = requests.post(hub.url + "/api/calendar/poll", headers=AUTH, timeout=60)
    assert answer.status_code in (200, 502), answer.text
    return answer.json()


def listed(hub: HubServer, day: str = "2026-12-01") -> dict[str, dict]:
    answer = Reception(hub).get(f"/api/reception/appointments?day={day}")
    assert answer.status_code == 200, answer.text
    return {a["number"]: a for a in answer.json()["appointments"]}


def issue(site: Path, number: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": PYPATH, "PATH": "/usr/bin:/bin", "TOTEM_DEVICE_FILE": os.environ["TOTEM_DEVICE_FILE"]}
    return subprocess.run([sys.executable, "-m", "totem", "issue", "appuntamento", "--appointment", number,
                           "--config", str(site)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


def totem_site(tmp_path: Path, hub_url: str) -> Path:
    return write_site(tmp_path, always_open=True, extra={"min_interval_s = 2": "min_interval_s = 0",
                                                         'url = "http://127.0.0.1:8080"': f'url = "{hub_url}"'})


def test_radicale_create_check_in_move_cancel(tmp_path: Path) -> None:
    clock = FrozenClock(OPEN)
    first, second, third = code("4417093385"), code("9021774613"), code("5550127788")
    with radicale_server(tmp_path / "radicale") as dav:
        http = requests.Session()
        http.auth = (USER, PASSWORD)
        collection = f"{dav}/{USER}/prenotazioni/"
        made = http.request("MKCALENDAR", collection, timeout=10)
        assert made.status_code == 201, made.text

        def put(name: str, body: str) -> None:
            answer = http.put(collection + name, data=body.encode(), timeout=10,
                              headers={"Content-Type": "text/calendar; charset=utf-8"})
            assert answer.status_code in (201, 204), answer.text

        put("a.ics", event("a@prenota.comune.example", start_utc="20261201T091500Z", number=first))  # 10:15
        put("old.ics", event("old@prenota.comune.example", start_utc="20261002T091500Z", number=code("1110001110")))
        site = calendar_site(tmp_path / "hub", url=collection, kind="caldav",
                             credentials=credentials_file(tmp_path))
        with HubServer(load_config(site), port=0, clock=clock) as hub:
            status = poll_now(hub)
            assert status["last_error"] is None  # the start's poll, or this one: the event is in
            assert status["events_read"] == 1, "October's booking is not sent: the REPORT asks from yesterday on"
            totem = totem_site(tmp_path / "totem", hub.url)
            done = issue(totem, first)  # the real check-in path, with the booking code
            assert done.returncode == 0 and done.stdout.strip() == "P001", done.stderr
            assert listed(hub)[first]["status"] == "checked_in"
            assert listed(hub)[first]["service"] == "uffici" and listed(hub)[first]["reference"] == ""

            # Created after the hub started: checked in within one poll.
            put("b.ics", event("b@prenota.comune.example", start_utc="20261201T092000Z", number=second,
                               category="Sanità"))
            assert issue(totem, second).returncode == 10, "not imported before the poll"
            status = poll_now(hub)
            assert status["merged"]["created"] == 1 and status["merged"]["unchanged"] == 1
            assert listed(hub)[second]["time"] == "10:20" and listed(hub)[second]["service"] == "sanita"

            # Moved to 11:30: its window moves (check-in from 11:00, so at 10:00 it is early).
            put("b.ics", event("b@prenota.comune.example", start_utc="20261201T103000Z", number=second,
                               category="Sanità", sequence=1))
            assert poll_now(hub)["merged"]["moved"] == 1
            assert listed(hub)[second]["time"] == "11:30"
            early = issue(totem, second)
            assert early.returncode == 10 and "check-in from 11:00" in early.stderr, early.stderr
            clock.set(rome(2026, 12, 1, 11, 10))
            put("c.ics", event("c@prenota.comune.example", start_utc="20261201T103000Z", number=third))

            # Cancelled in the calendar: refused at the totem with the cancellation message.
            put("b.ics", event("b@prenota.comune.example", start_utc="20261201T103000Z", number=second,
                               category="Sanità", sequence=2, status="CANCELLED"))
            status = poll_now(hub)
            assert status["merged"]["cancelled"] == 1 and status["merged"]["created"] == 1
            assert listed(hub)[second]["status"] == "cancelled"
            with kiosk(totem, clock) as app:
                for lang, said in (("it", "Questo appuntamento è stato annullato: chieda all'accoglienza"),
                                   ("en", "This appointment was cancelled: please ask at the reception")):
                    app.set_language(lang)
                    tap_service(app, 7)
                    pump(app, lambda: app.screen is Screen.CHECKIN)
                    type_number(app, second)
                    pump(app, lambda: bool(app.checkin.message))
                    assert app.checkin.message == said
                    app.go(Screen.HOME)

            # Deleted from the calendar: cancelled within one poll, never deleted from the hub.
            assert http.delete(collection + "c.ics", timeout=10).status_code in (200, 204)
            assert poll_now(hub)["merged"]["cancelled"] == 1
            assert listed(hub)[third]["status"] == "cancelled"
            assert poll_now(hub)["merged"] == {**poll_now(hub)["merged"], "created": 0, "cancelled": 0}

        # Data minimisation: no name, e-mail, phone or summary anywhere in the hub's database.
        raw = b"".join(p.read_bytes() for p in (tmp_path / "hub" / "hub").glob("hub.sqlite3*"))
        for personal in (b"Rossi", b"Mario", b"mario.rossi", b"333 1234567", b"prenota.comune.example"):
            assert personal not in raw


class _Feed(BaseHTTPRequestHandler):
    body: bytes = b""
    status: int = 200

    def do_GET(self) -> None:
        self.send_response(type(self).status)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(type(self).body)))
        self.end_headers()
        self.wfile.write(type(self).body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def ics_server() -> Iterator[tuple[str, type[_Feed]]]:
    handler = type("Feed", (_Feed,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/prenotazioni.ics", handler
    finally:
        server.shutdown()
        server.server_close()


def feed(*events: str) -> bytes:
    """One .ics file with these events (each `event()` is a whole calendar: its VEVENT is kept)."""
    blocks = ["BEGIN:VEVENT" + e.split("BEGIN:VEVENT", 1)[1].split("END:VEVENT", 1)[0] + "END:VEVENT\r\n"
              for e in events]
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Comune//Prenotazioni//IT\r\n" + "".join(blocks)
            + "END:VCALENDAR\r\n").encode()


def test_an_ics_url_is_imported_once_and_a_failure_keeps_every_appointment(tmp_path: Path,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    clock = FrozenClock(OPEN)
    number, other = code("7312004598"), code("1188230475")
    with ics_server() as (url, served):
        served.body = feed(event("x1", start_utc="20261201T091500Z", number=number),
                           event("x2", start_utc="20261201T093000Z", number=other, category="Sconosciuta"),
                           event("x3", start_utc="20261201T094500Z", number="12345678901"))  # check digit wrong
        site = calendar_site(tmp_path / "hub", url=url, kind="ics")
        with HubServer(load_config(site), port=0, clock=clock) as hub:
            status = poll_now(hub)
            assert status["skipped"] == {"no_service": 1, "no_code": 1}
            assert poll_now(hub)["merged"]["unchanged"] == 1  # the same event again: one appointment
            assert list(listed(hub)) == [number]
            # An older version of the event (a lagging mirror) does not undo a newer one.
            served.body = feed(event("x1", start_utc="20261201T100000Z", number=number, sequence=3))
            assert poll_now(hub)["merged"]["moved"] == 1
            served.body = feed(event("x1", start_utc="20261201T091500Z", number=number, sequence=2))
            assert poll_now(hub)["merged"]["stale"] == 1 and listed(hub)[number]["time"] == "11:00"
            # The booking server fails: a fault on the fleet page, nothing deleted or cancelled.
            served.status = 500
            status = poll_now(hub)
            assert "HTTP 500" in status["last_error"]
            assert "HTTP 500" in poll_now(hub)["last_error"]
            said = [r for r in caplog.records if r.name == "display.calendar_poller" and "HTTP 500" in r.getMessage()]
            assert len(said) == 1 and said[0].levelname == "WARNING", "logged once, not at every poll"
            fleet = requests.get(hub.url + "/api/fleet", headers=AUTH, timeout=10).json()["devices"]
            entry = next(d for d in fleet if d["id"] == "calendar")
            assert "booking calendar not read" in entry["fault"] and "HTTP 500" in entry["fault"]
            assert listed(hub)[number]["status"] == "booked" and listed(hub)[number]["online"] is True
            said = Reception(hub).get("/api/reception/appointments?day=2026-12-01").json()["calendar"]
            assert said["error"] is True and datetime.fromisoformat(said["last_ok_at"]) == OPEN  # the page says it
            served.status = 200
            served.body = b"<html>maintenance</html>"
            assert "not an iCalendar file" in poll_now(hub)["last_error"]
            assert listed(hub)[number]["status"] == "booked"
            served.body = feed(event("x1", start_utc="20261201T100000Z", number=number, sequence=3))
            assert poll_now(hub)["last_error"] is None
            fleet = requests.get(hub.url + "/api/fleet", headers=AUTH, timeout=10).json()["devices"]
            assert next(d for d in fleet if d["id"] == "calendar")["fault"] is None
        # A hub restart keeps them and imports nothing twice.
        with HubServer(load_config(site), port=0, clock=clock) as hub:
            assert poll_now(hub)["merged"]["created"] == 0
            with sqlite3.connect(tmp_path / "hub" / "hub" / "hub.sqlite3") as db:
                assert db.execute("SELECT COUNT(*) FROM appointments").fetchone()[0] == 1


def test_wrong_credentials_and_a_readable_credentials_file_are_faults(tmp_path: Path) -> None:
    with radicale_server(tmp_path / "radicale") as dav:
        collection = f"{dav}/{USER}/prenotazioni/"
        assert requests.request("MKCALENDAR", collection, auth=(USER, PASSWORD), timeout=10).status_code == 201
        secret = tmp_path / "wrong.credentials"
        secret.write_text(f'username = "{USER}"\npassword = "nope"\n', encoding="utf-8")
        secret.chmod(0o600)
        site = calendar_site(tmp_path / "hub", url=collection, kind="caldav", credentials=secret)
        with HubServer(load_config(site), port=0, clock=FrozenClock(OPEN)) as hub:
            assert "HTTP 401 (check calendar.credentials)" in poll_now(hub)["last_error"]
            secret.chmod(0o644)
            error = poll_now(hub)["last_error"]
            assert "others may read" in error and "nope" not in error


def test_calendar_settings_name_the_key(tmp_path: Path) -> None:
    cases = {'anagrafe = "uffici"': ('anagrafe = "ufici"', r"calendar\.services\.anagrafe: unknown service .*did "
                                     r"you mean 'uffici'\?"),
             'poll_s = 3600': ("poll_s = 1", r"calendar\.poll_s: must be 10-3600"),
             'kind = "ics"': ('kind = "webcal"', r"calendar\.kind: must be one of caldav, ics"),
             'service_from = "category"': ('service_from = "categoria"', r"calendar\.service_from"),
             'url = "http://cal.example/x.ics"': ('url = "https://u:p@cal.example/x.ics"',
                                                 r"calendar\.url: must not carry a user or password"),
             '"sanità" = "sanita"': ('"sanità" = "appuntamento"', r"calendar\.services\.sanità: unknown service")}
    base = calendar_site(tmp_path / "ok", url="http://cal.example/x.ics", kind="ics").read_text(encoding="utf-8")
    config = load_config(tmp_path / "ok" / "site.toml")
    assert config.calendar is not None and config.calendar.poll_s == 3600
    assert config.calendar.services == {"anagrafe": "uffici", "sanità": "sanita"}
    for old, (new, message) in cases.items():
        path = tmp_path / "bad.toml"
        head, tail = base.split("\n[calendar]\n")  # the test's own block, not the shipped file's comments
        path.write_text(head + "\n[calendar]\n" + tail.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            load_config(path)
    default = tmp_path / "default.toml"
    default.write_text(base.replace("poll_s = 3600\n", "", 1), encoding="utf-8")
    assert load_config(default).calendar.poll_s == 60


def test_the_booking_codes_are_appointment_numbers() -> None:
    """What the booking module must issue: 11 digits, the last the Damm check digit of the first 10
    (totem.appointment_numbers); `code()` above builds them, as the module would."""
    made = new_number()
    assert code(made[:10]) == made


def test_the_shipped_example_is_valid_and_check_config_summarises_it(tmp_path: Path) -> None:
    """The commented [calendar] of config/comune-amico.toml, uncommented, is a valid site file."""
    site = write_site(tmp_path)
    text = site.read_text(encoding="utf-8")
    block = text[text.index("# [calendar]"):]
    lines = [line[2:] if line.startswith("# ") else "" if line == "#" else line for line in block.splitlines()]
    site.write_text(text[:text.index("# [calendar]")] + "\n".join(x for x in lines if not x.startswith("# ")),
                    encoding="utf-8")
    config = load_config(site)
    assert config.calendar is not None and config.calendar.kind == "caldav" and config.calendar.poll_s == 60
    assert config.calendar.services == {"anagrafe": "uffici", "tributi": "bollette", "sanità": "sanita"}
    assert config.calendar.credentials == Path("/etc/totem/calendar.credentials")
    out = subprocess.run([sys.executable, "-m", "totem", "check-config", str(site)], capture_output=True, text=True,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": PYPATH}, timeout=60)
    assert out.returncode == 0, out.stderr
    assert ("calendar: caldav https://prenotazioni.comune.capannori.lu.it/dav/calendars/sportello/ every 60 s; "
            "service by category: anagrafe -> uffici, tributi -> bollette, sanità -> sanita; code in X-BOOKING-CODE"
            ) in out.stdout


def _hub_db(tmp_path: Path) -> tuple[sqlite3.Connection, object]:
    """The hub's own database file, made by its store (every migration step), for the merge core."""
    from display.queue import QueueStore

    config = load_config(write_site(tmp_path))
    QueueStore.in_dir(config.hub.data_dir, config=config).close()
    return sqlite3.connect(config.hub.data_dir / "hub.sqlite3", isolation_level=None), config


def test_merge_keeps_checked_in_tickets_and_reception_numbers(tmp_path: Path) -> None:
    from datetime import date

    from display import appointments
    from display.calendar_events import Booking, merge

    db, _ = _hub_db(tmp_path)
    today, now = date(2026, 12, 1), OPEN
    taken = appointments.book(db, day=today, at=rome(2026, 12, 1, 11, 0).time(), service_id="uffici",
                              reference="pratica 9", today=today, now=now).number
    mine = code("2020202020")
    same = Booking("k1", taken, "sanita", "2026-12-01", "10:30", False)
    assert merge(db, [same], today=today, now=now).conflicts == 1, "a reception number is never taken over"
    booked = Booking("k2", mine, "sanita", "2026-12-01", "10:30", False)
    assert merge(db, [booked], today=today, now=now).created == 1
    appointments.check_in(db, mine, totem="totem-1", now=rome(2026, 12, 1, 10, 20), tz=rome(2026, 1, 1).tzinfo,
                          early_min=30, late_min=30)
    cancelled = Booking("k2", mine, "sanita", "2026-12-01", "10:30", True, sequence=1)
    assert merge(db, [cancelled], today=today, now=now).cancelled == 0
    status = db.execute("SELECT status FROM appointments WHERE number = ?", (mine,)).fetchone()[0]
    assert status == "checked_in", "the citizen already holds a ticket: it stands"
    # An event gone from the calendar and then back (an undo in the booking module) is open again.
    other = code("3030303030")
    back = Booking("k3", other, "uffici", "2026-12-02", "09:00", False)
    merge(db, [back], today=today, now=now)
    assert merge(db, [], today=today, now=now).cancelled == 1
    assert merge(db, [back], today=today, now=now).reopened == 1
    assert db.execute("SELECT status FROM appointments WHERE number = ?", (other,)).fetchone()[0] == "booked"
    # The reception's own cancel of an imported appointment is not undone by the next, unchanged poll.
    appointments.set_status(db, day=date(2026, 12, 2), number=other, status="cancelled")
    assert merge(db, [back], today=today, now=now).unchanged == 1
    assert db.execute("SELECT status FROM appointments WHERE number = ?", (other,)).fetchone()[0] == "cancelled"


def test_time_zones_and_what_is_not_an_appointment(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    from display.calendar_events import bookings

    config = load_config(calendar_site(tmp_path, url="http://cal.example/x.ics", kind="ics"))
    assert config.calendar is not None
    number = code("6060606060")
    local = event("tz", start_utc="X", number=number).replace("DTSTART:X", "DTSTART;TZID=Europe/Rome:20260329T090000")
    floating = event("fl", start_utc="X", number=code("7070707070")).replace("DTSTART:X", "DTSTART:20260330T091500")
    allday = event("ad", start_utc="X", number=code("8080808080")).replace("DTSTART:X", "DTSTART;VALUE=DATE:20260330")
    weekly = event("rr", start_utc="20261201T091500Z", number=code("9090909090")).replace(
        "SEQUENCE:0", "SEQUENCE:0\r\nRRULE:FREQ=WEEKLY")
    parsed = bookings([feed(event("utc", start_utc="20260329T080000Z", number=code("5050505050")), local,
                            floating, allday, weekly), b"not a calendar"], config.calendar, ZoneInfo("Europe/Rome"))
    assert [(b.day, b.time) for b in parsed.bookings] == [("2026-03-29", "10:00"), ("2026-03-29", "09:00"),
                                                          ("2026-03-30", "09:15")]  # DST day: UTC+2 from 03:00
    assert parsed.skipped == {"no_time": 1, "recurring": 1, "unreadable": 1}
    assert all(b.uid_key not in ("tz", "fl", "utc") and len(b.uid_key) == 32 for b in parsed.bookings)


def test_a_slow_booking_server_never_holds_up_the_hub(tmp_path: Path) -> None:
    """The poll runs on its own thread: while the booking server sits on the request, the hub answers."""
    arrived, release = threading.Event(), threading.Event()

    class Slow(_Feed):
        def do_GET(self) -> None:
            arrived.set()
            release.wait(60)
            super().do_GET()

    Slow.body = feed(event("s1", start_utc="20261201T091500Z", number=code("1212121212")))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        site = calendar_site(tmp_path, url=f"http://127.0.0.1:{server.server_port}/x.ics", kind="ics")
        with HubServer(load_config(site), port=0, clock=FrozenClock(OPEN)) as hub:
            assert arrived.wait(30), "the hub polls at start"
            for path in ("/healthz", "/api/state", "/api/forecast"):
                assert requests.get(hub.url + path, timeout=5).status_code == 200
            assert Reception(hub).get("/api/reception/appointments?day=2026-12-01").json()["appointments"] == []
            release.set()
            assert poll_now(hub)["last_error"] is None
            assert code("1212121212") in listed(hub)
    finally:
        release.set()
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_the_reception_page_marks_online_bookings_and_says_the_calendar_fails(tmp_path: Path,
                                                                             browser: object) -> None:  # noqa: F811
    from helpers.consoles import pair_page
    from test_desk_browser import wait_text

    number = code("4545454545")
    with ics_server() as (url, served):
        served.body = feed(event("r1", start_utc="20261201T091500Z", number=number))
        with HubServer(load_config(calendar_site(tmp_path, url=url, kind="ics")), port=0,
                       clock=FrozenClock(OPEN)) as hub:
            assert poll_now(hub)["last_error"] is None and number in listed(hub)
            served.status = 503
            assert poll_now(hub)["last_error"]
            page = browser.new_page(viewport={"width": 1440, "height": 900})  # type: ignore[attr-defined]
            pair_page(page, hub, "reception")
            page.wait_for_selector("#lock:not([hidden])")
            page.fill("#pin", "2580")
            page.click("#unlock button")
            page.wait_for_selector("#reception:not([hidden])")
            page.fill("#list-day", "2026-12-01")
            page.dispatch_event("#list-day", "change")
            wait_text(page, "#list tbody", lambda t: "4545 4545 45" in t and "Prenotazione online" in t)
            wait_text(page, "#calendar-fault", lambda t: t.startswith("Prenotazioni online non aggiornate dalle ")
                      and "gli appuntamenti già importati restano validi" in t)
            served.status = 200
            assert poll_now(hub)["last_error"] is None
            page.dispatch_event("#list-day", "change")
            page.wait_for_selector("#calendar-fault", state="hidden")
