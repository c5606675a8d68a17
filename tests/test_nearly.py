""""Nearly your turn" (issue 22 point 2): the threshold rule, on the hub's own call order and
live estimate, with a frozen clock; and the follow API that carries it to the open page."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from conftest import HUB_NOW, write_site
from test_hub_api import post, ticket

from config import load_config
from config.follow import follow_key
from display.nearly import BadThreshold, Threshold, parse, reached
from display.queue import QueueStore
from display.server import HubServer
from totem.clock import FrozenClock


def test_thresholds_are_parsed_or_refused_by_name() -> None:
    assert parse("ahead:3") == Threshold("ahead", 3) and str(parse("minutes:10")) == "minutes:10"
    assert parse("ahead:0") == Threshold("ahead", 0)
    for bad in ("", "ahead", "ahead:-1", "minutes:0", "minutes:999", "soon:3", "ahead:3 "):
        with pytest.raises(BadThreshold, match="near"):
            parse(bad)


def test_the_rule_on_the_hubs_call_order_and_live_estimate(tmp_path: Path) -> None:
    config = load_config(write_site(tmp_path))
    clock = FrozenClock(HUB_NOW)
    store = QueueStore.in_dir(config.hub.data_dir, config=config)
    try:
        tickets = [ticket(number=n, minutes_ago=30 - n) for n in range(1, 7)]
        store.ingest_many(tickets, now=clock.now())
        mine = tickets[5]["id"]
        told = store.position(mine, now=clock.now())
        assert told["ahead"] == 5
        assert not reached(parse("ahead:3"), told)
        assert reached(parse("ahead:5"), told), "5 ahead reaches 'when 5 are ahead'"
        low = told["wait_low_min"]
        assert low > 0
        assert reached(parse(f"minutes:{low}"), told) and not reached(parse(f"minutes:{low - 1}"), told)
        clock.advance(minutes=1)
        store.call_next("1", now=clock.now())  # A001
        assert not reached(parse("ahead:3"), store.position(mine, now=clock.now()))
        clock.advance(minutes=1)
        store.call_next("1", now=clock.now())  # A002: A003, A004, A005 ahead
        now_told = store.position(mine, now=clock.now())
        assert now_told["ahead"] == 3 and reached(parse("ahead:3"), now_told)
        assert reached(parse("minutes:1"), {"status": "called"}), "a call is never skipped"
        assert not reached(parse("ahead:3"), {"status": "served"})
        assert not reached(parse("minutes:30"), {"status": "waiting", "ahead": None, "wait_low_min": None})
    finally:
        store.close()


def test_the_follow_api_answers_near_for_the_pages_threshold(tmp_path: Path) -> None:
    config = load_config(write_site(tmp_path))
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        tickets = [ticket(number=n, minutes_ago=30 - n) for n in range(1, 6)]
        for t in tickets:
            post(hub, "/api/tickets", t)
        url = f"{hub.url}/api/follow/{follow_key(config.hub.token, tickets[4]['id'])}"
        assert requests.get(url + "?near=ahead:3", timeout=5).json()["near"] is False
        assert "near" not in requests.get(url, timeout=5).json(), "asked only with a threshold"
        bad = requests.get(url + "?near=ahead:x", timeout=5)
        assert bad.status_code == 400 and bad.json()["field"] == "near"
        post(hub, "/api/desks/1/next")
        assert requests.get(url + "?near=ahead:3", timeout=5).json()["near"] is True
