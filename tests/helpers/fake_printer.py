"""A network ESC/POS printer on 127.0.0.1: records every byte and every connection.

mode="answer": replies to DLE EOT queries with the configured status bytes.
mode="silent": accepts and reads, never replies (a hung printer or a wrong device).
mode="stall": accepts, reads 64 bytes of each connection, then neither reads nor replies.
`mode` may be changed while it runs (a printer that stalls, then is fixed).
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    data: bytearray = field(default_factory=bytearray)
    closed_by_client: bool = False


class FakeNetworkPrinter:
    def __init__(self, mode: str = "answer", status: dict[int, int] | None = None) -> None:
        self.mode = mode
        self.status = status or {1: 0x12, 2: 0x12, 4: 0x12}
        self.connections: list[Received] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        record = Received()
        self.connections.append(record)
        conn.settimeout(0.2)
        with conn:
            while not self._stop.is_set():
                if self.mode == "stall" and len(record.data) >= 64:
                    if self._stop.wait(0.05):
                        return
                    continue
                try:
                    chunk = conn.recv(64 - len(record.data) if self.mode == "stall" else 4096)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    record.closed_by_client = True
                    return
                start = len(record.data)
                record.data += chunk
                if self.mode == "answer":
                    scan = bytes(record.data[max(0, start - 2):])
                    reply = bytearray()
                    for i in range(len(scan) - 2):
                        if scan[i] == 0x10 and scan[i + 1] == 0x04:
                            reply.append(self.status.get(scan[i + 2], 0x12))
                    if reply:
                        conn.sendall(bytes(reply))

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self._thread.join(timeout=2)

    def __enter__(self) -> FakeNetworkPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
