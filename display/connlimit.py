"""Connection limits for the hub: what a visitor's device on the LAN cannot take away.

Steps, for every TCP connection the hub accepts (`GuardedSite` wraps aiohttp's protocol):
1. more than `PER_ADDRESS` open connections from one address: the new one is closed at once;
2. no byte within `FIRST_BYTE_S` of connecting, or no complete request header within
   `HEADER_S`: closed (idle and slowloris connections do not pile up);
3. after a response, aiohttp's keep-alive timeout (`KEEPALIVE_S`) closes it when idle;
4. a body must arrive within `BODY_S` (`read_body`), else 408;
5. the answers on one connection are paced (`pace`, a token bucket of response bytes:
   `PACE_BYTES_S`, bursts of `PACE_BURST_BYTES`: pipelined requests wait their turn) and
   counted: after `REQUESTS_PER_CONNECTION` answers the connection closes (a client just
   connects again), so 2,000 pipelined `/api/state` in one write get at most 100 answers,
   a few MB, not 59 MB (amplification).
Event streams are capped per address separately (`StreamCap`). Nothing here logs per
connection: an attack must not fill the disk (the count of refusals is logged once a minute).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from typing import Any

from aiohttp import web

from display.validation import BadRequest

log = logging.getLogger(__name__)

PER_ADDRESS = 64
FIRST_BYTE_S = 10.0
HEADER_S = 15.0
BODY_S = 10.0
KEEPALIVE_S = 15.0
STREAMS_PER_ADDRESS = 8
REPORT_EVERY_S = 60.0
PACE_BYTES_S = 1_000_000.0
PACE_BURST_BYTES = 2_000_000.0
REQUESTS_PER_CONNECTION = 100  # then "Connection: close": HTTP clients reconnect by themselves


class ConnectionGuard:
    """Counts open connections per address; closes the ones over the limits."""

    def __init__(self, *, per_address: int = PER_ADDRESS, first_byte_s: float = FIRST_BYTE_S,
                 header_s: float = HEADER_S) -> None:
        self.per_address = per_address
        self.first_byte_s = first_byte_s
        self.header_s = header_s
        self.open: Counter[str] = Counter()
        self.refused = 0
        self.timed_out = 0
        self.paced = 0
        self._reported_at = time.monotonic()

    def wrap(self, handler: asyncio.Protocol) -> asyncio.Protocol:
        """One aiohttp RequestHandler behind a GuardedProtocol (its slots cannot be patched)."""
        return GuardedProtocol(handler, self)

    def _report(self) -> None:
        now = time.monotonic()
        if now - self._reported_at >= REPORT_EVERY_S:
            self._reported_at = now
            log.warning("connection limits: %d refused (over %d per address), %d closed idle, %d closed with "
                        "requests still pipelined, in the last minute",
                        self.refused, self.per_address, self.timed_out, self.paced)
            self.refused = self.timed_out = self.paced = 0


class Pace:
    """A token bucket of response bytes for one connection."""

    def __init__(self, *, rate: float = PACE_BYTES_S, burst: float = PACE_BURST_BYTES,
                 clock: Any = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = burst
        self._at = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self._at) * self.rate)
        self._at = now

    def wait_s(self) -> float:
        """How long the next answer waits (the debt of the answers before it)."""
        self._refill()
        return max(0.0, -self.tokens / self.rate)

    def spend(self, size: int) -> float:
        """Count an answer; the debt it leaves, in seconds."""
        self._refill()
        self.tokens -= size
        return max(0.0, -self.tokens / self.rate)


@web.middleware
async def pace(request: web.Request, handler: Any) -> web.StreamResponse:
    """Answers on one connection at a bounded rate, and at most `REQUESTS_PER_CONNECTION` of
    them (step 5); an event stream is one request and its bytes are not counted."""
    transport = request.transport
    protocol = transport.get_protocol() if transport is not None else None
    if not isinstance(protocol, GuardedProtocol):
        return await handler(request)
    wait = protocol.pace.wait_s()
    if wait > 0:
        await asyncio.sleep(wait)
    response = await handler(request)
    protocol.answered += 1
    if isinstance(response, web.Response):
        protocol.pace.spend(response.content_length or 0)
        if protocol.answered >= REQUESTS_PER_CONNECTION:
            if protocol.answered == REQUESTS_PER_CONNECTION and protocol.pipelined():
                protocol.guard.paced += 1
                protocol.guard._report()
            response.force_close()  # what is still pipelined is dropped: a client connects again
    return response


class GuardedProtocol(asyncio.Protocol):
    """Passes everything to aiohttp's protocol, after counting and timing the connection."""

    def __init__(self, inner: asyncio.Protocol, guard: ConnectionGuard) -> None:
        self.inner = inner
        self.guard = guard
        self.peer: str | None = None
        self.bytes = 0
        self.header_done = False
        self._tail = b""
        self.timer: asyncio.TimerHandle | None = None
        self.pace = Pace()
        self.answered = 0
        self._requested = 0  # request heads seen (an estimate: only for the log)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.inner.connection_made(transport)
        guard = self.guard
        self.peer = (transport.get_extra_info("peername") or ("?",))[0]
        guard.open[self.peer] += 1
        if guard.open[self.peer] > guard.per_address:
            guard.refused += 1
            guard._report()
            transport.close()
            return
        self.timer = asyncio.get_running_loop().call_later(guard.first_byte_s, self._check, transport, "first")

    def _check(self, transport: asyncio.BaseTransport, stage: str) -> None:
        guard = self.guard
        if (stage == "first" and self.bytes == 0) or (stage == "header" and not self.header_done):
            guard.timed_out += 1
            guard._report()
            transport.close()
        elif stage == "first" and not self.header_done:
            self.timer = asyncio.get_running_loop().call_later(
                max(0.0, guard.header_s - guard.first_byte_s), self._check, transport, "header")

    def pipelined(self) -> bool:
        return self._requested > self.answered

    def data_received(self, data: bytes) -> None:
        self.bytes += len(data)
        self._requested += data.count(b"\r\n\r\n")
        if not self.header_done:
            seen = self._tail + data
            if b"\r\n\r\n" in seen:
                self.header_done = True  # the first request's header is in; keep-alive takes over
            self._tail = seen[-3:]
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.peer is not None:
            self.guard.open[self.peer] -= 1
            if self.guard.open[self.peer] <= 0:
                del self.guard.open[self.peer]
        if self.timer is not None:
            self.timer.cancel()
        self.inner.connection_lost(exc)


