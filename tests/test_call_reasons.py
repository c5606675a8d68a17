"""Explain the order (issue 22 point 4): when a later ticket is called before earlier ones
(appointment, priority, transfer, a no-show back), the call event, the state, the call
screen and the follow page say why in a word or two; a call in order says nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pygame
import pytest
import requests
from conftest import HUB_NOW, write_site
from test_checkin import book
from test_hub_api import post, ticket

from config import load_config
from config.follow import follow_key
from display.call_screen import CallScreen
from display.server import HubServer
from totem.callorder import DeskView, Waiting
from totem.callreason import Past, Reason, reason
from totem.clock import FrozenClock

DESK = DeskView("1", frozenset({"uffici", "appuntamento"}))
OTHER = DeskView("2", frozenset({"procedure"}))


def waiting(tid: str, minute: int, *, service: str = "uffici", priority: bool = False) -> Waiting:
    return Waiting(tid, tid, service, priority, f"2026-12-01T09:{minute:02d}:00.000000+00:00")


NEW = Past(called_before=False, transferred=False)


# -- the rule, pure -----------------------------------------------------------------------------


def test_a_priority_ticket_explains_itself_only_when_it_jumps_an_earlier_one() -> None:
    early, late_p = waiting("A001", 1), waiting("P001", 5, service="appuntamento", priority=True)
    assert reason(late_p, NEW, DESK, [early, late_p]) == Reason("priority")
    assert reason(late_p, NEW, DESK, [late_p, waiting("A002", 9)]) is None, "nobody issued before it waits"
    other_queue = Waiting("B001", "B001", "procedure", False, early.issued_at)
    assert reason(late_p, NEW, DESK, [late_p, other_queue]) is None, "desk 1 could not call B001 anyway"
    booked = Past(called_before=False, transferred=False, appointment_time="10:30")
    assert reason(late_p, booked, DESK, [early, late_p]) == Reason("appointment", "10:30")


def test_a_transfer_and_a_return_explain_themselves_when_anyone_else_waits_at_that_desk() -> None:
    back, other = waiting("A001", 1), waiting("A007", 20)
    assert reason(back, Past(True, False), DESK, [back, other]) == Reason("return")
    assert reason(back, Past(True, True), DESK, [back, other]) == Reason("transfer")
    assert reason(back, Past(True, False), DESK, [back]) is None
    assert reason(back, Past(True, False), OTHER, [back, Waiting("B1", "B1", "procedure", False, back.issued_at)]
                  ) == Reason("return")


def test_a_plain_call_in_order_has_no_reason() -> None:
    first, second = waiting("A001", 1), waiting("A002", 2)
    assert reason(first, NEW, DESK, [first, second]) is None
    assert reason(second, NEW, DESK, [first, second]) is None, "an operator's pick out of order is not a rule"


# -- through the hub ------------------------------------------------------------------------------


@contextmanager
def call_events(hub: HubServer) -> Iterator[list[dict]]:
    """The hub's call events as a listener (a call screen) receives them."""
    calls: list[dict] = []
    ready = threading.Event()
    stop = threading.Event()

    def listen() -> None:
        with requests.get(hub.url + "/api/events", stream=True, timeout=10) as response:
            event = ""
            for line in response.iter_lines(decode_unicode=True):
                if stop.is_set():
                    return
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    ready.set()
                    if event == "call":
                        calls.append(json.loads(line[5:]))

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert ready.wait(5)
    try:
        yield calls
    finally:
        stop.set()


def next_call(hub: HubServer, calls: list[dict], action: str = "next", body: dict | None = None) -> dict:
    """Act at desk 1 and return the call event it announced (polled with a deadline)."""
    import time

    seen = len(calls)
    answer = post(hub, f"/api/desks/1/{action}", body)
    assert answer.status_code == 200, answer.text
    deadline = time.monotonic() + 5
    while len(calls) == seen and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(calls) > seen, "no call event"
    return calls[-1]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path, always_open=True)


