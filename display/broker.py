"""Fan-out of server-sent events to every open stream of the hub."""

from __future__ import annotations

import asyncio
import json
from typing import Any


class Broker:
    """Fan-out of server-sent events to every open stream.

    A client that falls `QUEUE_MAX` events behind is cut off: its queue is emptied and a
    `None` tells its handler to end the response, so the browser's EventSource reconnects
    and starts again from a fresh state, instead of a console frozen while it looks "connected".
    """

    QUEUE_MAX = 100

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[str | None]] = set()

    def subscribe(self) -> asyncio.Queue[str | None]:
        queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=self.QUEUE_MAX)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str | None]) -> None:
        self._queues.discard(queue)

    def publish(self, event: str, data: dict[str, Any] | str) -> None:
        payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
        message = f"event: {event}\ndata: {payload}\n\n"
        for queue in list(self._queues):
            if queue.full():  # a stuck client: end its stream rather than grow without bound
                self._queues.discard(queue)
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(None)
                continue
            queue.put_nowait(message)

    def close_all(self) -> None:
        """End every stream (the hub is stopping)."""
        for queue in list(self._queues):
            while not queue.empty():
                queue.get_nowait()
            queue.put_nowait(None)
        self._queues.clear()

    @property
    def subscribers(self) -> int:
        return len(self._queues)
