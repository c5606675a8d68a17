"""Consoles are paired devices (issue 24.2): a PIN only unlocks a browser a technician paired;
a stranger, from any address or any web page, compares no PIN and locks nobody out; sessions
survive a hub restart; the technician's CLI and the hub share one registry."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
import time
from pathlib import Path

import pytest
import requests
from conftest import rome, write_site
from helpers.consoles import code, paired

from config import load_config
from display import cli
from display.consoles import DeviceRegistry
from display.server import HubServer
from totem.clock import FrozenClock

NOW = rome(2026, 12, 1, 10, 0)
AUTH = {"Authorization": "Bearer demo-token-change-me-0123456789"}


def raw_post(port: int, source: str, path: str, body: bytes, headers: dict[str, str]) -> int:
    """One POST from a real distinct loopback source address (127.0.0.x bound before connecting)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0)) as s:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{head}Content-Length: {len(body)}\r\n"
                  f"Connection: close\r\n\r\n".encode() + body)
        first = b""
        while b"\r\n" not in first:
            chunk = s.recv(4096)
            if not chunk:
                break
            first += chunk
    return int(first.split()[1])


def test_strangers_neither_guess_nor_lock_the_operator_out(hub: HubServer) -> None:
    """Acceptance: 1,000 wrong-PIN posts from 50 other addresses and 20 cross-site posts (carrying the
    operator's own device cookie, as a hostile page in the operator's browser would) run while the
    operator unlocks on the paired PC: the operator gets in on the first try; only that PIN was compared."""
    assert hub.hub is not None
    operator = paired(hub, "desk", "1")
    device_cookie = operator.cookies.get("totem_device_desk_1")
    assert device_cookie
    compared_before = hub.hub.sessions.compared
    statuses: dict[str, list[int]] = {"stranger": [], "cross_site": []}
    lock = threading.Lock()
    started = threading.Barrier(51)

    def stranger(n: int) -> None:
        source = f"127.0.0.{n + 2}"
        started.wait()
        for i in range(20):
            body = json.dumps({"pin": f"{(n * 20 + i) % 10000:04d}"}).encode()
            got = raw_post(hub.port, source, "/desk/1/unlock", body,
                           {"Content-Type": "application/json", "Origin": hub.url})
            with lock:
                statuses["stranger"].append(got)

    def cross_site() -> None:
        started.wait()
        for i in range(20):
            got = raw_post(hub.port, "127.0.0.1", "/desk/1/unlock", b'{"pin": "%04d"}' % i,
                           {"Content-Type": "text/plain", "Origin": "http://evil.example",
                            "Cookie": f"totem_device_desk_1={device_cookie}"})
            with lock:
                statuses["cross_site"].append(got)

    threads = [threading.Thread(target=stranger, args=(n,)) for n in range(50)] + [threading.Thread(target=cross_site)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(statuses["stranger"]) < 300 and time.monotonic() < deadline:  # the flood at its height
        threading.Event().wait(0.01)
    answer = operator.post(hub.url + "/desk/1/unlock", json={"pin": "1357"}, timeout=10)
    for t in threads:
        t.join(timeout=120)
    assert answer.status_code == 200, answer.text
    assert operator.get(hub.url + "/api/desks/1/session", timeout=5).status_code == 200
    assert len(statuses["stranger"]) == 1000 and set(statuses["stranger"]) == {403}
    assert len(statuses["cross_site"]) == 20 and set(statuses["cross_site"]) <= {403, 415}
    assert hub.hub.sessions.compared - compared_before == 1  # the operator's PIN, nothing else
    print(f"\n1,000 stranger posts from 50 addresses + 20 cross-site: operator in at once; "
          f"{hub.hub.sessions.compared - compared_before} PIN compared")


def test_an_unpaired_browser_is_told_to_pair_and_compares_nothing(hub: HubServer) -> None:
    assert hub.hub is not None
    stranger = requests.Session()
    stranger.headers["Origin"] = hub.url
    before = hub.hub.sessions.compared
    answer = stranger.post(hub.url + "/desk/1/unlock", json={"pin": "1357"}, timeout=5)  # even the right PIN
    assert answer.status_code == 403 and answer.json()["reason"] == "unpaired"
    assert stranger.get(hub.url + "/api/desks/1/session", timeout=5).json()["paired"] is False
    assert stranger.post(hub.url + "/reception/unlock", json={"pin": "2580"}, timeout=5).status_code == 403
    assert stranger.post(hub.url + "/pair", json={"code": "AAAA-BBBB-CCCC"}, timeout=5).status_code == 403
    assert hub.hub.sessions.compared == before
    # a code is for one console and one device: desk 2's browser cannot open desk 1
    desk2 = paired(hub, "desk", "2")
    assert desk2.post(hub.url + "/desk/1/unlock", json={"pin": "1357"}, timeout=5).status_code == 403
    spent = code(hub, "desk", "1")
    assert stranger.post(hub.url + "/pair", json={"code": spent.lower()}, timeout=5).status_code == 200
    assert requests.post(hub.url + "/pair", json={"code": spent}, headers={"Origin": hub.url},
                         timeout=5).status_code == 403  # spent
    assert requests.post(hub.url + "/pair", json={"code": code(hub)}, headers={"Origin": "http://evil.example"},
                         timeout=5).status_code == 403  # pairing is same-origin JSON too


def test_unpairing_ends_the_devices_sessions_at_once(hub: HubServer, capsys: pytest.CaptureFixture[str]) -> None:
    operator = paired(hub, "desk", "1")
    assert operator.post(hub.url + "/desk/1/unlock", json={"pin": "1357"}, timeout=5).status_code == 200
    listed = requests.get(hub.url + "/api/consoles", headers=AUTH, timeout=5).json()["consoles"]
    assert [d["console"] for d in listed] == ["desk 1"]
    assert requests.get(hub.url + "/api/consoles", timeout=5).status_code == 401
    site = str(hub.config.hub.data_dir.parent / "site.toml")
    assert Path(site).exists()
    assert cli.main(["--config", site, "consoles"]) == 0
    assert listed[0]["id"] in capsys.readouterr().out
    assert cli.main(["--config", site, "unpair", listed[0]["id"]]) == 0  # the technician's CLI, same registry
    assert operator.get(hub.url + "/api/desks/1/session", timeout=5).status_code == 401
    assert operator.post(hub.url + "/desk/1/unlock", json={"pin": "1357"}, timeout=5).status_code == 403
    assert requests.post(hub.url + f"/api/consoles/{listed[0]['id']}/revoke", headers=AUTH,
                         timeout=5).status_code == 404  # a repeat changes nothing and says so
    assert cli.main(["--config", site, "unpair", listed[0]["id"]]) == 5


def test_the_pair_command_prints_a_one_time_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = str(write_site(tmp_path))
    assert cli.main(["--config", site, "pair", "desk", "9"]) == 2
    assert "desk: '9' is not a desk" in capsys.readouterr().err
    assert cli.main(["--config", site, "pair", "reception", "--label", "PC accoglienza"]) == 0
    out = capsys.readouterr().out
    assert "/pair#" in out
    config = load_config(site)
    path = config.hub.data_dir / "consoles.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    printed = out.split("/pair#")[1].split()[0]
    assert printed not in path.read_text()  # only the code's hash is kept
    device, credential = DeviceRegistry(config.hub.data_dir).pair(printed)
    assert device.console == "reception" and device.label == "PC accoglienza"
    assert credential.split(".")[1] not in path.read_text()


def test_sessions_survive_a_restart_and_end_on_logout_or_a_new_pin(tmp_path: Path) -> None:
    site = write_site(tmp_path)
    with HubServer(load_config(site), port=0, clock=FrozenClock(NOW)) as hub:
        operator = paired(hub, "desk", "1")
        assert operator.post(hub.url + "/desk/1/unlock", json={"pin": "1357"}, timeout=5).status_code == 200
        other = paired(hub, "reception")
        assert other.post(hub.url + "/reception/unlock", json={"pin": "2580"}, timeout=5).status_code == 200
        key_file = hub.config.hub.data_dir / "sessions.json"
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    with HubServer(load_config(site), port=0, clock=FrozenClock(NOW)) as hub:  # restarted
        operator.headers["Origin"] = other.headers["Origin"] = hub.url
        assert operator.get(hub.url + "/api/desks/1/session", timeout=5).status_code == 200
        assert other.post(hub.url + "/reception/logout", json={}, timeout=5).status_code == 200
    with HubServer(load_config(site), port=0, clock=FrozenClock(NOW)) as hub:  # the logout outlives a restart
        assert other.get(hub.url + "/api/reception/session", timeout=5).status_code == 401
        assert operator.get(hub.url + "/api/desks/1/session", timeout=5).status_code == 200
    text = site.read_text(encoding="utf-8")
    assert 'pin = "1357"' in text
    site.write_text(text.replace('pin = "1357"', 'pin = "9753"'), encoding="utf-8")
    with HubServer(load_config(site), port=0, clock=FrozenClock(NOW)) as hub:  # the PIN changed: key rotated
        assert operator.get(hub.url + "/api/desks/1/session", timeout=5).status_code == 401
    site.write_text(text, encoding="utf-8")
    with HubServer(load_config(site), port=0, clock=FrozenClock(NOW)) as hub:  # and back: old sessions stay ended
        assert operator.get(hub.url + "/api/desks/1/session", timeout=5).status_code == 401


def test_the_fleet_api_makes_codes_with_the_hub_token_only(hub: HubServer) -> None:
    made = requests.post(hub.url + "/api/consoles/pairing", json={"role": "desk", "desk": "1", "label": "PC 1"},
                         headers=AUTH, timeout=5)
    assert made.status_code == 201 and made.json()["link"] == "/pair#" + made.json()["code"]
    for body, field in (({"role": "desk", "desk": "9"}, "desk"), ({"role": "admin"}, "role"),
                        ({"role": "reception", "label": "x" * 41}, "label")):
        bad = requests.post(hub.url + "/api/consoles/pairing", json=body, headers=AUTH, timeout=5)
        assert bad.status_code == 400 and bad.json()["field"] == field, bad.text
    assert requests.post(hub.url + "/api/consoles/pairing", json={"role": "manager"}, timeout=5).status_code == 401
    browser = requests.Session()
    browser.headers["Origin"] = hub.url
    answer = browser.post(hub.url + "/pair", json={"code": made.json()["code"]}, timeout=5)
    assert answer.status_code == 200 and answer.json()["page"] == "/desk/1"
    cookie = answer.headers["Set-Cookie"]
    assert "totem_device_desk_1=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    listed = requests.get(hub.url + "/api/consoles", headers=AUTH, timeout=5).json()["consoles"]
    assert [(d["console"], d["label"]) for d in listed] == [("desk 1", "PC 1")]
    assert "hash" not in listed[0]
    gone = requests.post(hub.url + f"/api/consoles/{listed[0]['id']}/revoke", headers=AUTH, timeout=5)
    assert gone.status_code == 200 and gone.json()["revoked"] is True
    assert browser.post(hub.url + "/desk/1/unlock", json={"pin": "1357"}, timeout=5).json()["reason"] == "unpaired"


def test_by_hand_on_the_pi_the_installed_hubs_registry_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    """Rule 9: a technician's shell has no STATE_DIRECTORY; the code must reach the running hub."""
    from display.pairing_cli import hub_data_dir

    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    config = load_config(write_site(tmp_path))
    service = tmp_path / "var-lib-totem-display"
    service.mkdir()
    assert hub_data_dir(config, service_dir=service) == config.hub.data_dir  # no hub anywhere yet: the file's
    (service / "hub.sqlite3").write_bytes(b"")
    assert hub_data_dir(config, service_dir=service) == service
    config.hub.data_dir.mkdir(parents=True, exist_ok=True)
    (config.hub.data_dir / "hub.sqlite3").write_bytes(b"")
    assert hub_data_dir(config, service_dir=service) == config.hub.data_dir  # the site file names a hub's own
