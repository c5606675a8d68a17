"""Issue 20, point 1: every desk click names the state it acted on and is done once
(DESIGN rule 10), through the hub's API on 127.0.0.1. Found: two consoles of one desk
pressing "Chiama il prossimo" within a few ms announced E001, recorded it served in 0 s
and called A002."""

from __future__ import annotations

import threading
import uuid

import requests
from helpers.consoles import paired
from test_hub_api import AUTH, post, state, ticket, waiting

from display.server import HubServer


def click(action_body: dict | None = None, *, current: str | None = None, **extra: object) -> dict:
    """What the console sends: a fresh request id and the ticket it shows in service."""
    return {"request_id": uuid.uuid4().hex, "current": {"code": current} if current else None,
            **(action_body or {}), **extra}


def me(hub: HubServer, desk: str = "1") -> dict:
    return next(d for d in state(hub)["desks"] if d["id"] == desk)


def test_two_consoles_press_next_at_once_one_call_and_a_refusal(hub: HubServer) -> None:
    post(hub, "/api/tickets", ticket("sanita", "E", 1, minutes_ago=10))
    post(hub, "/api/tickets", ticket(number=2, minutes_ago=5))
    gate = threading.Barrier(2)
    answers: list[requests.Response] = []

    def press() -> None:
        body = click()  # both tabs show no ticket in service
        gate.wait()
        answers.append(post(hub, "/api/desks/1/next", body))

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 409], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 409).json()
    assert refused["refusal"] == {"reason": "called", "desk": "1", "desk_name": "Sportello 1", "code": "E001",
                                  "shown": ""}
    assert refused["error"] == "Sportello 1 has already called E001" and refused["ticket"]["code"] == "E001"
    assert me(hub)["current"]["code"] == "E001", "the first call stays in service"
    assert waiting(hub) == {"uffici": ["A002"]} and state(hub)["counts"]["served"] == 0
    assert [c["code"] for c in state(hub)["calls"]] == ["E001"], "one announcement"


def test_a_duplicate_request_id_is_refused_and_changes_nothing_even_after_a_restart(config) -> None:  # type: ignore[no-untyped-def]
    from conftest import HUB_NOW

    from totem.clock import FrozenClock

    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        for n in (1, 2, 3):
            post(hub, "/api/tickets", ticket(number=n, minutes_ago=10 - n))
        first = click()
        assert post(hub, "/api/desks/1/next", first).status_code == 200
        again = post(hub, "/api/desks/1/next", first)
        assert again.status_code == 409 and again.json()["refusal"]["reason"] == "repeated"
        assert again.json()["error"] == "Sportello 1 already did this request (A001)"
        done = click(current="A001")
        assert post(hub, "/api/desks/1/done", done).status_code == 200
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:  # the retry arrives after a restart
        before = state(hub)
        assert post(hub, "/api/desks/1/done", done).json()["refusal"]["reason"] == "repeated"
        assert post(hub, "/api/desks/1/next", first).status_code == 409
        after = state(hub)
        assert after["counts"] == before["counts"] and waiting(hub) == {"uffici": ["A002", "A003"]}


def test_a_stale_tab_never_closes_a_ticket_it_did_not_see(hub: HubServer) -> None:
    for n in (1, 2, 3):
        post(hub, "/api/tickets", ticket(number=n, minutes_ago=10 - n))
    assert post(hub, "/api/desks/1/next", click()).status_code == 200  # tab A: A001
    assert post(hub, "/api/desks/1/next", click(current="A001")).status_code == 200  # tab A: A001 served, A002
    for action in ("done", "noshow", "recall", "transfer", "next"):  # tab B still shows A001
        body = click({"service": "procedure"} if action == "transfer" else None, current="A001")
        answer = post(hub, f"/api/desks/1/{action}", body)
        assert answer.status_code == 409 and answer.json()["refusal"]["reason"] == "called", (action, answer.text)
        assert answer.json()["refusal"]["code"] == "A002" and answer.json()["ticket"]["code"] == "A002"
    chosen = post(hub, "/api/desks/1/call", click({"code": "A003"}, current="A001"))
    assert chosen.status_code == 409 and chosen.json()["refusal"]["code"] == "A002"
    assert me(hub)["current"]["code"] == "A002" and me(hub)["current"]["recalls"] == 0
    assert state(hub)["counts"]["served"] == 1 and waiting(hub) == {"uffici": ["A003"]}
    assert post(hub, "/api/desks/1/done", click(current="A002")).status_code == 200
    closed = post(hub, "/api/desks/1/done", click(current="A002"))  # the other tab's "Fatto" on A002
    assert closed.status_code == 409 and closed.json()["refusal"]["reason"] == "closed"
    assert closed.json()["error"] == "Sportello 1 already closed A002: no ticket in service"
    assert state(hub)["counts"]["served"] == 2
    stale_called_at = click(current="A003")
    post(hub, "/api/desks/1/next", click())
    stale_called_at["current"]["called_at"] = "2026-12-01T08:00:00.000000+00:00"  # the same code, another call
    assert post(hub, "/api/desks/1/done", stale_called_at).json()["refusal"]["reason"] == "called"


