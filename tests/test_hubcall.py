"""One request to the hub on the standard library (totem.hubcall), for the technician commands and
`totem issue` before the paper: the same answers as the requests session, the same pinning of the
hub's certificate (an impostor's certificate gets nothing: no answer, no token), and a clear "no
answer" when nothing listens."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from conftest import rome, write_site
from test_tls import make_cert, tls_site

from config import load_config
from display.server import HubServer
from totem.clock import FrozenClock
from totem.hubcall import HubUnreachable, hub_call

NOW = rome(2026, 12, 1, 10, 0)


def test_a_plain_http_hub_answers_with_its_json(config) -> None:  # type: ignore[no-untyped-def]
    with HubServer(config, port=0, clock=FrozenClock(NOW)) as hub:
        status, body = hub_call(config, "GET", "/api/forecast", base_url=hub.url, token=False, timeout_s=5)
    assert status == 200
    assert body["fingerprint"] == config.fingerprint()
    assert "uffici" in body["services"]


def test_a_post_carries_the_token_and_a_wrong_token_is_told_401(tmp_path: Path) -> None:
    config = load_config(write_site(tmp_path / "a", always_open=True))
    with HubServer(config, port=0, clock=FrozenClock(NOW)) as hub:
        body = {"printer": "ready", "version": "test", "accepting": True}
        ok, _ = hub_call(config, "POST", "/api/totems/totem-1/status", body, base_url=hub.url, timeout_s=5)
        wrong = load_config(write_site(tmp_path / "b", extra={'token = "': 'token = "x'}))
        refused, _ = hub_call(wrong, "POST", "/api/totems/totem-1/status", body, base_url=hub.url, timeout_s=5)
    assert ok < 300
    assert refused == 401


def test_nothing_listening_is_no_answer(config) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: refused at once
        with pytest.raises(HubUnreachable, match="ConnectionRefused"):
            hub_call(config, "GET", "/api/forecast", base_url=f"http://127.0.0.1:{port}", token=False, timeout_s=2)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_https_answers_only_with_the_pinned_certificate(tmp_path: Path) -> None:
    cert, key, fingerprint = make_cert(tmp_path / "tls", "hub")
    _, _, other = make_cert(tmp_path / "tls", "impostor")
    hub_config = tls_site(tmp_path / "hub", cert, key, fingerprint)
    with HubServer(hub_config, port=0, clock=FrozenClock(NOW)) as hub:
        pinned = tls_site(tmp_path / "pinned", cert, key, fingerprint, port=hub.port)
        status, body = hub_call(pinned, "GET", "/api/forecast", token=False, timeout_s=5)
        assert status == 200 and body["fingerprint"] == hub_config.fingerprint()
        impostor = tls_site(tmp_path / "impostor", cert, key, other, port=hub.port)
        with pytest.raises(HubUnreachable, match="certificate"):
            hub_call(impostor, "POST", "/api/totems/totem-1/status", {"printer": "ready"}, timeout_s=5)
