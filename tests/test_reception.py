"""The reception point (issue 14): tickets issued for a citizen at the entrance, numbered from
the reception's own block; phone and e-mail appointments, checked in at the totem with the
number the reception gave. Through the hub's HTTP API on 127.0.0.1, a frozen clock, SQLite on
disk and the folder printer decoded back."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from conftest import HUB_NOW, write_site
from escpos_decode import decode
from helpers.consoles import paired
from test_hub_api import AUTH, ticket

from config import load_config
from config.errors import ConfigError
from display.server import HubServer
from totem.clock import FrozenClock

PIN = "2580"


class Reception:
    """A logged-in reception browser session (cookie + same-origin JSON), like the page's."""

    def __init__(self, hub: HubServer) -> None:
        self.hub = hub
        self.http = paired(hub, "reception")
        answer = self.http.post(hub.url + "/reception/unlock", json={"pin": PIN}, timeout=5)
        assert answer.status_code == 200, answer.text

    def post(self, path: str, body: object) -> requests.Response:
        return self.http.post(self.hub.url + path, json=body, timeout=10)

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.hub.url + path, timeout=5)


def queue(hub: HubServer) -> dict[str, list[str]]:
    state = requests.get(hub.url + "/api/state", timeout=5).json()
    return {s["id"]: [q["code"] for q in s["queue"]] for s in state["services"] if s["queue"]}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path, extra={'public_url = ""': 'public_url = "http://192.168.1.20:8080"'})


def test_the_shipped_reception_is_valid_and_mistakes_name_the_key(tmp_path: Path) -> None:
    config = load_config(write_site(tmp_path / "ok"))
    assert config.reception is not None and config.reception.issuer == "accoglienza"
    assert config.appointment_service() is not None and config.appointment_service().id == "appuntamento"
    cases = {
        'issuer = "accoglienza"': ('issuer = "ingresso"', r"reception\.issuer.*\[\[totems\]\]"),
        'print = "printer"': ('print = "paper"', r"reception\.print: must be one of screen, printer"),
        'checkin_late_min = 30': ('checkin_late_min = 999', r"reception\.checkin_late_min"),
        '[reception]\n': ('[reception]\nextra = 1\n', r"reception\.extra"),
    }
    for i, (old, (new, pattern)) in enumerate(cases.items()):
        with pytest.raises(ConfigError, match=pattern):
            load_config(write_site(tmp_path / str(i), extra={old: new}))
    text = (tmp_path / "ok" / "site.toml").read_text()
    start = text.index("[reception]")
    end = text.index("# Optional: status LED")
    (tmp_path / "none").mkdir()
    (tmp_path / "none" / "site.toml").write_text(text[:start] + text[end:])
    with pytest.raises(ConfigError, match=r"services\[7\]\.appointments: needs a \[reception\] table"):
        load_config(tmp_path / "none" / "site.toml")


def test_the_reception_issues_a_ticket_from_its_own_block_and_prints_it(site: Path) -> None:
    config = load_config(site)
    clock = FrozenClock(HUB_NOW)
    with HubServer(config, port=0, clock=clock) as hub:
        locked = requests.post(hub.url + "/api/reception/tickets", json={"service": "uffici"}, timeout=5,
                               headers={"Origin": hub.url})
        assert locked.status_code == 401
        assert paired(hub, "reception").post(hub.url + "/reception/unlock", json={"pin": "1357"},
                                             timeout=5).status_code == 401, "a desk PIN does not open the reception"
        requests.post(hub.url + "/api/tickets", json=ticket(number=1, minutes_ago=5), headers=AUTH, timeout=5)
        desk = Reception(hub)
        issued = desk.post("/api/reception/tickets", {"service": "uffici", "lang": "en"})
        assert issued.status_code == 201, issued.text
        body = issued.json()
        assert body["code"] == "A800" and body["printed"] is True
        assert body["ahead"] == 1 and body["exact"] is True, "the hub counted it: exact"
        assert body["follow_url"].startswith("http://192.168.1.20:8080/t/")
        assert queue(hub) == {"uffici": ["A001", "A800"]}
        paper = config.reception.printer.folder / "2026-12-01" / "A800.escpos"
        out = decode(paper.read_bytes())
        out.find("A800")
        out.find("1 person ahead of you")  # the citizen's language, the exact count
        assert out.qr == [body["follow_url"]]
        clock.advance(seconds=30)
        assert desk.post("/api/reception/tickets", {"service": "uffici"}).json()["code"] == "A801"
        for bad, field in (({"service": "nope"}, "service"), ({"service": "appuntamento"}, "service"),
                           ({"service": "uffici", "lang": "fr"}, "lang"), ({"service": "uffici", "x": 1}, "x")):
            answer = desk.post("/api/reception/tickets", bad)
            assert answer.status_code == 400 and answer.json()["field"] == field, bad
        assert queue(hub) == {"uffici": ["A001", "A800", "A801"]}, "a refusal changes nothing"
        foreign = requests.post(hub.url + "/api/reception/tickets", json={"service": "uffici"}, timeout=5,
                                cookies=desk.http.cookies, headers={"Origin": "http://evil.example"})
        assert foreign.status_code == 403


