"""Visits as they are (issue 23 point 4), through a real hub on 127.0.0.1: a second service added
to the ticket in service, contacts served without a ticket (phone, e-mail, walk-up), each click
recorded once, and the reports (CSV and `totem-display report`) showing the test's own counts."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import HUB_NOW, PYPATH, ROOT, write_site
from test_hold import act, table
from test_hub_api import post, ticket
from test_reports import SECOND_DESK

from config import load_config
from display.server import HubServer
from totem.clock import FrozenClock


@pytest.fixture
def two_desks(tmp_path: Path) -> Iterator[tuple[HubServer, FrozenClock]]:
    path = write_site(tmp_path)
    path.write_text(path.read_text() + SECOND_DESK)
    clock = FrozenClock(HUB_NOW)
    with HubServer(load_config(path), port=0, clock=clock) as hub:
        yield hub, clock


def contact(hub, desk_id: str, channel: str, service: str, request_id: str | None = None,  # type: ignore[no-untyped-def]
            **more: object) -> requests.Response:
    return post(hub, f"/api/desks/{desk_id}/contact", {"request_id": request_id or secrets.token_hex(8),
                                                      "channel": channel, "service": service, **more})


def test_a_second_service_is_added_to_the_ticket_in_service_once(two_desks) -> None:  # type: ignore[no-untyped-def]
    hub, clock = two_desks
    post(hub, "/api/tickets", ticket(number=1, minutes_ago=5))
    post(hub, "/api/tickets", ticket("rimborsi", "C", 1, minutes_ago=1))
    assert act(hub, "1", "next").json()["ticket"]["code"] == "A001"
    added = act(hub, "1", "add_service", "A001", service="sanita")
    assert added.status_code == 200 and added.json()["ticket"]["added_services"] == ["sanita"], added.text
    again = act(hub, "1", "add_service", "A001", service="sanita")  # another click on the same service
    assert again.status_code == 200 and again.json()["repeated"] is True
    same = act(hub, "1", "add_service", "A001", service="uffici")
    assert same.status_code == 409 and same.json()["refusal"]["reason"] == "same_service"
    for body, field in (({"service": "nope"}, "service"), ({}, "service"), ({"service": "sanita", "x": 1}, "x")):
        bad = act(hub, "1", "add_service", "A001", **body)
        assert bad.status_code == 400 and bad.json()["field"] == field, bad.text
    clock.advance(minutes=12)
    assert act(hub, "1", "next", "A001").json()["ticket"]["code"] == "C001"  # A001 served, one ticket, two services
    assert act(hub, "1", "add_service", "C001", service="bollette").status_code == 200
    assert act(hub, "1", "add_service", "C001", service="sanita").status_code == 200
    work = table(hub, "work")
    second = [r for r in work[1:] if r[1] == "Second service"]
    label = {s.id: s.label("en") for s in hub.config.services}
    assert sorted((r[2], r[3]) for r in second) == sorted([(label["sanita"], "2"), (label["bollette"], "1")])
    tickets = [r for r in work[1:] if r[1] == "Ticket"]
    assert tickets == [["Sportello 1", "Ticket", label["uffici"], "1", "1", "12,0"]]  # the CSV writes a decimal comma


def test_contacts_without_a_ticket_are_counted_per_channel_once_per_click(two_desks) -> None:  # type: ignore[no-untyped-def]
    hub, _ = two_desks
    mine = {("1", "phone", "uffici"): (0, 0), ("1", "email", "sanita"): (0, 0), ("2", "walkin", "bollette"): (0, 0)}
    plan = [("1", "phone", "uffici", 240), ("1", "phone", "uffici", None), ("1", "email", "sanita", 90),
            ("2", "walkin", "bollette", None), ("1", "phone", "uffici", 60)]
    for desk_id, channel, service, seconds in plan:
        more = {} if seconds is None else {"duration_s": seconds}
        answer = contact(hub, desk_id, channel, service, **more)
        assert answer.status_code == 200 and answer.json()["repeated"] is False, answer.text
        n, total = mine[desk_id, channel, service]
        mine[desk_id, channel, service] = (n + 1, total + (seconds or 0))
    twice = contact(hub, "1", "phone", "uffici", request_id="contact-click-01")
    again = contact(hub, "1", "phone", "uffici", request_id="contact-click-01")  # a retry of the same click
    assert twice.status_code == 200 and again.status_code == 409 and again.json()["refusal"]["reason"] == "repeated"
    n, total = mine["1", "phone", "uffici"]
    mine["1", "phone", "uffici"] = (n + 1, total)
    for body, field in (({"channel": "fax", "service": "uffici"}, "channel"),
                        ({"channel": "phone", "service": "x"}, "service"),
                        ({"channel": "phone", "service": "uffici", "duration_s": -1}, "duration_s"),
                        ({"channel": "phone", "service": "uffici", "duration_s": "5"}, "duration_s"),
                        ({"channel": "phone", "service": "uffici", "name": "Mario"}, "name")):
        bad = post(hub, "/api/desks/1/contact", {"request_id": secrets.token_hex(8), **body})
        assert bad.status_code == 400 and bad.json()["field"] == field, bad.text
    me = next(d for d in requests.get(hub.url + "/api/state", timeout=5).json()["desks"] if d["id"] == "1")
    assert me["contacts"] == {"phone": 4, "email": 1}
    label = {s.id: s.label("en") for s in hub.config.services}
    names = {"phone": "Phone", "email": "E-mail", "walkin": "Walk-up, no ticket"}
    timed = {k: sum(1 for d, c, s, sec in plan if (d, c, s) == k and sec is not None) for k in mine}
    expected = sorted([f"Sportello {d}", names[c], label[s], str(n), str(timed[d, c, s]),
                       f"{total / 60:.1f}".replace(".", ",")]
                      for (d, c, s), (n, total) in mine.items())
    assert sorted(r for r in table(hub, "work")[1:] if r[1] != "Ticket") == expected


def test_the_report_command_prints_held_turns_and_channels(two_desks) -> None:  # type: ignore[no-untyped-def]
    hub, _ = two_desks
    post(hub, "/api/tickets", ticket(number=1))
    act(hub, "1", "next")
    act(hub, "1", "hold", "A001")
    contact(hub, "1", "email", "uffici")
    contact(hub, "1", "email", "uffici")
    out = subprocess.run([sys.executable, "-m", "display", "--config", str(hub.config.source), "report", "--from",
                          "2026-12-01",
                          "--to", "2026-12-01", "--lang", "en"], env=dict(os.environ, PYTHONPATH=PYPATH), cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Held turns (Hold): Held 1, Called back 0, Expired at closing 0, Held now 1" in out.stdout
    assert "E-mail 2" in out.stdout
