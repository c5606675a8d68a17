"""The call screen's link to the hub: a server-sent-events client on its own thread.

It only posts events to the screen loop. A lost connection is reported once and
retried with a growing pause, forever; the screen shows a small marker meanwhile.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections.abc import Callable
from typing import Any

import requests

log = logging.getLogger(__name__)

READ_TIMEOUT_S = 5.0  # the hub sends a ping every second: five seconds of silence is a lost link


class HubFeed:
    def __init__(self, url: str, *, on_event: Callable[[str, dict[str, Any]], None],
                 on_link: Callable[[bool], None],
                 session_factory: Callable[[], requests.Session] = requests.Session) -> None:
        self.url = url.rstrip("/") + "/api/events"
        self.on_event = on_event
        self.on_link = on_link
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hub-feed", daemon=True)
        self._response: requests.Response | None = None
        self._session_factory = session_factory  # a pinned session when the hub serves HTTPS

    def start(self) -> HubFeed:
        self._thread.start()
        return self

    def _run(self) -> None:
        pause = 0.5
        connected = None
        session = self._session_factory()
        while not self._stop.is_set():
            try:
                with session.get(self.url, stream=True, timeout=(3.0, READ_TIMEOUT_S)) as response:
                    response.raise_for_status()
                    self._response = response
                    if connected is not True:
                        log.info("connected to hub events at %s", self.url)
                    connected = True
                    self.on_link(True)
                    pause = 0.5
                    self._read(response)
            except (requests.RequestException, OSError, ValueError, AttributeError) as exc:
                if self._stop.is_set():
                    break
                if connected is not False:
                    log.warning("hub events at %s lost (%s); retrying", self.url, type(exc).__name__)
                connected = False
                self.on_link(False)
            self._stop.wait(pause)
            pause = min(10.0, pause * 2)
        session.close()

    def _read(self, response: requests.Response) -> None:
        event, data = "message", []
        for raw in response.iter_lines(decode_unicode=True):
            if self._stop.is_set():
                return
            if raw is None:
                continue
            line = raw.rstrip("\r")
            if not line:
                if data:
                    try:
                        self.on_event(event, json.loads("\n".join(data)))
                    except json.JSONDecodeError:
                        log.warning("hub sent a malformed %s event", event)
                event, data = "message", []
            elif line.startswith(":"):
                continue
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        raise ConnectionError("event stream ended")

    def close(self) -> None:
        """Ends a pending read at once: shutting the socket down wakes the reading thread
        (closing the response from this thread would wait for the reader's lock, up to the
        hub's next keepalive)."""
        self._stop.set()
        response = self._response
        sock = getattr(getattr(getattr(response, "raw", None), "connection", None), "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=2)
