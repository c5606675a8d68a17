"""HTTPS on the hub with the totems pinning its certificate's fingerprint: the token never
crosses the LAN in clear, and a device posing as the hub with another certificate gets
nothing. openssl (Debian's, as the installer uses) makes the certificate."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from conftest import rome, write_site

from config import load_config
from config.model import Config
from display.server import HubServer
from totem.clock import FrozenClock
from totem.hubclient import hub_session
from totem.issuing import Issuer
from totem.outbox import TargetPusher
from totem.store import TicketStore

NOW = rome(2026, 12, 1, 10, 0)
pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")


def make_cert(folder: Path, name: str) -> tuple[Path, Path, str]:
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-days", "3650", "-nodes", "-keyout", str(key), "-out", str(cert), "-subj", "/CN=totem-hub"],
                   check=True, capture_output=True, timeout=60)
    out = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-fingerprint", "-sha256"], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    return cert, key, out.strip().split("=", 1)[1]


def tls_site(tmp_path: Path, cert: Path, key: Path, fingerprint: str, port: int = 9) -> Config:
    site = write_site(tmp_path, always_open=True, extra={
        "min_interval_s = 2": "min_interval_s = 0",
        "heartbeat_s = 30": f'heartbeat_s = 30\ntls_cert = "{cert}"\ntls_key = "{key}"\n'
                            f'tls_fingerprint = "{fingerprint}"'})
    text = site.read_text(encoding="utf-8").replace('url = "http://127.0.0.1:9"', f'url = "https://127.0.0.1:{port}"')
    site.write_text(text, encoding="utf-8")
    return load_config(site)


def test_totem_pushes_over_https_to_the_pinned_hub_only(tmp_path: Path) -> None:
    cert, key, fingerprint = make_cert(tmp_path / "tls", "hub")
    _, _, other = make_cert(tmp_path / "tls", "impostor")
    hub_config = tls_site(tmp_path / "hub", cert, key, fingerprint)
    with HubServer(hub_config, port=0, clock=FrozenClock(NOW)) as hub:
        assert hub.url.startswith("https://")
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(hub.url + "/healthz", timeout=5)  # no CA vouches for it: only pinning works
        for pin, delivered in ((other, False), (fingerprint, True)):
            config = tls_site(tmp_path / f"totem-{delivered}", cert, key, pin, port=hub.port)
            with TicketStore.in_dir(config.totem.data_dir) as store:
                Issuer(config=config, store=store, clock=FrozenClock(NOW)).issue("uffici")
                pusher = TargetPusher(config=config, target=config.hub.url, clock=FrozenClock(NOW), store=store)
                try:
                    assert pusher.deliver() is delivered
                    if not delivered:
                        assert "SSLError" in pusher.last_error  # the impostor's certificate is refused
                finally:
                    pusher.close()
        with hub_session(hub_config, token=False) as session:
            state = session.get(hub.url + "/api/state", timeout=5).json()
        assert sum(s["waiting"] for s in state["services"]) == 1


def test_an_https_url_without_a_fingerprint_is_a_config_error(tmp_path: Path) -> None:
    from config.errors import ConfigError

    site = write_site(tmp_path)
    site.write_text(site.read_text(encoding="utf-8").replace('url = "http://127.0.0.1:9"',
                                                             'url = "https://192.0.2.10:8443"'), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"hub\.tls_fingerprint: missing"):
        load_config(site)
