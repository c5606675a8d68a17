"""Operator actions beyond "call next" (issue 14), through the hub's API on 127.0.0.1:
calling a chosen waiting ticket, by its id (a click on the list) or its code (typed)."""

from __future__ import annotations

import requests
from test_hub_api import AUTH, post, state, ticket, waiting

from display.server import HubServer


def current(hub: HubServer, desk: str = "1") -> str | None:
    me = next(d for d in state(hub)["desks"] if d["id"] == desk)
    return me["current"]["code"] if me["current"] else None


def test_call_a_chosen_ticket_by_id_or_code(hub: HubServer) -> None:
    first, second, third = ticket(number=1, minutes_ago=20), ticket(number=2, minutes_ago=10), \
        ticket("rimborsi", "C", 1, minutes_ago=5)
    for t in (first, second, third):
        assert post(hub, "/api/tickets", t).status_code == 201
    chosen = post(hub, "/api/desks/1/call", {"id": second["id"]})
    assert chosen.status_code == 200 and chosen.json()["ticket"]["code"] == "A002"
    assert current(hub) == "A002" and waiting(hub) == {"uffici": ["A001"], "rimborsi": ["C001"]}
    again = post(hub, "/api/desks/1/call", {"id": second["id"]})  # a double click: nothing more happens
    assert again.status_code == 200 and again.json()["ticket"]["code"] == "A002" and current(hub) == "A002"
    typed = post(hub, "/api/desks/1/call", {"code": "C001"})  # the previous one is finished as served
    assert typed.status_code == 200 and current(hub) == "C001" and waiting(hub) == {"uffici": ["A001"]}
    assert state(hub)["counts"]["served"] == 1
    calls = [c["code"] for c in state(hub)["calls"]]
    assert calls[:2] == ["C001", "A002"], "each chosen call is announced like any call"


def test_a_typed_code_is_read_as_operators_type_it(hub: HubServer) -> None:
    """Issue 20: "e1", "E1" and "e001" all mean E001 (and " e 12 " E012)."""
    for n in (1, 2, 3, 12):
        assert post(hub, "/api/tickets", ticket("sanita", "E", n, minutes_ago=30 - n)).status_code == 201
    for typed, code in (("e1", "E001"), ("E2", "E002"), ("e003", "E003"), (" e 12 ", "E012")):
        answer = post(hub, "/api/desks/1/call", {"code": typed})
        assert answer.status_code == 200 and answer.json()["ticket"]["code"] == code, (typed, answer.text)
    missing = post(hub, "/api/desks/1/call", {"code": "e9"})
    assert missing.status_code == 404 and "E009" in missing.text


def test_calling_a_ticket_that_cannot_be_called_changes_nothing(hub: HubServer) -> None:
    t = ticket(number=1)
    post(hub, "/api/tickets", t)
    before = state(hub)
    for body, status, words in (({"code": "A009"}, 404, "A009 is not waiting"),
                                ({"id": "0b6f4d8e-1111-2222-3333-444455556666"}, 404, "not waiting"),
                                ({"code": "1a"}, 400, "code"), ({"code": "A0"}, 400, "code"),
                                ({"id": t["id"], "code": "A001"}, 400, "one of"),
                                ({}, 400, "id or code"), ({"code": "A001", "extra": 1}, 400, "extra")):
        answer = post(hub, "/api/desks/1/call", body)
        assert answer.status_code == status and words in answer.text, (body, answer.text)
    assert requests.post(hub.url + "/api/desks/1/call", json={"code": "A001"}, timeout=5).status_code == 401
    after = state(hub)
    assert [s["queue"] for s in after["services"]] == [s["queue"] for s in before["services"]]
    assert post(hub, "/api/desks/1/call", {"code": "A001"}, headers=AUTH).status_code == 200


