"""The hub on its own thread and event loop (beside the call screen, or in tests), with its
periodic work: refreshing listeners and pruning old days."""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading

from aiohttp import web

from config.model import Config
from display import hold, push_routes
from display.calendar_poller import CalendarPoller
from display.connlimit import KEEPALIVE_S, ConnectionGuard, GuardedSite, pace
from display.hub import Hub
from display.push import PushWatch
from display.queue import QueueStore
from display.reception import build_reception
from display.routes import build_app
from totem.clock import Clock, SystemClock

log = logging.getLogger(__name__)

REFRESH_S = 15.0  # listeners get the state at least this often ("totem unreachable for N minutes")
DISK_CHECK_S = 1.0  # "disco pieno" shows (and goes) on every console within about this long
PRUNE_EVERY_S = 6 * 3600.0


class HubServer:
    """The hub on its own thread and event loop (beside the call screen, or in tests)."""

    def __init__(self, config: Config, *, host: str | None = None, port: int | None = None,
                 clock: Clock | None = None, always_open: bool = False) -> None:
        """`always_open`: the reception issues tickets at any hour (the demo)."""
        self.config = config
        self.always_open = always_open
        self.host = host or config.hub.listen_host
        self.port = config.hub.listen_port if port is None else port
        self.clock = clock or SystemClock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="hub", daemon=True)
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task[None] | None = None
        self.store: QueueStore | None = None
        self.hub: Hub | None = None
        self.guard: ConnectionGuard | None = None
        self.push: PushWatch | None = None

    def _prune(self) -> None:
        assert self.store is not None
        today = self.clock.now().astimezone(self.store.tz).date()
        pruned = self.store.prune(keep_days=self.config.hub.history_days, today=today)
        if pruned:
            log.info("pruned %d tickets older than %d days", pruned, self.config.hub.history_days)

    async def _tick(self) -> None:
        """Periodic work: refresh listeners (so a silent totem shows as unreachable), prune old days."""
        assert self.hub is not None
        last_prune = asyncio.get_running_loop().time()
        last_refresh = asyncio.get_running_loop().time()
        while True:
            await asyncio.sleep(DISK_CHECK_S)
            self.hub.disk_full()  # tells the consoles when the disk fills or frees, even with no request
            if self.push is not None:  # "nearly your turn" by Web Push (issue 22)
                await self.push.step(self.hub)
            if asyncio.get_running_loop().time() - last_refresh < REFRESH_S:
                continue
            last_refresh = asyncio.get_running_loop().time()
            if await self.hub.db(hold.expire_due, self.hub.store, now=self.clock.now()):
                log.info("held turns expired at closing")
            self.hub.changed()
            if asyncio.get_running_loop().time() - last_prune >= PRUNE_EVERY_S:
                last_prune = asyncio.get_running_loop().time()
                await self.hub.db(self._prune)

    async def _start(self) -> None:
        self.store = QueueStore.in_dir(self.config.hub.data_dir, config=self.config)
        self._prune()
        self.hub = Hub(config=self.config, store=self.store, clock=self.clock)
        if self.config.reception is not None:
            self.hub.reception = build_reception(self.config, self.clock, always_open=self.always_open)
            await self.hub.deliver_reception()  # what the reception issued before a stop reaches the queue
        if self.config.calendar is not None:  # its own thread: the booking server never holds up an answer
            self.hub.calendar = CalendarPoller(hub=self.hub, settings=self.config.calendar,
                                               loop=asyncio.get_running_loop()).start()
        self.push = push_routes.watch(self.hub)
        self._ticker = asyncio.get_running_loop().create_task(self._tick())
        app = build_app(self.hub)
        app.middlewares.insert(0, pace)  # outermost: the answers of a GuardedSite's connections are paced
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, keepalive_timeout=KEEPALIVE_S)
        await self._runner.setup()
        self.guard = ConnectionGuard(per_address=self.config.hub.max_connections_per_address)
        site = GuardedSite(self._runner, self.host, self.port, guard=self.guard, reuse_address=True,
                           ssl_context=self._ssl_context())
        await site.start()
        self.port = site.bound_port
        log.info("hub listening on %s/ (desks: %s)", self.url,
                 ", ".join(d.id for d in self.config.desks))

    def _ssl_context(self) -> ssl.SSLContext | None:
        """HTTPS with the site's own certificate (the totems pin its fingerprint), or None."""
        if self.config.hub.tls_cert is None or self.config.hub.tls_key is None:
            return None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.config.hub.tls_cert, self.config.hub.tls_key)
        return context

    def start(self) -> HubServer:
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=30)
        except BaseException:
            self.close()  # nothing half-started is left running
            raise
        return self

    async def _stop(self) -> None:
        if self.hub is not None and self.hub.calendar is not None:
            await asyncio.to_thread(self.hub.calendar.stop)
        if self.hub is not None:
            self.hub.broker.close_all()  # open event streams end now, not after the shutdown timeout
            await asyncio.sleep(0)
        if self._runner is not None:
            await self._runner.cleanup()
        if self.hub is not None:
            self.hub.close()
            if self.hub.reception is not None:
                self.hub.reception.close()
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:  # open event streams
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if self.store is not None:
            self.store.close()

    def close(self) -> None:
        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=30)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        scheme = "https" if self.config.hub.tls_cert is not None else "http"
        return f"{scheme}://{self.host}:{self.port}"