def test_the_call_event_carries_the_reason_for_each_case_and_none_in_order(site: Path) -> None:
    config = load_config(site)
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub, call_events(hub) as calls:
        a = [ticket(number=n, minutes_ago=40 - n) for n in (1, 2, 3, 4)]
        for t in a:
            post(hub, "/api/tickets", t)
        assert next_call(hub, calls)["reason"] is None, "A001 in order"
        # a priority ticket (no appointment) taken after A002..A004
        post(hub, "/api/tickets", ticket("appuntamento", "P", 1, minutes_ago=5))
        first = next_call(hub, calls)
        assert (first["code"], first["reason"]) == ("P001", {"kind": "priority"})
        # an appointment at 10:30, its ticket taken after the others
        number = book(hub, "10:30", service="uffici")
        post(hub, "/api/tickets", {**ticket("appuntamento", "P", 2, minutes_ago=1), "appointment": number})
        booked = next_call(hub, calls)
        assert (booked["code"], booked["reason"]) == ("P002", {"kind": "appointment", "time": "10:30"})
        recalled = next_call(hub, calls, "recall")
        assert recalled["recall"] and recalled["reason"] == booked["reason"], "a recall says it again"
        state = requests.get(hub.url + "/api/state", timeout=5).json()
        assert state["calls"][0]["reason"] == {"kind": "appointment", "time": "10:30"}
        # A002 in order, then a no-show, back: called before A003 and A004
        assert next_call(hub, calls)["reason"] is None
        assert post(hub, "/api/desks/1/noshow").status_code == 200
        assert post(hub, "/api/desks/1/return", {"code": "A002"}).status_code == 200
        back = next_call(hub, calls)
        assert (back["code"], back["reason"]) == ("A002", {"kind": "return"})
        # transferred to another service, then called before A003 and A004
        assert post(hub, "/api/desks/1/transfer", {"service": "procedure"}).status_code == 200
        moved = next_call(hub, calls)
        assert (moved["code"], moved["reason"]) == ("A002", {"kind": "transfer"})
        assert next_call(hub, calls)["reason"] is None, "A003 in order"
        last = next_call(hub, calls)
        assert last["code"] == "A004" and last["reason"] is None


def test_a_priority_ticket_with_nobody_earlier_waiting_has_no_reason(site: Path) -> None:
    with HubServer(load_config(site), port=0, clock=FrozenClock(HUB_NOW)) as hub, call_events(hub) as calls:
        post(hub, "/api/tickets", ticket("appuntamento", "P", 1, minutes_ago=10))
        post(hub, "/api/tickets", ticket(number=1, minutes_ago=5))
        assert next_call(hub, calls)["reason"] is None, "P001 was there first: no one jumped"


def test_the_follow_page_data_says_the_reason_in_the_tickets_languages(site: Path) -> None:
    config = load_config(site)
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        mine = ticket(number=1, minutes_ago=30)
        post(hub, "/api/tickets", mine)
        p = ticket("appuntamento", "P", 1, minutes_ago=2)
        post(hub, "/api/tickets", p)
        post(hub, "/api/desks/1/next")
        seen = requests.get(f"{hub.url}/api/follow/{follow_key(config.hub.token, mine['id'])}", timeout=5).json()
        assert seen["last_call"] == {"code": "P001", "desk_name": "Sportello 1",
                                     "reason": {"it": "Precedenza", "en": "Priority"}}
        own = requests.get(f"{hub.url}/api/follow/{follow_key(config.hub.token, p['id'])}", timeout=5).json()
        assert own["status"] == "called" and own["reason"] == {"it": "Precedenza", "en": "Priority"}


# -- the call screen ------------------------------------------------------------------------------


def screen_text_words(config: object, call: dict, lang_index: int) -> list[str]:
    """Draw the call screen (SDL dummy driver) with this call; the words it drew, in order."""
    pygame.init()
    try:
        window = pygame.display.set_mode((1280, 720))
        screen = CallScreen(config=config, window=window, announcer=None, now=lambda: HUB_NOW)  # type: ignore[arg-type]
        drawn: list[str] = []
        import display.call_screen as module

        original = module.draw_text

        def spy(surface, text, *args, **kwargs):  # type: ignore[no-untyped-def]
            drawn.append(str(text))
            return original(surface, text, *args, **kwargs)

        module.draw_text = spy
        try:
            screen.handle(pygame.event.Event(module.EV_HUB, event="state", data={"service_day": "2026-12-01"}))
            screen.handle(pygame.event.Event(module.EV_HUB, event="call", data=call))
            screen._frame_key = ("10:00", -1, 0, "2026-12-01", config.site.languages[lang_index])  # type: ignore[attr-defined]
            screen.draw()
        finally:
            module.draw_text = original
        box = screen.reason_box
        if box is not None:  # the words are on the screen, not only asked for: ink inside their box
            ink = sum(1 for x in range(box.x, box.x + box.w, 4) for y in range(box.y, box.y + box.h, 4)
                      if window.get_at((x, y))[:3] != module.DARK)
            assert ink > 20, f"reason box {box} is empty"
            drawn.append("<reason box inked>")
        return drawn
    finally:
        pygame.quit()


def test_the_call_screen_shows_the_reason_under_the_call(site: Path) -> None:
    config = load_config(site)
    call = {"code": "P002", "desk": "1", "desk_name": "Sportello 1", "reason": {"kind": "appointment", "time": "10:30"}}
    first = screen_text_words(config, call, 0)
    assert "Appuntamento 10:30" in first and "<reason box inked>" in first
    assert "Appointment 10:30" in screen_text_words(config, call, 1)
    assert "Precedenza" in screen_text_words(config, {**call, "reason": {"kind": "priority"}}, 0)
    plain = screen_text_words(config, {**call, "code": "A001", "reason": None}, 0)
    assert "A001" in plain and "<reason box inked>" not in plain
    assert not {"Precedenza", "Appuntamento 10:30", "Rientro", "Trasferito"} & set(plain)
