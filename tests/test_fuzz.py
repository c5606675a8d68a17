"""A seeded fuzzer over every endpoint of the hub and the desk cookie: whatever arrives, the
answer is a 2xx/3xx/4xx, never a 5xx, and the hub keeps answering. Bounded: a fixed number
of requests to 127.0.0.1."""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path

import requests
from conftest import rome, write_site
from helpers.consoles import paired

from config import load_config
from display.server import HubServer
from totem.clock import FrozenClock

NOW = rome(2026, 12, 1, 10, 0)
TOKEN = "demo-token-change-me-0123456789"
REQUESTS = 2500

ODD_STRINGS = ["", " ", "A001\n", "A\uff10\uff10\uff11", "\u0660", "²", "\x00", "😀" * 50, "a" * 5000, "../../etc",
               "%00", "<script>", "NaN", "1e999", "-1", "9" * 400, "uffici", "A001", "1357", "totem-1"]


def odd_value(rng: random.Random, depth: int = 0) -> object:
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return rng.choice(ODD_STRINGS)
    if kind == 1:
        return rng.choice([0, -1, 1, 2**31, 2**63, -(2**70), 10**300])
    if kind == 2:
        return rng.choice([0.5, -0.0, 1e308, float("inf"), float("nan")])
    if kind == 3:
        return rng.choice([True, False, None])
    if kind == 4:
        return str(uuid.UUID(int=rng.getrandbits(128)))
    if kind == 5:
        return NOW.isoformat() if rng.random() < 0.5 else "9999-12-31T23:59:59+00:00"
    if kind == 6:
        return [odd_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(["id", "code", "service", "number", "issued_at", "totem", "pin", "printer", "backlog",
                        "kind", "ticket", "events", "reason", "desk", "priority", "x"]): odd_value(rng, depth + 1)
            for _ in range(rng.randrange(6))}


def valid_ticket(rng: random.Random) -> dict:
    n = rng.randrange(1, 1000)
    return {"id": str(uuid.UUID(int=rng.getrandbits(128))), "code": f"A{n:03d}", "service": "uffici", "number": n,
            "issued_at": NOW.isoformat(), "totem": "totem-1"}


def mutated(rng: random.Random) -> object:
    body = valid_ticket(rng)
    for _ in range(rng.randrange(1, 3)):
        body[rng.choice(list(body))] = odd_value(rng)
    return body


def body_for(rng: random.Random, path: str) -> tuple[bytes, str]:
    roll = rng.random()
    if roll < 0.1:
        return bytes(rng.getrandbits(8) for _ in range(rng.randrange(64))), "application/json"
    if roll < 0.15:
        return b"[" * 3000 + b"]" * 3000, "application/json"
    if roll < 0.2:
        return b"pin=1357", "application/x-www-form-urlencoded"
    if path.endswith("/batch"):
        value: object = {"events": [rng.choice([{"kind": "issued", "ticket": mutated(rng)},
                                                {"kind": "void", "id": odd_value(rng)}, odd_value(rng)])
                                    for _ in range(rng.randrange(1, 5))]}
    elif path == "/api/tickets":
        value = mutated(rng)
    else:
        value = odd_value(rng)
    return json.dumps(value, allow_nan=True).encode(), "application/json"


def test_no_input_makes_the_hub_fail(tmp_path: Path) -> None:
    rng = random.Random(20261201)
    config = load_config(write_site(tmp_path))
    desk_ids = ["1", "9", "x" * 40, "%2e%2e", "1%00"]
    with HubServer(config, port=0, clock=FrozenClock(NOW)) as hub, paired(hub, "desk", "1") as s:
        assert s.post(hub.url + "/desk/1/unlock", json={"pin": "1357"}, timeout=5).status_code == 200
        good_cookie = s.cookies.get("totem_desk_1") or ""
        device = s.cookies.get("totem_device_desk_1") or ""
        paths = ["/api/tickets", "/api/events/batch", "/api/tickets/{id}/void", "/api/desks/{desk}/next",
                 "/api/desks/{desk}/recall", "/api/desks/{desk}/done", "/api/desks/{desk}/noshow",
                 "/api/desks/{desk}/transfer", "/api/totems/{totem}/status", "/desk/{desk}/unlock",
                 "/desk/{desk}/logout", "GET /api/state", "GET /api/forecast", "GET /api/desks/{desk}/session",
                 "GET /desk/{desk}", "GET /healthz", "GET /", "GET /static/desk.js", "GET /static/../hub.py"]
        statuses: dict[int, int] = {}
        for _ in range(REQUESTS):
            template = rng.choice(paths)
            method = "GET" if template.startswith("GET ") else "POST"
            path = template.removeprefix("GET ").format(
                id=rng.choice([str(uuid.uuid4()), "short", "a" * 100, "%20"]), desk=rng.choice(desk_ids),
                totem=rng.choice(["totem-1", "Totem 1", "t" * 50]))
            headers = {}
            if rng.random() < 0.7:
                headers["Authorization"] = rng.choice([f"Bearer {TOKEN}", "Bearer x", TOKEN, "Basic Zm9v", ""])
            if rng.random() < 0.5:
                headers["Origin"] = rng.choice([hub.url, "http://evil.example", "null", ""])
            cookie = rng.choice([good_cookie, "9" * 5000 + "." + "a" * 64, "²." + "a" * 64, "x", ""])
            cookies = {rng.choice(["totem_desk_1", "totem_desk_9"]): cookie}
            if rng.random() < 0.5:
                cookies[rng.choice(["totem_device_desk_1", "totem_device_desk_9"])] = rng.choice([device, "x", ""])
            if method == "GET":
                response = requests.get(hub.url + path, headers=headers, cookies=cookies, timeout=10)
            else:
                data, content_type = body_for(rng, path)
                headers["Content-Type"] = content_type
                response = requests.post(hub.url + path, data=data, headers=headers, cookies=cookies, timeout=10)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code < 500, (method, path, response.status_code, response.text[:300])
        assert requests.get(hub.url + "/healthz", timeout=5).status_code == 200
        print(f"\nfuzz: {REQUESTS} requests, status counts {dict(sorted(statuses.items()))}, 5xx: 0")
