"""The kiosk's one worker thread: every store, printer, hub and technician job runs here, so the
screen loop answers within a frame and never waits for the disk, the printer or the network.

1. `issue(service_id, take)`: `take(on_issued)` runs here (a tap's ticket, or a checked-in
   appointment's); as soon as the number is committed its code is posted (EV_CODE) and the
   worker waits up to `CODE_WAIT_S` for the frame that shows it (`code_drawn`), so the printer
   and the ticket image do not slow that frame down;
2. the outcome is posted (EV_TICKET): the ticket and its image, or the error. Every failure
   becomes a screen (totem.ui.take), never a crash of the worker;
3. `submit(job)`: any other job (the technician's actions), which posts its own result.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from totem.ui.events import EV_CODE, EV_TICKET, post

CODE_WAIT_S = 0.1  # a tap's next frame waits this long for the code, rather than flip a frame without it


class Worker:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ticket-worker")
        self._code_drawn = threading.Event()

    def issue(self, service_id: str, take: Callable[[Callable[[Any], None]], Any]) -> None:
        self._code_drawn.clear()
        self._pool.submit(self._ticket_job, service_id, take)

    def submit(self, job: Callable[[], None]) -> None:
        self._pool.submit(job)

    def code_drawn(self) -> None:
        """The screen loop drew the ticket's code: printing may go on."""
        self._code_drawn.set()

    def _ticket_job(self, service_id: str, take: Callable[[Callable[[Any], None]], Any]) -> None:
        def show_code(ticket: Any) -> None:
            post(EV_CODE, code=ticket.code, service_id=service_id)
            self._code_drawn.wait(CODE_WAIT_S)

        try:
            ticket, image = take(show_code)
            post(EV_TICKET, ticket=ticket, image=image, error=None)
        except Exception as exc:  # every failure becomes a screen, never a crash of the worker
            post(EV_TICKET, ticket=None, image=None, error=exc)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)