def test_a_desk_cannot_call_a_ticket_of_a_service_it_does_not_serve(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import HUB_NOW, write_site
    from test_reports import SECOND_DESK

    from config import load_config
    from totem.clock import FrozenClock

    path = write_site(tmp_path)
    path.write_text(path.read_text() + SECOND_DESK)
    with HubServer(load_config(path), port=0, clock=FrozenClock(HUB_NOW)) as hub:
        post(hub, "/api/tickets", ticket("sanita", "E", 1))
        refused = post(hub, "/api/desks/2/call", {"code": "E001"})
        assert refused.status_code == 409 and "not for this desk" in refused.text
        assert waiting(hub) == {"sanita": ["E001"]} and current(hub, "2") is None
        assert post(hub, "/api/desks/1/call", {"code": "E001"}).status_code == 200


def test_a_no_show_comes_back_to_its_original_place(hub: HubServer) -> None:
    """A late citizen after "Assente": back in the queue where the ticket's time puts them
    (documented in the README), listed among today's no-shows until then."""
    for n, minutes in ((1, 30), (2, 20), (3, 10)):
        post(hub, "/api/tickets", ticket(number=n, minutes_ago=minutes))
    post(hub, "/api/desks/1/next")  # A001
    assert post(hub, "/api/desks/1/noshow").status_code == 200
    assert [t["code"] for t in state(hub)["noshows"]] == ["A001"]
    back = post(hub, "/api/desks/1/return", {"code": "A001"})
    assert back.status_code == 200 and back.json()["ticket"]["status"] == "waiting"
    assert waiting(hub) == {"uffici": ["A001", "A002", "A003"]} and state(hub)["noshows"] == []
    again = post(hub, "/api/desks/1/return", {"code": "A001"})  # a double click changes nothing
    assert again.status_code == 200 and waiting(hub) == {"uffici": ["A001", "A002", "A003"]}
    assert post(hub, "/api/desks/1/return", {"code": "A002"}).status_code == 200  # waiting already: unchanged
    assert post(hub, "/api/desks/1/return", {"code": "A009"}).status_code == 404
    assert state(hub)["counts"]["noshow"] == 0 and state(hub)["counts"]["waiting"] == 3
    called = post(hub, "/api/desks/1/next").json()["ticket"]
    assert called["code"] == "A001", "it is called first: its place is its ticket's time"


def test_a_paused_desk_gets_no_calls_and_leaves_the_estimates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import HUB_NOW, write_site
    from test_reports import SECOND_DESK

    from config import load_config
    from totem.clock import FrozenClock

    path = write_site(tmp_path)
    path.write_text(path.read_text() + SECOND_DESK)
    config = load_config(path)
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        for n in range(1, 7):
            post(hub, "/api/tickets", ticket(number=n, minutes_ago=30 - n))
        post(hub, "/api/desks/1/next")  # A001
        assert post(hub, "/api/desks/2/next").json()["ticket"]["code"] == "A002"  # both desks at work
        assert post(hub, "/api/desks/1/pause").status_code == 409, "a ticket in service is finished first"
        post(hub, "/api/desks/1/done")
        wait_two = requests.get(hub.url + "/api/forecast", timeout=5).json()["services"]["uffici"]
        assert post(hub, "/api/desks/1/pause").status_code == 200
        assert next(d for d in state(hub)["desks"] if d["id"] == "1")["paused"] is True
        assert post(hub, "/api/desks/1/next").status_code == 409 and current(hub) is None
        assert post(hub, "/api/desks/1/call", {"code": "A003"}).status_code == 409
        wait_one = requests.get(hub.url + "/api/forecast", timeout=5).json()["services"]["uffici"]
        assert wait_one["wait_high_min"] > wait_two["wait_high_min"], "one desk open: a longer wait is told"
        assert post(hub, "/api/desks/2/next").json()["ticket"]["code"] == "A003"  # the other desk goes on
        assert post(hub, "/api/desks/1/resume").status_code == 200
        assert post(hub, "/api/desks/1/next").json()["ticket"]["code"] == "A004"
        assert post(hub, "/api/desks/2/done").status_code == 200 and post(hub, "/api/desks/2/pause").status_code == 200
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:  # a restart keeps the pause
        assert [d["paused"] for d in state(hub)["desks"]] == [False, True]


def test_undo_puts_back_what_the_last_action_changed(hub: HubServer) -> None:
    """A mis-click undone within the window: the queue, the desk and the call screen are
    as they were before it (issue 14)."""
    for n, minutes in ((1, 30), (2, 20), (3, 10)):
        post(hub, "/api/tickets", ticket(number=n, minutes_ago=minutes))
    post(hub, "/api/desks/1/next")  # A001 in service
    before = state(hub)
    assert post(hub, "/api/desks/1/next").json()["ticket"]["code"] == "A002"  # the mis-click: A001 finished
    undone = post(hub, "/api/desks/1/undo")
    assert undone.status_code == 200 and undone.json()["undone"] == "next", undone.text
    assert undone.json()["codes"] == ["A001", "A002"]
    after = state(hub)
    assert current(hub) == "A001" and waiting(hub) == {"uffici": ["A002", "A003"]}
    assert [c["code"] for c in after["calls"]] == [c["code"] for c in before["calls"]], "the call is withdrawn"
    assert after["counts"] == before["counts"]
    again = post(hub, "/api/desks/1/undo")  # a double click: answered again, nothing more changes
    assert again.status_code == 200 and again.json()["repeated"] is True and current(hub) == "A001"

    assert post(hub, "/api/desks/1/noshow").status_code == 200
    assert post(hub, "/api/desks/1/undo").json()["undone"] == "noshow"
    assert current(hub) == "A001" and state(hub)["noshows"] == [] and state(hub)["counts"]["noshow"] == 0

    assert post(hub, "/api/desks/1/transfer", {"service": "rimborsi"}).status_code == 200
    assert waiting(hub) == {"uffici": ["A002", "A003"], "rimborsi": ["A001"]}
    assert post(hub, "/api/desks/1/undo").json()["undone"] == "transfer"
    me = next(d for d in state(hub)["desks"] if d["id"] == "1")
    assert me["current"]["code"] == "A001" and me["current"]["service"] == "uffici"
    assert waiting(hub) == {"uffici": ["A002", "A003"]}

    assert post(hub, "/api/desks/1/done").status_code == 200
    post(hub, "/api/desks/1/undo")
    assert current(hub) == "A001" and state(hub)["counts"]["served"] == 0


def test_undo_is_refused_when_late_or_overtaken_and_changes_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import HUB_NOW, write_site
    from test_reports import SECOND_DESK

    from config import load_config
    from display.undo import UNDO_WINDOW_S
    from totem.clock import FrozenClock

    path = write_site(tmp_path)
    path.write_text(path.read_text() + SECOND_DESK)
    clock = FrozenClock(HUB_NOW)
    with HubServer(load_config(path), port=0, clock=clock) as hub:
        nothing = post(hub, "/api/desks/1/undo")
        assert nothing.status_code == 409 and "nothing to undo" in nothing.text
        for n, minutes in ((1, 30), (2, 20), (3, 10)):
            post(hub, "/api/tickets", ticket(number=n, minutes_ago=minutes))
        post(hub, "/api/desks/1/next")  # A001
        clock.advance(seconds=UNDO_WINDOW_S + 1)
        late = post(hub, "/api/desks/1/undo")
        assert late.status_code == 409 and f"{UNDO_WINDOW_S} s" in late.text and current(hub) == "A001"

        post(hub, "/api/desks/1/noshow")  # A001 away...
        post(hub, "/api/desks/2/return", {"code": "A001"})  # ...and put back by desk 2 meanwhile
        overtaken = post(hub, "/api/desks/1/undo")
        assert overtaken.status_code == 409 and "A001 changed since" in overtaken.text, overtaken.text
        assert waiting(hub) == {"uffici": ["A001", "A002", "A003"]} and current(hub) is None
        assert requests.post(hub.url + "/api/desks/1/undo", json={}, timeout=5).status_code == 401
