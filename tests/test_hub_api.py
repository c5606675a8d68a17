"""The hub's HTTP API on a real server on 127.0.0.1: every 4xx leaves the queue as it was."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, timedelta
from pathlib import Path

import pytest
import requests
from conftest import rome, write_site
from helpers.consoles import paired

from config import load_config
from config.model import Config
from display.server import HubServer
from totem.clock import FrozenClock

NOW = rome(2026, 12, 1, 10, 0)  # every hub here runs on a frozen clock: no test depends on today's date
TOKEN = "demo-token-change-me-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def ticket(service: str = "uffici", prefix: str = "A", number: int = 1, minutes_ago: float = 0) -> dict:
    issued = NOW.astimezone(UTC) - timedelta(minutes=minutes_ago)
    return {"id": str(uuid.uuid4()), "code": f"{prefix}{number:03d}", "service": service, "number": number,
            "issued_at": issued.isoformat(), "totem": "totem-1"}


def post(hub: HubServer, path: str, body: object = None, **kwargs: object) -> requests.Response:
    headers = kwargs.pop("headers", AUTH)
    return requests.post(hub.url + path, json=body, headers=headers, timeout=5, **kwargs)  # type: ignore[arg-type]


def state(hub: HubServer) -> dict:
    return requests.get(hub.url + "/api/state", timeout=5).json()


def waiting(hub: HubServer) -> dict[str, list[str]]:
    return {s["id"]: [q["code"] for q in s["queue"]] for s in state(hub)["services"] if s["queue"]}


def test_ingest_is_idempotent_and_answers_the_snapshot(hub: HubServer) -> None:
    t = ticket()
    first = post(hub, "/api/tickets", t)
    assert first.status_code == 201
    position = first.json()["position"]
    assert (position["status"], position["service_day"], position["ahead"], position["exact"]) == \
        ("waiting", "2026-12-01", 0, True)
    assert first.json()["services"]["uffici"]["waiting"] == 1
    again = post(hub, "/api/tickets", t)
    assert again.status_code == 200 and again.json()["created"] is False
    assert waiting(hub) == {"uffici": ["A001"]}


BAD_TICKETS = [
    ("id", "short", "id"),
    ("service", "Uffici!", "service"),  # cannot be a service id (an unknown one is accepted and flagged)
    ("code", "A002", "code"),           # number does not match
    ("code", "A001\n", "code"),         # trailing newline
    ("code", "A\uff10\uff10\uff11", "code"),  # full-width digits
    ("code", "A\u0660\u0660\u0661", "code"),  # Arabic-Indic digits
    ("issued_at", "9999-12-01T10:00:00+00:00", "issued_at"),
    ("number", "1", "number"),
    ("number", True, "number"),
    ("issued_at", "yesterday", "issued_at"),
    ("issued_at", "2026-12-01T10:00:00", "issued_at"),  # no offset
    ("totem", "Totem 1", "totem"),
    ("extra", 1, "extra"),
]


@pytest.mark.parametrize(("field", "value", "named"), BAD_TICKETS)
def test_malformed_ticket_is_400_and_changes_nothing(hub: HubServer, field: str, value: object, named: str) -> None:
    body = ticket()
    body[field] = value
    response = post(hub, "/api/tickets", body)
    assert response.status_code == 400
    assert response.json()["field"] == named and named in response.json()["error"]
    assert waiting(hub) == {}


def test_missing_field_not_json_not_object(hub: HubServer) -> None:
    body = ticket()
    del body["number"]
    assert post(hub, "/api/tickets", body).json()["error"] == "number: missing"
    raw = requests.post(hub.url + "/api/tickets", data=b"{nope", headers=AUTH, timeout=5)
    assert raw.status_code == 400 and "not valid JSON" in raw.json()["error"]
    assert post(hub, "/api/tickets", [1, 2]).status_code == 400
    assert waiting(hub) == {}


def test_auth_and_size_limits(hub: HubServer) -> None:
    t = ticket()
    assert post(hub, "/api/tickets", t, headers={}).status_code == 401
    assert post(hub, "/api/tickets", t, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert post(hub, "/api/tickets", t, headers={"Authorization": TOKEN}).status_code == 401
    big = requests.post(hub.url + "/api/tickets", data=b"x" * (64 * 1024),
                        headers={**AUTH, "Content-Type": "application/json"}, timeout=5)
    assert big.status_code == 413
    assert post(hub, "/api/totems/totem-1/status", {"printer": "ready"}, headers={}).status_code == 401
    assert post(hub, "/api/desks/1/next", headers={}).status_code == 401
    assert waiting(hub) == {}


def test_call_order_priority_then_issue_time(hub: HubServer) -> None:
    post(hub, "/api/tickets", ticket("uffici", "A", 1, minutes_ago=30))
    post(hub, "/api/tickets", ticket("sanita", "E", 1, minutes_ago=20))
    post(hub, "/api/tickets", ticket("appuntamento", "P", 1, minutes_ago=1))
    calls = [post(hub, "/api/desks/1/next").json()["ticket"]["code"] for _ in range(3)]
    assert calls == ["P001", "A001", "E001"]
    assert post(hub, "/api/desks/1/next").status_code == 204
    counts = state(hub)["counts"]
    assert counts["served"] == 3 and counts["waiting"] == 0


def test_desk_only_calls_its_services(tmp_path: Path) -> None:
    site = write_site(tmp_path, extra={'pin = "1357"': 'pin = "1357"\n\n[[desks]]\nid = "2"\nname = "Sportello 2"\n'
                                       'services = ["sanita"]\npin = "2468"'})
    with HubServer(load_config(site), port=0, clock=FrozenClock(NOW)) as hub:
        post(hub, "/api/tickets", ticket("uffici", "A", 1, minutes_ago=5))
        assert post(hub, "/api/desks/2/next").status_code == 204
        post(hub, "/api/tickets", ticket("sanita", "E", 1))
        assert post(hub, "/api/desks/2/next").json()["ticket"]["code"] == "E001"
        assert waiting(hub) == {"uffici": ["A001"]}


def test_recall_noshow_done_transfer(hub: HubServer) -> None:
    assert post(hub, "/api/desks/1/recall").status_code == 409  # nothing in service
    assert post(hub, "/api/desks/1/done").status_code == 409
    post(hub, "/api/tickets", ticket("uffici", "A", 1, minutes_ago=30))
    post(hub, "/api/tickets", ticket("sanita", "E", 1, minutes_ago=10))
    assert post(hub, "/api/desks/1/next").json()["ticket"]["code"] == "A001"
    recalled = post(hub, "/api/desks/1/recall").json()["ticket"]
    assert recalled["recalls"] == 1
    calls = state(hub)["calls"]  # a recall announces again but adds no history row
    assert [(c["code"], c["active"]) for c in calls] == [("A001", True)]
    bad = post(hub, "/api/desks/1/transfer", {"service": "nope"})
    assert bad.status_code == 400 and bad.json()["field"] == "service"
    answer = post(hub, "/api/desks/1/transfer", {"service": "sanita"}).json()
    moved = answer["ticket"]
    assert moved["service"] == "sanita" and moved["status"] == "waiting"
    assert answer["only_desk"] is True  # the one desk will call it again: the console says so
    assert state(hub)["calls"][0]["active"] is False  # no longer the current call on the screen
    assert waiting(hub) == {"sanita": ["A001", "E001"]}  # keeps its place by original issue time
    assert post(hub, "/api/desks/1/next").json()["ticket"]["code"] == "A001"
    assert post(hub, "/api/desks/1/noshow").json()["ticket"]["status"] == "noshow"
    assert post(hub, "/api/desks/1/next").json()["ticket"]["code"] == "E001"
    assert post(hub, "/api/desks/1/done").json()["ticket"]["status"] == "served"
    assert post(hub, "/api/desks/9/next").status_code == 401  # an unknown desk looks locked, not missing


def test_void_waiting_and_unknown(hub: HubServer) -> None:
    t = ticket()
    post(hub, "/api/tickets", t)
    assert post(hub, f"/api/tickets/{t['id']}/void", {"reason": "printer: paper_out"}).status_code == 200
    assert waiting(hub) == {}
    ghost = str(uuid.uuid4())
    assert post(hub, f"/api/tickets/{ghost}/void", {}).status_code == 200
    late = ticket(number=2)
    late["id"] = ghost
    post(hub, "/api/tickets", late)  # the issued event of a voided id cannot resurrect it
    assert waiting(hub) == {}
    assert post(hub, "/api/tickets/bad id/void", {}).status_code in (400, 404)


def test_totem_health_shown_and_validated(hub: HubServer) -> None:
    assert post(hub, "/api/totems/totem-1/status", {"printer": "on fire"}).status_code == 400
    assert post(hub, "/api/totems/totem-1/status", {"printer": "paper_out", "backlog": 2, "version": "0.1.0"}) \
        .status_code == 200
    [totem] = state(hub)["totems"]
    assert totem["printer"] == "paper_out" and totem["backlog"] == 2 and totem["reachable"] is True


def test_queue_survives_a_restart(config: Config) -> None:
    with HubServer(config, port=0, clock=FrozenClock(NOW)) as hub:
        post(hub, "/api/tickets", ticket("uffici", "A", 1, minutes_ago=3))
        post(hub, "/api/tickets", ticket("uffici", "A", 2, minutes_ago=2))
        post(hub, "/api/desks/1/next")
    with HubServer(config, port=0, clock=FrozenClock(NOW)) as hub:
        s = state(hub)
        assert [d["current"]["code"] for d in s["desks"]] == ["A001"]
        assert waiting(hub) == {"uffici": ["A002"]}


def test_measured_average_after_services(config: Config) -> None:
    clock = FrozenClock(NOW)
    with HubServer(config, port=0, clock=clock) as hub:
        for n in range(1, 5):
            post(hub, "/api/tickets", ticket("uffici", "A", n, minutes_ago=10 - n))
        for _ in range(4):
            post(hub, "/api/desks/1/next")
            clock.advance(minutes=3)
        snap = post(hub, "/api/tickets", ticket("uffici", "A", 5)).json()["services"]["uffici"]
        assert snap["avg_service_min"] == 3.0


def test_sse_stream_shows_state_and_calls(hub: HubServer) -> None:
    events: list[tuple[str, dict]] = []
    ready = threading.Event()

    def listen() -> None:
        with requests.get(hub.url + "/api/events", stream=True, timeout=10) as response:
            event = ""
            for line in response.iter_lines(decode_unicode=True):
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    events.append((event, json.loads(line[5:])))
                    ready.set()
                    if event == "call":
                        return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert ready.wait(5)
    post(hub, "/api/tickets", ticket())
    post(hub, "/api/desks/1/next")
    thread.join(timeout=10)
    kinds = [e for e, _ in events]
    assert kinds[0] == "state" and "call" in kinds
    call = dict(events)["call"]
    assert call["code"] == "A001" and call["desk_name"] == "Sportello 1"


def test_healthz_and_desk_page(hub: HubServer) -> None:
    assert requests.get(hub.url + "/healthz", timeout=5).json()["ok"] is True
    page = requests.get(hub.url + "/desk/1", timeout=5)
    assert page.status_code == 200 and "Sportello 1" in page.text and "http" not in page.text.split("<script")[0]
    assert requests.get(hub.url + "/desk/9", timeout=5).status_code == 200  # same locked page: no enumeration
    assert requests.get(hub.url + "/desk/No%20Such", timeout=5).status_code == 404


def test_desk_pin_cookie(hub: HubServer) -> None:
    session = paired(hub, "desk", "1")
    same_origin = {"Origin": hub.url}
    assert session.get(hub.url + "/api/desks/1/session", timeout=5).status_code == 401
    wrong = session.post(hub.url + "/desk/1/unlock", json={"pin": "0000"}, timeout=5)
    assert wrong.status_code == 401 and wrong.json()["attempts_left"] == 4
    assert not any(c.name == "totem_desk_1" for c in session.cookies)
    assert session.post(hub.url + "/api/desks/1/next", json={}, headers=same_origin, timeout=5).status_code == 401
    ok = session.post(hub.url + "/desk/1/unlock", json={"pin": "1357"}, timeout=5)
    assert ok.status_code == 200
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=36000" in cookie
    assert "totem_device_desk_1=" in cookie, "each unlock renews the device credential's cookie"
    assert session.get(hub.url + "/api/desks/1/session", timeout=5).status_code == 200
    assert session.post(hub.url + "/api/desks/1/next", json={}, headers=same_origin, timeout=5).status_code == 400, \
        "a console names the state it acted on and its request id (rule 10)"
    click = {"request_id": "click-0001", "current": None}
    assert session.post(hub.url + "/api/desks/1/next", json=click, headers=same_origin, timeout=5).status_code == 204
    other = paired(hub, "desk", "1")  # a second paired device: its own lockout, not the first one's
    for _ in range(5):
        other.post(hub.url + "/desk/1/unlock", json={"pin": "9999"}, timeout=5)
    locked = other.post(hub.url + "/desk/1/unlock", json={"pin": "1357"}, timeout=5)
    assert locked.status_code == 429 and 55 <= locked.json()["retry_after_s"] <= 60
    assert session.get(hub.url + "/api/desks/1/session", timeout=5).status_code == 200
    out = session.post(hub.url + "/desk/1/logout", json={}, headers=same_origin, timeout=5)
    assert out.status_code == 200
    assert session.get(hub.url + "/api/desks/1/session", timeout=5).status_code == 401


def test_silent_totem_turns_unreachable_and_listeners_hear_it(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    from display import server as server_module

    monkeypatch.setattr(server_module, "REFRESH_S", 0.2)
    clock = FrozenClock(NOW)
    with HubServer(config, port=0, clock=clock) as hub:
        post(hub, "/api/totems/totem-1/status", {"printer": "ready", "backlog": 0, "version": "0.1.0"})
        states: list[dict] = []

        def listen() -> None:
            with requests.get(hub.url + "/api/events", stream=True, timeout=10) as response:
                event = ""
                for line in response.iter_lines(decode_unicode=True):
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:") and event == "state":  # not the once-a-second pings
                        states.append(json.loads(line[5:]))
                        if len(states) >= 3:
                            return

        thread = threading.Thread(target=listen, daemon=True)
        thread.start()
        clock.advance(minutes=3)  # the totem falls silent; nothing else happens at the hub
        thread.join(timeout=10)
        assert len(states) >= 3, "state is refreshed without any change"
        [totem] = states[-1]["totems"]
        assert totem["reachable"] is False and totem["seen_s_ago"] >= 180
