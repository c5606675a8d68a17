"""The totem's live view of the hub's queue: it follows the hub's event stream (/api/events,
the one the call screen and the desk consoles follow) on its own thread.

Steps, forever until `close()`:
1. open the stream (the pinned session of totem.hubclient, imported here, on this thread,
   so no command or first frame pays for `requests`);
2. each `state` event hands its `live` part to the HubView (`set_live`); each `moved` event
   (a ticket issued a moment earlier elsewhere went ahead of recent ones) recounts this
   totem's tickets in it (`recount`: a difference goes to the screen); each ping or call
   says the stream is alive (`heard`), so the view stays live while the hub is quiet;
3. a lost stream drops the live view at once (the ticket says "circa" until it is back) and
   is retried with a growing pause, logged once per episode.
Nothing here is on the path from a tap to the paper: the issuer reads the view as it is.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from typing import Any

from config.model import Config
from totem.hubview import HubView

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 5.0  # the hub pings every second: five seconds of silence is a lost stream
PAUSE_START_S = 0.5
PAUSE_CAP_S = 5.0
AFTER_WAIT_S = 5.0  # at most this long for the kiosk's first frame


class QueueFollower:
    def __init__(self, *, config: Config, view: HubView, after: threading.Event | None = None) -> None:
        self.config = config
        self.after = after  # the kiosk's first frame: `requests` is imported after it, not against it
        self.view = view
        self.url = config.hub.url.rstrip("/") + "/api/events"
        self._stop = threading.Event()
        self._response: Any = None
        self._thread = threading.Thread(target=self._run, name="queue-follow", daemon=True)

    def start(self) -> QueueFollower:
        self._thread.start()
        return self

    def _run(self) -> None:
        if self.after is not None:
            self.after.wait(AFTER_WAIT_S)
        import requests

        from totem.hubclient import hub_session

        session = hub_session(self.config, token=False)
        pause, connected = PAUSE_START_S, None
        try:
            while not self._stop.is_set():
                try:
                    with session.get(self.url, stream=True, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S)) as response:
                        response.raise_for_status()
                        self._response = response
                        if connected is not True:
                            log.info("following the hub's queue at %s", self.url)
                        connected, pause = True, PAUSE_START_S
                        self._read(response)
                except (requests.RequestException, OSError, ValueError, AttributeError) as exc:
                    if connected is not False and not self._stop.is_set():
                        log.warning("hub's queue at %s not followed (%s); tickets say 'circa' meanwhile",
                                    self.url, type(exc).__name__)
                    connected = False
                self.view.drop_live()
                self._stop.wait(pause)
                pause = min(PAUSE_CAP_S, pause * 2)
        finally:
            session.close()

    def _read(self, response: Any) -> None:
        event, data = "message", []
        for raw in response.iter_lines(decode_unicode=True):
            if self._stop.is_set():
                return
            line = (raw or "").rstrip("\r")
            if line:
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                continue
            if event == "state" and data:
                try:
                    state = json.loads("\n".join(data))
                except json.JSONDecodeError:
                    state = None
                if not self.view.set_live(state.get("live") if isinstance(state, dict) else None,
                                          totem=self.config.totem.id):
                    log.debug("hub state without a usable live view")
            elif event == "moved" and data:
                self._moved(data)
            elif data:
                self.view.heard()
            event, data = "message", []
        raise ConnectionError("event stream ended")

    def _moved(self, data: list[str]) -> None:
        """Recent tickets another ticket went ahead of: ours are counted again on screen."""
        self.view.heard()
        try:
            moved = json.loads("\n".join(data)).get("tickets")
        except (json.JSONDecodeError, AttributeError):
            return
        for entry in moved if isinstance(moved, list) else ():
            if isinstance(entry, dict) and entry.get("totem") == self.config.totem.id \
                    and isinstance(entry.get("code"), str):
                self.view.recount(entry["code"], entry)

    def close(self) -> None:
        """Ends a pending read at once (shutting the socket down wakes the reading thread)."""
        self._stop.set()
        response = self._response
        sock = getattr(getattr(getattr(response, "raw", None), "connection", None), "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=2)
        self.view.drop_live()

    def __enter__(self) -> QueueFollower:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
