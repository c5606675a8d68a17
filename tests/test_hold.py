"""Holding a turn ("Sospendi", issue 23 point 2), through a real hub on 127.0.0.1 with two desks:
a held ticket keeps its place, is called back only by the desk that held it, is nobody's person
ahead, expires at closing (a frozen clock crossing 16:30 on a Tuesday), and the reports count it."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import HUB_NOW, rome, write_site
from test_hub_api import AUTH, post, state, ticket, waiting
from test_reports import SECOND_DESK

from config import load_config
from display.server import HubServer
from totem.clock import FrozenClock


@pytest.fixture
def two_desks(tmp_path: Path) -> Iterator[tuple[HubServer, FrozenClock]]:
    path = write_site(tmp_path)
    path.write_text(path.read_text() + SECOND_DESK)
    clock = FrozenClock(HUB_NOW)  # Tuesday 1 December 2026, 10:00; the desk closes at 16:30
    with HubServer(load_config(path), port=0, clock=clock) as hub:
        yield hub, clock


def desk(hub: HubServer, desk_id: str = "1") -> dict:
    return next(d for d in state(hub)["desks"] if d["id"] == desk_id)


def act(hub: HubServer, desk_id: str, action: str, shown: str | None = None, **body: object) -> requests.Response:
    """A console's click: its own request id and the ticket it shows in service."""
    return post(hub, f"/api/desks/{desk_id}/{action}", {"request_id": secrets.token_hex(8), "current": shown, **body})


def table(hub: HubServer, name: str) -> list[list[str]]:
    answer = requests.get(f"{hub.url}/reports/csv/{name}?from=2026-12-01&to=2026-12-01&lang=en", headers=AUTH,
                          timeout=5)
    assert answer.status_code == 200, answer.text
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))


def test_a_held_turn_keeps_its_place_and_only_its_desk_calls_it_back(two_desks) -> None:  # type: ignore[no-untyped-def]
    hub, clock = two_desks
    tickets = [ticket(number=n, minutes_ago=30 - n) for n in (1, 2, 3)]
    for t in tickets:
        assert post(hub, "/api/tickets", t).status_code == 201
    assert act(hub, "1", "next").json()["ticket"]["code"] == "A001"
    held = act(hub, "1", "hold", "A001")
    assert held.status_code == 200 and held.json()["ticket"]["status"] == "held"
    me = desk(hub)
    assert me["current"] is None and [h["code"] for h in me["held"]] == ["A001"]  # the desk is free
    assert waiting(hub) == {"uffici": ["A002", "A003"]}, "held: in no queue"
    late = post(hub, "/api/tickets", ticket(number=4, minutes_ago=0)).json()["position"]
    assert late["ahead"] == 2, "a held turn is nobody's person ahead"
    # Another desk: "next" and a typed code never reach it, a call-back is refused in words the console translates.
    assert act(hub, "2", "next").json()["ticket"]["code"] == "A002"
    assert act(hub, "2", "call", "A002", code="A001").status_code == 404
    other = act(hub, "2", "callback", "A002", code="A001")
    assert other.status_code == 409 and other.json()["refusal"]["reason"] == "held_elsewhere"
    assert desk(hub, "2")["current"]["code"] == "A002" and [h["code"] for h in desk(hub)["held"]] == ["A001"]
    assert act(hub, "1", "next").json()["ticket"]["code"] == "A003"
    # The citizen is back: the same desk calls the turn back, announced like a call; A003 is finished as served.
    clock.advance(minutes=7)
    back = act(hub, "1", "callback", "A003", code="A001")
    assert back.status_code == 200 and back.json()["ticket"]["status"] == "called"
    now = state(hub)
    me = next(d for d in now["desks"] if d["id"] == "1")
    assert me["current"]["code"] == "A001" and me["held"] == [] and now["calls"][0]["code"] == "A001"
    assert me["current"]["issued_at"] == back.json()["ticket"]["issued_at"]
    assert now["counts"]["served"] == 1  # A003
    again = act(hub, "1", "callback", "A001", code="A001")  # a second tab, after the first called it back
    assert again.status_code == 409 and again.json()["refusal"]["reason"] == "not_held"


