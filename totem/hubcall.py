"""One request to the hub on the standard library, for a command that asks once and ends.

The kiosk's threads talk to the hub through a kept `requests` session (totem.hubclient). A
technician command asks the hub once or twice, and `requests` costs about 55 ms of CPU to import
on this project's reference machine (urllib3 35 ms, `http.client` 13 ms; several times that on a
Pi): `totem status` and `totem issue` before the paper ask through here, and `totem issue` imports
`requests` only for the push, after the paper (issue 21, point 2).

The request goes over a plain socket, not `http.client`, whose import (its header parser from the
`email` package, and `ssl` even for a plain http hub) cost ~12 ms of `totem issue` before the paper:
one HTTP/1.1 request with `Connection: close`, and the answer read whole whichever way it ends
(`Content-Length`, chunked, or when the hub closes).

The hub's certificate is pinned exactly as totem.hubclient pins it (urllib3's `assert_fingerprint`):
no CA is trusted, the connection is made, the certificate's SHA-256 is compared with
`hub.tls_fingerprint` in constant time, and only then does the request (and its token) go out.
Any failure to get an answer raises `HubUnreachable`, naming what happened.
"""

from __future__ import annotations

import json
import socket
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from config.model import Config

MAX_LINE = 65536  # a status or header line longer than this is not the hub's


class HubUnreachable(Exception):
    """No answer from the hub: refused, timed out, an impostor's certificate, a broken reply."""


def hub_call(config: Config, method: str, path: str, body: dict[str, Any] | None = None, *,
             token: bool = True, timeout_s: float, base_url: str | None = None) -> tuple[int, Any]:
    """(HTTP status, the answer's JSON or None) of one request to `base_url` (the hub's) + `path`."""
    url = urlsplit(base_url or config.hub.url)
    if url.scheme not in ("http", "https"):
        raise HubUnreachable(f"hub.url scheme {url.scheme!r} is neither http nor https")
    host = url.hostname or ""
    port = url.port or (443 if url.scheme == "https" else 80)
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address, as a Host header writes it
    headers = {"Host": shown if port == (443 if url.scheme == "https" else 80) else f"{shown}:{port}",
               "Accept-Encoding": "identity", "Accept": "application/json", "Connection": "close"}
    if token:
        headers["Authorization"] = f"Bearer {config.hub.token}"
    data = b""
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if body is not None or method in ("POST", "PUT", "PATCH"):
        headers["Content-Length"] = str(len(data))
    head = f"{method} {url.path.rstrip('/') + path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as sock:
            if url.scheme == "https":
                with _tls(sock, host) as tls:
                    _check_pin(tls, config.hub.tls_fingerprint)  # before a byte of the request is sent
                    status, raw = _exchange(tls, (head + "\r\n").encode("latin-1") + data, method)
            else:
                status, raw = _exchange(sock, (head + "\r\n").encode("latin-1") + data, method)
    except (OSError, ValueError) as exc:  # ValueError: an answer that is not HTTP, or cut short
        raise HubUnreachable(f"{type(exc).__name__}: {exc}") from None
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:  # a proxy's HTML, nonsense: an answer, but not the hub's JSON
        return status, None


def _tls(sock: socket.socket, host: str) -> Any:
    import ssl  # only for an https hub

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False  # the pin is the check, as in totem.hubclient
    context.verify_mode = ssl.CERT_NONE
    return context.wrap_socket(sock, server_hostname=host)


def _exchange(sock: socket.socket, request: bytes, method: str) -> tuple[int, bytes]:
    """Send the request; the answer's status and body (interim 1xx answers skipped)."""
    sock.sendall(request)
    with sock.makefile("rb") as reader:
        while True:
            status, headers = _status_and_headers(reader)
            if not 100 <= status < 200:
                break
        if method == "HEAD" or status in (204, 304):
            return status, b""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return status, _chunks(reader)
        if "content-length" in headers:
            length = int(headers["content-length"])
            if length < 0:
                raise ValueError(f"Content-Length {length}")
            return status, _exactly(reader, length)
        return status, reader.read()  # until the hub closes the connection


def _status_and_headers(reader: BinaryIO) -> tuple[int, dict[str, str]]:
    line = reader.readline(MAX_LINE + 1)
    parts = line.decode("latin-1").split(None, 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError(f"not an HTTP answer: {line[:40]!r}")
    headers: dict[str, str] = {}
    while True:
        field = reader.readline(MAX_LINE + 1)
        if not field:
            raise ValueError("the answer ended inside its headers")
        if field in (b"\r\n", b"\n"):
            return int(parts[1]), headers
        name, _, value = field.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()


def _chunks(reader: BinaryIO) -> bytes:
    out = []
    while True:
        size = int(reader.readline(MAX_LINE + 1).split(b";")[0].strip(), 16)  # ValueError when not a size
        if size == 0:
            while reader.readline(MAX_LINE + 1) not in (b"\r\n", b"\n", b""):  # trailer fields, if any
                pass
            return b"".join(out)
        out.append(_exactly(reader, size))
        reader.readline(MAX_LINE + 1)  # the chunk's CRLF


def _exactly(reader: BinaryIO, length: int) -> bytes:
    data = reader.read(length)
    if len(data) < length:
        raise ValueError(f"the answer was cut short ({len(data)} of {length} bytes)")
    return data


def _check_pin(sock: Any, fingerprint: str) -> None:
    import hashlib  # only for an https hub (hashlib loads OpenSSL: ~3 ms)
    import hmac

    der = sock.getpeercert(binary_form=True) if sock is not None else None
    wanted = fingerprint.replace(":", "").lower()
    if not der or not wanted or not hmac.compare_digest(hashlib.sha256(der).hexdigest(), wanted):
        raise HubUnreachable("the hub's certificate is not the pinned one (hub.tls_fingerprint)")
