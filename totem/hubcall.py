"""One request to the hub on the standard library, for a command that asks once and ends.

The kiosk's threads talk to the hub through a kept `requests` session (totem.hubclient). A
technician command asks the hub once or twice, and `requests` costs about 55 ms of CPU to import
on this project's reference machine (urllib3 35 ms, `http.client` 13 ms; several times that on a
Pi): `totem status` and `totem issue` before the paper ask through here, and `totem issue` imports
`requests` only for the push, after the paper (issue 21, point 2).

The hub's certificate is pinned exactly as totem.hubclient pins it (urllib3's `assert_fingerprint`):
no CA is trusted, the connection is made, the certificate's SHA-256 is compared with
`hub.tls_fingerprint` in constant time, and only then does the request (and its token) go out.
Any failure to get an answer raises `HubUnreachable`, naming what happened.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

from config.model import Config


class HubUnreachable(Exception):
    """No answer from the hub: refused, timed out, an impostor's certificate, a broken reply."""


def hub_call(config: Config, method: str, path: str, body: dict[str, Any] | None = None, *,
             token: bool = True, timeout_s: float, base_url: str | None = None) -> tuple[int, Any]:
    """(HTTP status, the answer's JSON or None) of one request to `base_url` (the hub's) + `path`."""
    url = urlsplit(base_url or config.hub.url)
    headers = {"Accept": "application/json", "Connection": "close"}
    if token:
        headers["Authorization"] = f"Bearer {config.hub.token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn = _connection(url.scheme, url.hostname or "", url.port, timeout_s)
    try:
        conn.connect()
        if url.scheme == "https":
            _check_pin(conn.sock, config.hub.tls_fingerprint)  # before a byte of the request is sent
        conn.request(method, url.path.rstrip("/") + path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise HubUnreachable(f"{type(exc).__name__}: {exc}") from None
    finally:
        conn.close()
    try:
        return response.status, json.loads(raw) if raw else None
    except ValueError:  # a proxy's HTML, nonsense: an answer, but not the hub's JSON
        return response.status, None


def _connection(scheme: str, host: str, port: int | None, timeout_s: float) -> http.client.HTTPConnection:
    if scheme == "https":
        import ssl  # http.client imported it already; named here for what it is used for

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False  # the pin is the check, as in totem.hubclient
        context.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection(host, port, timeout=timeout_s, context=context)
    if scheme == "http":
        return http.client.HTTPConnection(host, port, timeout=timeout_s)
    raise HubUnreachable(f"hub.url scheme {scheme!r} is neither http nor https")


def _check_pin(sock: Any, fingerprint: str) -> None:
    import hashlib  # only for an https hub (hashlib loads OpenSSL: ~3 ms)
    import hmac

    der = sock.getpeercert(binary_form=True) if sock is not None else None
    wanted = fingerprint.replace(":", "").lower()
    if not der or not wanted or not hmac.compare_digest(hashlib.sha256(der).hexdigest(), wanted):
        raise HubUnreachable("the hub's certificate is not the pinned one (hub.tls_fingerprint)")
