""""Nearly your turn" by Web Push (issue 22 point 2), end to end: the hub's sender posts the real
encrypted request (RFC 8291 aes128gcm, VAPID-signed) to a push service played by a local HTTP
server; the test decrypts it with the subscription's own private key, as the browser would.
No mock of pywebpush."""

from __future__ import annotations

import base64
import json
import os
import stat
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import http_ece
import pytest
import requests
from conftest import HUB_NOW, write_site
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from test_hub_api import post, ticket

from config import load_config
from config.errors import ConfigError
from config.follow import follow_key
from display import push, push_keys
from display.cli import main as display_main
from display.server import HubServer
from totem.clock import FrozenClock


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Browser:
    """A browser's side of one subscription: its P-256 key pair and auth secret."""

    def __init__(self, endpoint: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = endpoint

    def subscription(self) -> dict:
        public = self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                    serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64(public), "auth": b64(self.auth)}}

    def read(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"))


class PushService:
    """A push service on 127.0.0.1: records each request as it came, answers 201."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(410 if self.path.endswith("/gone") else 201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def wait(self, n: int, timeout_s: float = 15.0) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.received) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.received) >= n, f"{len(self.received)} push requests, wanted {n}"


@pytest.fixture
def service() -> Iterator[PushService]:
    s = PushService()
    s.thread.start()
    yield s
    s.server.shutdown()
    s.server.server_close()


def check_vapid(headers: dict[str, str], public_key: str, audience: str) -> None:
    """The request is signed with the hub's key, for this push service (RFC 8292)."""
    scheme, _, params = headers["authorization"].partition(" ")
    fields = dict(p.strip().split("=", 1) for p in params.split(","))
    assert scheme == "vapid" and fields["k"] == public_key
    head, claims, signature = fields["t"].split(".")
    assert json.loads(unb64(claims))["aud"] == audience
    raw = unb64(signature)
    point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(public_key))
    point.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                 f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises when forged


def test_the_sender_posts_a_real_encrypted_signed_push(tmp_path: Path, service: PushService) -> None:
    public = push_keys.generate(tmp_path)
    browser = Browser(service.url + "/push/abc")
    info = browser.subscription()
    sub = push.Subscription(info["endpoint"], "t1", info["keys"]["p256dh"], info["keys"]["auth"], "ahead:3", "it")
    payload = {"title": "Manca poco: A006", "body": "Manca poco! 3 persone prima di lei", "tag": "x", "url": "/t/k"}
    status = push.send(sub, payload, key_file=push_keys.key_path(tmp_path), contact="https://totem.example.org",
                       timeout_s=5)
    assert status == 201
    path, headers, body = service.received[0]
    assert path == "/push/abc" and headers["content-encoding"] == "aes128gcm" and headers["ttl"] == str(push.TTL_S)
    assert b"Manca poco" not in body, "encrypted on the wire"
    assert browser.read(body) == payload
    check_vapid(headers, public, service.url)
    gone = push.Subscription(service.url + "/push/gone", "t1", sub.p256dh, sub.auth, "ahead:3", "it")
    assert push.send(gone, payload, key_file=push_keys.key_path(tmp_path), contact="https://x.example.org",
                     timeout_s=5) == 410


