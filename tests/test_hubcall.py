"""One request to the hub on the standard library (totem.hubcall), for the technician commands and
`totem issue` before the paper: the same answers as the requests session, the same pinning of the
hub's certificate (an impostor's certificate gets nothing: no answer, no token), and a clear "no
answer" when nothing listens."""

from __future__ import annotations

import json
import shutil
import socket
import threading
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


class RawHub:
    """A TCP server on 127.0.0.1 that answers each connection with the given bytes after reading the
    request (a proxy's or an older server's ways of answering), and keeps what it was sent."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.requests: list[bytes] = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/base/"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        with self.server:
            conn, _ = self.server.accept()
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                while len(body) < length:
                    body += conn.recv(65536)
                self.requests.append(head + b"\r\n\r\n" + body)
                conn.sendall(self.answer)


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"7\r\n{\"a\": [\r\n8;ext=1\r\n1, 2], \"\r\n6\r\nb\": 3}\r\n0\r\nTrailer: x\r\n\r\n",
    b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\": [1, 2], \"b\": 3}",  # until it closes
    b"HTTP/1.1 200 OK\r\ncontent-length: 21\r\n\r\n{\"a\": [1, 2], \"b\": 3}extra",  # no more than its length
], ids=["chunked", "until-close", "content-length"])
def test_every_way_an_http_answer_ends_is_read_whole(config, answer: bytes) -> None:  # type: ignore[no-untyped-def]
    hub = RawHub(answer)
    status, body = hub_call(config, "POST", "/api/x", {"n": "è"}, base_url=hub.url, timeout_s=5)
    assert (status, body) == (200, {"a": [1, 2], "b": 3})
    hub.thread.join(timeout=5)
    head, _, sent = hub.requests[0].partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /base/api/x HTTP/1.1"
    assert f"Host: 127.0.0.1:{hub.url.split(':')[2].split('/')[0]}" in lines
    assert f"Authorization: Bearer {config.hub.token}" in lines and "Content-Type: application/json" in lines
    assert json.loads(sent) == {"n": "è"} and f"Content-Length: {len(sent)}" in lines


@pytest.mark.parametrize("answer", [b"SSH-2.0-OpenSSH_9.2\r\n", b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}",
                                    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", b""],
                         ids=["not-http", "cut-short", "bad-chunk", "closed"])
def test_a_broken_answer_is_no_answer(config, answer: bytes) -> None:  # type: ignore[no-untyped-def]
    hub = RawHub(answer)
    with pytest.raises(HubUnreachable):
        hub_call(config, "GET", "/api/forecast", base_url=hub.url, token=False, timeout_s=5)


def test_a_proxy_page_is_an_answer_without_json(config) -> None:  # type: ignore[no-untyped-def]
    hub = RawHub(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 13\r\n\r\n<h1>502</h1>\n")
    assert hub_call(config, "GET", "/api/forecast", base_url=hub.url, token=False, timeout_s=5) == (502, None)
