"""'Follow your turn' (issue 14): a QR code on the ticket opens a page on the hub for that one
ticket, with no login and no personal data: people ahead, the wait, and "Tocca a lei" when
called. The key in the address is derived from the ticket id with the site's secret, so it
cannot be guessed from anything public."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from conftest import HUB_NOW, write_site
from escpos_decode import decode
from test_hub_api import AUTH, post, ticket

from config import load_config
from config.follow import follow_key, follow_url
from display.server import HubServer
from printer.connections import FolderConnection
from printer.ticket_printer import TicketPrinter
from totem.clock import FrozenClock
from totem.issuing import Issuer
from totem.store import TicketStore

TOKEN = "demo-token-change-me-0123456789"


def follow(hub: HubServer, t: dict) -> requests.Response:
    return requests.get(f"{hub.url}/api/follow/{follow_key(TOKEN, t['id'])}", timeout=5)


def test_the_key_is_unguessable_and_stable() -> None:
    a = follow_key(TOKEN, "0b6f4d8e-1111-2222-3333-444455556666")
    assert a == follow_key(TOKEN, "0b6f4d8e-1111-2222-3333-444455556666")
    assert a != follow_key("another-token-0123456789", "0b6f4d8e-1111-2222-3333-444455556666")
    assert re.fullmatch(r"[a-z2-7]{26}", a), a  # 128 bits, base32: no id or code inside


def test_a_ticket_is_followed_from_waiting_to_called(tmp_path: Path) -> None:
    from test_reports import SECOND_DESK

    path = write_site(tmp_path)
    path.write_text(path.read_text() + SECOND_DESK)
    clock = FrozenClock(HUB_NOW)
    with HubServer(load_config(path), port=0, clock=clock) as hub:
        tickets = [ticket(number=n, minutes_ago=30 - n) for n in range(1, 5)]
        mine = tickets[3]
        assert follow(hub, mine).json()["status"] == "unknown", "not arrived yet: said so, no error"
        for t in tickets:
            post(hub, "/api/tickets", t)
        seen = follow(hub, mine)
        assert seen.status_code == 200 and seen.headers["Cache-Control"] == "no-store"
        body = seen.json()
        assert body["status"] == "waiting" and body["code"] == "A004" and body["ahead"] == 3 and body["exact"]
        assert body["label"]["it"] == "Problemi con un ufficio comunale"
        assert body["wait_high_min"] >= body["wait_low_min"] > 0
        assert set(body) <= {"status", "code", "service", "label", "ahead", "possible", "exact", "wait_low_min",
                             "wait_high_min", "desk_name", "service_day", "now", "site", "lang"}, "nothing more"
        post(hub, "/api/desks/1/next")
        assert follow(hub, mine).json()["ahead"] == 2
        post(hub, "/api/desks/1/call", {"code": "A004"})
        called = follow(hub, mine).json()
        assert called["status"] == "called" and called["desk_name"] == "Sportello 1"
        post(hub, "/api/desks/1/done")
        assert follow(hub, mine).json()["status"] == "served"
        clock.advance(days=1)  # yesterday's ticket never shows as today's (rule 7)
        old = follow(hub, mine).json()
        assert old["status"] == "expired" and old["service_day"] == "2026-12-01"


def test_wrong_keys_and_the_public_state_reveal_nothing(hub: HubServer) -> None:
    t = ticket()
    post(hub, "/api/tickets", t)
    post(hub, "/api/desks/1/next")
    for key in ("a" * 26, "short", "../../etc", "A" * 26):
        answer = requests.get(f"{hub.url}/api/follow/{key}", timeout=5)
        assert answer.status_code == (200 if key == "a" * 26 else 404), key
        assert "code" not in answer.text and "ahead" not in answer.text
    public = requests.get(hub.url + "/api/state", timeout=5).text
    assert t["id"] not in public and follow_key(TOKEN, t["id"]) not in public
    page = requests.get(f"{hub.url}/t/{follow_key(TOKEN, t['id'])}", timeout=5)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert page.headers["X-Robots-Tag"] == "noindex" and page.headers["Referrer-Policy"] == "no-referrer"
    assert requests.get(f"{hub.url}/t/not-a-key!", timeout=5).status_code == 404


def test_the_ticket_prints_the_follow_address_only_when_public_url_is_set(tmp_path: Path) -> None:
    off = load_config(write_site(tmp_path / "off", always_open=True))
    assert follow_url(off, "x") is None
    site = write_site(tmp_path / "on", always_open=True,
                      extra={'public_url = ""': 'public_url = "http://192.168.1.20:8080"'})
    config = load_config(site)
    clock = FrozenClock(HUB_NOW)
    with TicketStore.in_dir(config.totem.data_dir) as store, \
            TicketPrinter(config=config, connection=FolderConnection(tmp_path / "paper")) as printer:
        issued = Issuer(config=config, store=store, clock=clock, ignore_hours=True).issue("uffici")
        printer.print_ticket(issued)
    out = decode((tmp_path / "paper" / "2026-12-01" / "A001.escpos").read_bytes())
    assert out.qr == [f"http://192.168.1.20:8080/t/{follow_key(config.hub.token, issued.id)}"]
    out.find("Segua il suo turno sul telefono:")
    with HubServer(load_config(write_site(tmp_path / "hub")), port=0, clock=clock) as hub:
        body = {"id": issued.id, "code": issued.code, "service": "uffici", "number": issued.number,
                "issued_at": issued.issued_at.isoformat(), "totem": "totem-1"}
        assert requests.post(hub.url + "/api/tickets", json=body, headers=AUTH, timeout=5).status_code == 201
        key = out.qr[0].rsplit("/", 1)[1]
        assert requests.get(f"{hub.url}/api/follow/{key}", timeout=5).json()["code"] == "A001"


@pytest.mark.parametrize("value", ["ftp://x", "http://", "http://hub/path?q=1"])
def test_a_bad_public_url_is_named(tmp_path: Path, value: str) -> None:
    from config.errors import ConfigError

    site = write_site(tmp_path, extra={'public_url = ""': f'public_url = "{value}"'})
    with pytest.raises(ConfigError, match=r"hub\.public_url"):
        load_config(site)