def test_pause_resume_and_undo_name_what_they_act_on(hub: HubServer) -> None:
    assert post(hub, "/api/desks/1/pause", click()).status_code == 200
    again = post(hub, "/api/desks/1/pause", click())
    assert again.status_code == 409 and again.json()["refusal"]["reason"] == "paused"
    assert post(hub, "/api/desks/1/resume", click()).status_code == 200
    assert post(hub, "/api/desks/1/resume", click()).json()["refusal"]["reason"] == "open"
    post(hub, "/api/tickets", ticket(number=1, minutes_ago=5))
    post(hub, "/api/tickets", ticket(number=2, minutes_ago=4))
    tab_a = click()
    assert post(hub, "/api/desks/1/next", tab_a).status_code == 200  # A001
    tab_b = click(current="A001")
    assert post(hub, "/api/desks/1/done", tab_b).status_code == 200
    other = post(hub, "/api/desks/1/undo", {"request_id": uuid.uuid4().hex, "undoes": tab_a["request_id"]})
    assert other.status_code == 409 and other.json()["refusal"] == {
        "reason": "undo_other", "desk": "1", "desk_name": "Sportello 1", "code": "A001", "shown": ""}
    assert state(hub)["counts"]["served"] == 1, "tab A's undo did not take back tab B's Done"
    undo = post(hub, "/api/desks/1/undo", {"request_id": uuid.uuid4().hex, "undoes": tab_b["request_id"]})
    assert undo.status_code == 200 and me(hub)["current"]["code"] == "A001"


def test_a_console_must_say_what_it_shows(hub: HubServer) -> None:
    """The bearer token (scripts, the model test's plain clients) may leave the fields out;
    the console's cookie session may not. Bad fields are a 400 naming them."""
    s = paired(hub, "desk", "1")  # a PIN only unlocks a paired browser (issue 24)
    assert s.post(hub.url + "/desk/1/unlock", json={"pin": "1357"}, timeout=5).status_code == 200
    origin = {"Origin": hub.url}
    for body, field in (({}, "request_id"), ({"request_id": "click-0001"}, "current"),
                        ({"request_id": "x", "current": None}, "request_id"),
                        ({"request_id": "click-0001", "current": {"code": "a1"}}, "current"),
                        ({"request_id": "click-0001", "current": None, "extra": 1}, "extra")):
        answer = s.post(hub.url + "/api/desks/1/next", json=body, headers=origin, timeout=5)
        assert answer.status_code == 400 and answer.json()["field"] == field, (body, answer.text)
    undo = s.post(hub.url + "/api/desks/1/undo", json={"request_id": "click-0002"}, headers=origin, timeout=5)
    assert undo.status_code == 400 and undo.json()["field"] == "undoes"
    assert requests.post(hub.url + "/api/desks/1/next", headers=AUTH, timeout=5).status_code == 204


def test_the_reception_prints_one_ticket_per_request_id(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A reception click delivered twice (a retry, a proxy) issues and prints one ticket; the
    second answer names it. Totem requests were already idempotent by ticket id."""
    from conftest import HUB_NOW, write_site
    from test_reception import Reception

    from config import load_config
    from totem.clock import FrozenClock

    config = load_config(write_site(tmp_path))
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        desk = Reception(hub)
        click = {"service": "uffici", "request_id": uuid.uuid4().hex}
        first = desk.post("/api/reception/tickets", click)
        assert first.status_code == 201 and first.json()["code"] == "A800"
        again = desk.post("/api/reception/tickets", click)
        assert again.status_code == 409 and again.json()["refusal"] == {"reason": "repeated", "desk": "reception",
                                                                        "code": "A800"}
        assert waiting(hub) == {"uffici": ["A800"]}
        printed = sorted(p.name for p in (config.reception.printer.folder / "2026-12-01").glob("*.escpos"))
        assert printed == ["A800.escpos"]
        assert desk.post("/api/reception/tickets", {"service": "uffici", "request_id": "bad"}).status_code == 400
        assert desk.post("/api/reception/tickets", {"service": "uffici"}).json()["code"] == "A801"
