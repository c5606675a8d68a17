"""The HTTP session every part of the totem (and the call screen) uses to talk to the hub.

Plain HTTP for the demo; on a real site the hub serves HTTPS with its own self-signed
certificate, and the session pins that certificate's SHA-256 fingerprint from the site
file (`hub.tls_fingerprint`): no CA is trusted, so a device on the LAN cannot pose as the
hub, and the bearer token never crosses the LAN in clear.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter

from config.model import Config


class PinnedAdapter(HTTPAdapter):
    """Accepts exactly one certificate, by fingerprint (urllib3's assert_fingerprint)."""

    def __init__(self, fingerprint: str, **kwargs: Any) -> None:
        self.fingerprint = fingerprint
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs.update(assert_fingerprint=self.fingerprint, assert_hostname=False)
        super().init_poolmanager(*args, **kwargs)

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        super().cert_verify(conn, url, False, cert)  # no CA: the fingerprint is the check
        conn.assert_fingerprint = self.fingerprint


def hub_session(config: Config, *, token: bool = True) -> requests.Session:
    session = requests.Session()
    if token:
        session.headers["Authorization"] = f"Bearer {config.hub.token}"
    if config.hub.tls_fingerprint:
        session.mount("https://", PinnedAdapter(config.hub.tls_fingerprint))
    return session


def json_object(response: requests.Response) -> dict[str, Any]:
    """The hub's answer as a JSON object; {} for anything else (a proxy's HTML, nonsense)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