def test_a_reception_printer_failure_voids_the_number(tmp_path: Path) -> None:
    site = write_site(tmp_path, extra={'connection = "folder"\nfolder = "reception-tickets"':
                                       f'connection = "file"\ndevice = "{tmp_path}/missing/lp0"'})
    with HubServer(load_config(site), port=0, clock=FrozenClock(HUB_NOW)) as hub:
        failed = Reception(hub).post("/api/reception/tickets", {"service": "sanita"})
        assert failed.status_code == 503 and "voided" in failed.text
        state = requests.get(hub.url + "/api/state", timeout=5).json()
        assert queue(hub) == {} and state["counts"]["void"] == 1


def test_a_ticket_issued_before_a_stop_reaches_the_queue_at_the_next_start(site: Path) -> None:
    from display.reception import ReceptionIssuer

    config = load_config(site)
    clock = FrozenClock(HUB_NOW)
    config.hub.data_dir.mkdir(parents=True, exist_ok=True)
    reception = ReceptionIssuer(config=config, clock=clock, printer=None)
    ticket_issued = reception.issuer.issue("sanita")  # committed; the hub stopped before it was handed over
    reception.close()
    with HubServer(config, port=0, clock=clock) as hub:
        assert queue(hub) == {"sanita": [ticket_issued.code]} and ticket_issued.code == "E800"


def test_appointments_are_entered_checked_and_listed(site: Path) -> None:
    with HubServer(load_config(site), port=0, clock=FrozenClock(HUB_NOW)) as hub:
        desk = Reception(hub)
        booked = desk.post("/api/reception/appointments", {"day": "2026-12-01", "time": "10:15",
                                                           "service": "rimborsi", "reference": "pratica TARI 42"})
        assert booked.status_code == 201, booked.text
        number = booked.json()["appointment"]["number"]
        assert len(number) == 11 and number.isdigit()
        bad = [({"day": "2026-11-30", "time": "10:00", "service": "rimborsi"}, "day"),
               ({"day": "2026-12-01", "time": "13:30", "service": "rimborsi"}, "time"),  # Tuesday: lunch break
               ({"day": "2026-12-06", "time": "10:00", "service": "rimborsi"}, "time"),  # a Sunday
               ({"day": "2026-12-01", "time": "9:5", "service": "rimborsi"}, "time"),
               ({"day": "2026-12-01", "time": "10:00", "service": "appuntamento"}, "service"),
               ({"day": "2026-12-01", "time": "10:00", "service": "rimborsi", "reference": "<b>x"}, "reference"),
               ({"day": "2026-12-01", "time": "10:00", "service": "rimborsi", "reference": "x" * 41}, "reference"),
               ({"day": "2026-12-01", "time": "10:00", "service": "rimborsi", "name": "Mario"}, "name")]
        for body, field in bad:
            answer = desk.post("/api/reception/appointments", body)
            assert answer.status_code == 400 and answer.json()["field"] == field, (body, answer.text)
        listed = desk.get("/api/reception/appointments?day=2026-12-01").json()["appointments"]
        assert [(a["number"], a["time"], a["service"], a["status"]) for a in listed] == \
            [(number, "10:15", "rimborsi", "booked")], "the refusals added nothing"
        cancelled = desk.post(f"/api/reception/appointments/2026-12-01/{number}/cancel", {})
        assert cancelled.status_code == 200 and cancelled.json()["appointment"]["status"] == "cancelled"
        assert desk.post(f"/api/reception/appointments/2026-12-01/{number}/reopen", {}).json()["appointment"][
            "status"] == "booked"
        assert desk.post("/api/reception/appointments/2026-12-01/00000/cancel", {}).status_code in (404, 200)
        assert requests.get(hub.url + "/api/reception/appointments", timeout=5).status_code == 401
        assert number not in requests.get(hub.url + "/api/state", timeout=5).text


def checkin(hub: HubServer, number: str, totem: str = "totem-1") -> requests.Response:
    return requests.post(hub.url + "/api/appointments/checkin", json={"number": number, "totem": totem},
                         headers=AUTH, timeout=5)


