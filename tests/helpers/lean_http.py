"""A lean keep-alive HTTP/1.1 client for the model-checked queue (tests/helpers/queue_model.py).

The model sends some thirty requests per example; through `requests.Session` about a third of
the whole run's CPU went to the session's own machinery (merging settings and hooks, cookie
jars, isinstance checks against ABCs), none of it on the wire. This sends the same HTTP with
`http.client`: one persistent connection per hub address, JSON in and out.

A connection is only reused while the hub that opened it lives; when the hub restarts it
listens on a new port, and the old connection is closed when the first request to the new
address is made. A request is never retried: a reset on a live connection is a failure the
test must see.
"""

from __future__ import annotations

import http.client
import json as jsonlib
from typing import Any
from urllib.parse import urlsplit


class Answer:
    def __init__(self, status: int, content: bytes) -> None:
        self.status_code = status
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return jsonlib.loads(self.content)


class LeanSession:
    def __init__(self) -> None:
        self._netloc = ""
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self, netloc: str, timeout: float) -> http.client.HTTPConnection:
        if netloc != self._netloc or self._conn is None:
            self.close()
            host, _, port = netloc.rpartition(":")
            self._conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
            self._netloc = netloc
        return self._conn

    def request(self, method: str, url: str, *, json: Any = None, headers: dict[str, str] | None = None,
                timeout: float = 10.0) -> Answer:
        parts = urlsplit(url)
        conn = self._connection(parts.netloc, timeout)
        body = None if json is None else jsonlib.dumps(json).encode()
        sent = {"Accept": "application/json", **(headers or {})}
        if body is not None:
            sent["Content-Type"] = "application/json"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            content = response.read()
        except BaseException:
            self.close()
            raise
        if response.will_close:
            self.close()
        return Answer(response.status, content)

    def get(self, url: str, **kwargs: Any) -> Answer:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Answer:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        self._netloc = ""