class GuardedSite(web.TCPSite):
    """aiohttp's TCP site, each connection's protocol wrapped by a ConnectionGuard."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, *, guard: ConnectionGuard,
                 **kwargs: Any) -> None:
        super().__init__(runner, host, port, **kwargs)
        self.guard = guard

    async def start(self) -> None:
        await web.BaseSite.start(self)
        server = self._runner.server
        assert server is not None
        self._server = await asyncio.get_running_loop().create_server(
            lambda: self.guard.wrap(server()), self._host, self._port, ssl=self._ssl_context,
            backlog=self._backlog, reuse_address=self._reuse_address, reuse_port=self._reuse_port)

    @property
    def bound_port(self) -> int:
        assert self._server is not None and self._server.sockets
        return int(self._server.sockets[0].getsockname()[1])


class StreamCap:
    """At most `limit` open event streams per address."""

    def __init__(self, limit: int = STREAMS_PER_ADDRESS) -> None:
        self.limit = limit
        self.open: Counter[str] = Counter()

    def acquire(self, peer: str) -> bool:
        if self.open[peer] >= self.limit:
            return False
        self.open[peer] += 1
        return True

    def release(self, peer: str) -> None:
        self.open[peer] -= 1
        if self.open[peer] <= 0:
            del self.open[peer]


async def read_body(request: web.Request, timeout_s: float = BODY_S) -> bytes:
    """The body, or 408 when it does not arrive in time (a held body holds nothing else)."""
    try:
        return await asyncio.wait_for(request.read(), timeout=timeout_s)
    except TimeoutError:
        raise web.HTTPRequestTimeout(text='{"error": "request body not received in time"}',
                                     content_type="application/json") from None


async def read_json(request: web.Request, *, limit: int = 16 * 1024) -> Any:
    """The request's JSON body, at most `limit` bytes: 413 above, a 400 naming why when unreadable."""
    raw = await read_body(request)
    if len(raw) > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(raw))
    try:
        return json.loads(raw.decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise BadRequest("body", f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except UnicodeDecodeError:
        raise BadRequest("body", "not UTF-8") from None
    except RecursionError:
        raise BadRequest("body", "nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise BadRequest("body", f"not acceptable JSON ({str(exc)[:80]})") from None