def test_a_check_in_is_accepted_once_in_its_window_and_the_ticket_is_linked(site: Path) -> None:
    clock = FrozenClock(HUB_NOW)  # 10:00
    with HubServer(load_config(site), port=0, clock=clock) as hub:
        desk = Reception(hub)
        numbers = {}
        for when, day in (("10:15", "2026-12-01"), ("11:00", "2026-12-01"), ("09:00", "2026-12-01"),
                          ("10:00", "2026-12-02")):
            numbers[when + day] = desk.post("/api/reception/appointments", {"day": day, "time": when,
                                                                          "service": "sanita"}).json()[
                "appointment"]["number"]
        assert requests.post(hub.url + "/api/appointments/checkin", json={"number": "12345", "totem": "totem-1"},
                             timeout=5).status_code == 401, "the totem's token"
        ok = checkin(hub, numbers["10:152026-12-01"])
        assert ok.status_code == 200, ok.text
        assert ok.json()["appointment"]["time"] == "10:15" and ok.json()["label"]["it"] == "Servizi sanitari"
        assert "reference" not in ok.json()["appointment"]
        again = checkin(hub, numbers["10:152026-12-01"])
        assert again.status_code == 409 and again.json()["reason"] == "used"
        early = checkin(hub, numbers["11:002026-12-01"])
        assert early.status_code == 409 and early.json() | {"error": ""} == {"reason": "early", "from": "10:30",
                                                                             "error": ""}
        late = checkin(hub, numbers["09:002026-12-01"])
        assert late.status_code == 409 and late.json()["reason"] == "late" and late.json()["until"] == "09:30"
        other = checkin(hub, numbers["10:002026-12-02"])
        assert other.status_code == 409 and other.json()["day"] == "2026-12-02"
        desk.post(f"/api/reception/appointments/2026-12-01/{numbers['11:002026-12-01']}/cancel", {})
        assert checkin(hub, numbers["11:002026-12-01"]).json()["reason"] == "cancelled"

        p = ticket("appuntamento", "P", 1) | {"appointment": numbers["10:152026-12-01"]}
        assert requests.post(hub.url + "/api/tickets", json=p, headers=AUTH, timeout=5).status_code == 201
        listed = desk.get("/api/reception/appointments?day=2026-12-01").json()["appointments"]
        mine = next(a for a in listed if a["number"] == numbers["10:152026-12-01"])
        assert mine["status"] == "checked_in" and mine["ticket_code"] == "P001"
        state = requests.get(hub.url + "/api/state", timeout=5).json()
        appt = next(s for s in state["services"] if s["id"] == "appuntamento")["queue"][0]
        assert appt["code"] == "P001" and appt["appointment"] == {"time": "10:15", "service": "sanita"}
        requests.post(f"{hub.url}/api/tickets/{p['id']}/void", json={"reason": "printer"}, headers=AUTH, timeout=5)
        assert checkin(hub, numbers["10:152026-12-01"]).status_code == 200, "nothing printed: it checks in again"
        bad = requests.post(hub.url + "/api/tickets", json=ticket("appuntamento", "P", 2) | {"appointment": "12"},
                            headers=AUTH, timeout=5)
        assert bad.status_code == 400 and bad.json()["field"] == "appointment"


def test_check_in_numbers_are_checked_before_the_brake(site: Path) -> None:
    """Malformed numbers are a 400; the brake (test_checkin_brake) is keyed by address, not totem id."""
    with HubServer(load_config(site), port=0, clock=FrozenClock(HUB_NOW)) as hub:
        for body in ({"number": "1234", "totem": "totem-1"}, {"number": "12345", "totem": "totem-1"},
                     {"number": "12345678901"}, {"number": 12345678901, "totem": "t"}):
            answer = requests.post(hub.url + "/api/appointments/checkin", json=body, headers=AUTH, timeout=5)
            assert answer.status_code == 400, body


def test_reception_refuses_a_name_as_reference_and_warns_on_a_taken_slot(site: Path) -> None:
    """Issue 20: the reference is a number or initials (data minimisation); a second appointment
    in the same slot and service is booked only when the reception confirms it."""
    with HubServer(load_config(site), port=0, clock=FrozenClock(HUB_NOW)) as hub:
        desk = Reception(hub)
        slot = {"day": "2026-12-01", "time": "11:00", "service": "rimborsi"}
        for name in ("Mario Rossi", "rossi", "Sig.ra Bianchi"):
            answer = desk.post("/api/reception/appointments", {**slot, "reference": name})
            assert answer.status_code == 400 and answer.json()["field"] == "reference", (name, answer.text)
            assert "name" in answer.json()["error"]
        for i, fine in enumerate(("M.R.", "42", "pratica TARI 42", "")):
            ok = desk.post("/api/reception/appointments", {**slot, "time": f"11:{15 + 5 * i}", "reference": fine})
            assert ok.status_code == 201, (fine, ok.text)
        assert desk.post("/api/reception/appointments", {**slot, "reference": "7"}).status_code == 201
        again = desk.post("/api/reception/appointments", {**slot, "reference": "8"})
        assert again.status_code == 409 and again.json()["field"] == "duplicate", again.text
        listed = desk.get("/api/reception/appointments?day=2026-12-01").json()["appointments"]
        assert sum(1 for a in listed if a["time"] == "11:00") == 1  # the warning changed nothing
        confirmed = desk.post("/api/reception/appointments", {**slot, "reference": "8", "duplicate_ok": True})
        assert confirmed.status_code == 201
        listed = desk.get("/api/reception/appointments?day=2026-12-01").json()["appointments"]
        assert sum(1 for a in listed if a["time"] == "11:00") == 2