def test_a_repeated_hold_is_refused_and_an_undo_puts_the_turn_back_in_service(two_desks) -> None:  # type: ignore[no-untyped-def]
    hub, _ = two_desks
    post(hub, "/api/tickets", ticket(number=1))
    act(hub, "1", "next")
    click = {"request_id": "hold-click-0001", "current": "A001"}
    assert post(hub, "/api/desks/1/hold", click).status_code == 200
    twice = post(hub, "/api/desks/1/hold", click)
    assert twice.status_code == 409 and twice.json()["refusal"]["reason"] == "repeated"
    stale = act(hub, "1", "hold", "A001")  # a tab still showing A001 in service
    assert stale.status_code == 409 and stale.json()["refusal"]["reason"] == "closed"
    undone = post(hub, "/api/desks/1/undo", {"request_id": secrets.token_hex(8), "undoes": "hold-click-0001"})
    assert undone.status_code == 200 and undone.json()["undone"] == "hold", undone.text
    me = desk(hub)
    assert me["current"]["code"] == "A001" and me["held"] == []


def test_a_turn_still_held_at_closing_expires_and_the_reports_count_it(two_desks) -> None:  # type: ignore[no-untyped-def]
    hub, clock = two_desks
    for n in (1, 2, 3, 4):
        post(hub, "/api/tickets", ticket(number=n, minutes_ago=40 - n))
    held, called_back, expired = set(), set(), set()
    for code in ("A001", "A002", "A003"):  # three turns held at desk 1
        assert act(hub, "1", "next").json()["ticket"]["code"] == code
        assert act(hub, "1", "hold", code).status_code == 200
        held.add(code)
    assert act(hub, "1", "callback", None, code="A002").status_code == 200
    called_back.add("A002")
    assert act(hub, "1", "done", "A002").status_code == 200
    assert act(hub, "1", "callback", None, code="A003").status_code == 200  # called back, then held again
    assert act(hub, "1", "hold", "A003").status_code == 200
    called_back.add("A003")
    clock.set(rome(2026, 12, 1, 16, 29))
    assert [h["code"] for h in desk(hub)["held"]] == ["A001", "A003"]
    assert act(hub, "2", "next").json()["ticket"]["code"] == "A004"  # no expiry before closing
    assert [h["code"] for h in desk(hub)["held"]] == ["A001", "A003"]
    clock.set(rome(2026, 12, 1, 16, 31))  # past the Tuesday's closing time, 16:30
    refused = act(hub, "1", "callback", None, code="A001")
    assert refused.status_code == 409 and refused.json()["refusal"]["reason"] == "not_held"
    expired |= {"A001", "A003"}
    assert desk(hub)["held"] == []
    counts = state(hub)["counts"]
    assert counts["served"] == 1 and counts["noshow"] == 0, "expired: neither served nor a no-show"
    holds = table(hub, "holds")
    assert holds[0] == ["Desk", "Service", "Held", "Called back", "Expired at closing", "Held now"]
    label = hub.config.service("uffici").label("en")
    assert holds[1:] == [["Sportello 1", label, str(len(held)), str(len(called_back)), str(len(expired)), "0"]]
    summary = requests.get(f"{hub.url}/api/reports?from=2026-12-01&to=2026-12-01", headers=AUTH, timeout=5).json()
    assert summary["counts"]["issued"] == 4, "a held or expired ticket still counts as issued"


def test_a_held_turn_left_from_yesterday_is_expired_and_never_listed(tmp_path: Path) -> None:
    from display import hold
    from display.queue import QueueStore

    store = QueueStore.in_dir(tmp_path / "hub", config=load_config(write_site(tmp_path)))
    try:
        day1 = rome(2026, 12, 1, 17, 0)  # held after the Tuesday's closing: it expires at midnight
        store.ingest_many([ticket(number=1, minutes_ago=0) | {"issued_at": day1.isoformat()}], now=day1)
        store.call_next("1", now=day1)
        assert hold.hold(store, "1", now=day1) is not None
        assert hold.expire_due(store, now=rome(2026, 12, 1, 23, 59)) == []
        assert hold.expire_due(store, now=rome(2026, 12, 2, 0, 0)) == ["A001"]
        assert hold.held_at_desks(store.reader(), "2026-12-01") == {}
        row = store.reader().execute("SELECT status, finished_at FROM tickets").fetchone()
        assert row[0] == "expired" and row[1].startswith("2026-12-01T23:00")  # midnight in Rome, in UTC
    finally:
        store.close()


def test_the_follow_page_says_a_held_turn_is_on_hold(two_desks) -> None:  # type: ignore[no-untyped-def]
    from config.follow import follow_key

    hub, _ = two_desks
    t = ticket(number=1)
    post(hub, "/api/tickets", t)
    act(hub, "1", "next")
    act(hub, "1", "hold", "A001")
    told = requests.get(f"{hub.url}/api/follow/{follow_key(hub.config.hub.token, t['id'])}", timeout=5).json()
    assert told["status"] == "held" and told["code"] == "A001"