def test_push_keys_are_made_once_with_mode_0600(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = write_site(tmp_path)
    assert display_main(["--config", str(site), "push-keys"]) == 0
    key = push_keys.key_path(load_config(site).hub.data_dir)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    out = capsys.readouterr().out
    assert f"public key: {push_keys.public_key(key.parent)}" in out and "BEGIN" not in out
    before = key.read_bytes()
    assert display_main(["--config", str(site), "push-keys"]) == 7, "never replaced by accident"
    assert key.read_bytes() == before and "--force" in capsys.readouterr().err
    assert display_main(["--config", str(site), "push-keys", "--force"]) == 0 and key.read_bytes() != before


def test_web_push_needs_an_https_public_url(tmp_path: Path) -> None:
    site = write_site(tmp_path, extra={"# web_push = true": "web_push = true"})
    with pytest.raises(ConfigError, match=r"hub\.web_push: needs hub\.public_url on https://"):
        load_config(site)


def push_site(tmp_path: Path) -> Path:
    return write_site(tmp_path, extra={"# web_push = true": "web_push = true",
                                       'public_url = ""': 'public_url = "https://totem.example.org"'})


def subscribe(hub: HubServer, key: str, body: object) -> requests.Response:
    return requests.post(f"{hub.url}/api/follow/{key}/push", json=body, headers={"Origin": hub.url}, timeout=5)


def test_the_hub_pushes_nearly_your_turn_when_three_are_ahead(tmp_path: Path, service: PushService) -> None:
    site = push_site(tmp_path)
    config = load_config(site)
    public = push_keys.generate(config.hub.data_dir)
    clock = FrozenClock(HUB_NOW)
    with HubServer(config, port=0, clock=clock) as hub:
        assert requests.get(hub.url + "/api/push/key", timeout=5).json() == {"enabled": True, "public_key": public}
        worker = requests.get(hub.url + "/t/sw.js", timeout=5)
        assert worker.headers["Content-Type"].startswith("application/javascript") and "showNotification" in worker.text
        tickets = [ticket(number=n, minutes_ago=40 - n) for n in range(1, 7)]
        for t in tickets:
            post(hub, "/api/tickets", t)
        key = follow_key(config.hub.token, tickets[5]["id"])
        browser = Browser(service.url + "/push/sub-1")
        body = {"subscription": browser.subscription(), "near": "ahead:3", "lang": "it"}
        first = subscribe(hub, key, body)
        assert first.status_code == 201 and first.json() == {"ticket": "A006", "near": "ahead:3", "subscribed": True,
                                                             "repeated": False}
        again = subscribe(hub, key, body)
        assert again.status_code == 200 and again.json()["repeated"] is True, "safe to repeat"
        post(hub, "/api/desks/1/next")  # A001: 4 ahead
        post(hub, "/api/desks/1/next")  # A002: 3 ahead
        service.wait(1)
        _, headers, raw = service.received[0]
        said = browser.read(raw)
        assert said["title"] == "Manca poco: A006" and said["body"] == "Manca poco! 3 persone prima di lei", \
            "sent at 3 ahead, not at 4"
        assert said["url"] == f"/t/{key}"
        check_vapid(headers, public, service.url)
        post(hub, "/api/desks/1/next")  # 2 ahead: the alert is not sent again
        with hub.store.reading():
            rows = hub.store.reader().execute("SELECT ticket_id, sent_at FROM push_subscriptions").fetchall()
        assert rows and rows[0][0] == tickets[5]["id"] and rows[0][1] is not None
        assert len(service.received) == 1
        clock.advance(days=1)  # the day ends: subscriptions go
        assert hub.hub is not None
        hub.hub.changed()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with hub.store.reading():
                left = push.count(hub.store.reader())
            if left == 0:
                break
            time.sleep(0.1)
        assert left == 0, "deleted at day end"


def test_bad_subscriptions_are_refused_by_name(tmp_path: Path) -> None:
    config = load_config(push_site(tmp_path))
    push_keys.generate(config.hub.data_dir)
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        t = ticket()
        post(hub, "/api/tickets", t)
        key = follow_key(config.hub.token, t["id"])
        good = Browser("https://fcm.googleapis.com/fcm/send/abc").subscription()
        for sub, field in ((Browser("https://attacker.example.com/x").subscription(), "subscription.endpoint"),
                           (Browser("http://192.168.1.9/x").subscription(), "subscription.endpoint"),
                           ({**good, "keys": {"p256dh": "short", "auth": good["keys"]["auth"]}},
                            "subscription.keys.p256dh")):
            answer = subscribe(hub, key, {"subscription": sub, "near": "ahead:3"})
            assert answer.status_code == 400 and answer.json()["field"] == field, answer.text
        assert subscribe(hub, key, {"subscription": good, "near": "soon"}).json()["field"] == "near"
        assert subscribe(hub, "a" * 26, {"subscription": good}).status_code == 404
        cross = requests.post(f"{hub.url}/api/follow/{key}/push", json={"subscription": good},
                              headers={"Origin": "https://evil.example.com"}, timeout=5)
        assert cross.status_code == 403
        with hub.store.reading():
            assert push.count(hub.store.reader()) == 0, "nothing stored"


def test_without_web_push_the_hub_says_so(hub: HubServer) -> None:
    assert requests.get(hub.url + "/api/push/key", timeout=5).json() == {"enabled": False, "public_key": None}
    t = ticket()
    post(hub, "/api/tickets", t)
    answer = subscribe(hub, follow_key("demo-token-change-me-0123456789", t["id"]),
                       {"subscription": Browser("https://fcm.googleapis.com/fcm/send/a").subscription()})
    assert answer.status_code == 409 and answer.json()["refusal"]["reason"] == "push_off"


HIDE_PUSH = '''
import sys
class _Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pywebpush", "http_ece", "py_vapid"):
            raise ModuleNotFoundError(f"No module named {name!r} (hidden by the test)")
        return None
sys.meta_path.insert(0, _Hide())
'''


def test_without_the_push_extra_the_hub_runs_and_push_keys_says_how_to_add_it(tmp_path: Path) -> None:
    """Web Push is the optional `push` extra (http-ece has no wheel; install.sh adds it only for a
    site with web_push = true): without it, push-keys exits 2 naming the fix, nothing is written,
    and the release reports Web Push unavailable (the hub then leaves push off)."""
    import subprocess
    import sys

    from conftest import PYPATH, ROOT

    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text(HIDE_PUSH, encoding="utf-8")
    site = write_site(tmp_path, extra={'public_url = ""': 'public_url = "https://totem.example.org"'})
    env = dict(os.environ, PYTHONPATH=f"{hide}{os.pathsep}{PYPATH}")
    out = subprocess.run([sys.executable, "-m", "display", "--config", str(site), "push-keys"], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2, out.stderr
    assert "install.sh" in out.stderr and "web_push = true" in out.stderr
    assert not push_keys.key_path(load_config(site).hub.data_dir).exists()
    probe = subprocess.run([sys.executable, "-c", "from display import push_keys; print(push_keys.available())"],
                           env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip() == "False", probe.stderr
    assert push_keys.available()  # and this test's own venv has it (the dev extra)
