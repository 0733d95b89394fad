"""The aiohttp server with limits a public endpoint needs: slow and idle clients are cut.

aiohttp's own server has no header or body read timeout and no connection cap, so a slowloris
client (headers sent one byte at a time) keeps a socket and a descriptor for as long as it likes;
with enough of them real requests time out. Here every connection gets `header_timeout` seconds to
finish each request's headers, idle keep-alive connections are closed after `keepalive_timeout`,
and past `max_connections` the oldest connection still waiting for headers (or idle) is closed to
make room; only when every connection is busy with a real request is a new one refused.
The body read timeout is applied where the body is read (bot/web.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import signal
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_server import Server

from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerLimits:
    """Timeouts in seconds; `max_connections` open sockets at most."""

    header_timeout: float = 10.0
    body_timeout: float = 10.0
    keepalive_timeout: float = 75.0
    max_connections: int = 0  # 0: derived from the process's descriptor limit

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerLimits:
        return cls(
            header_timeout=settings.server_header_timeout,
            body_timeout=settings.server_body_timeout,
            keepalive_timeout=settings.server_keepalive_timeout,
            max_connections=settings.server_max_connections,
        )

    def connection_cap(self) -> int:
        if self.max_connections > 0:
            return self.max_connections
        return default_connection_cap()


def default_connection_cap() -> int:
    """Half the open-file limit (the rest is for the database, Slack and Partners API sockets)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1000
    return max(16, min(1000, soft // 2))


class _LimitedHandler(RequestHandler):
    """aiohttp's per-connection protocol plus a header deadline and the connection cap."""

    def __init__(self, manager: Server, *, limits: ServerLimits, cap: int, **kwargs: Any):
        # Lingering (reading the rest of a body nobody will use, after an early answer such as the
        # 408) is bounded by the body timeout too: aiohttp's 10 s would be a slowloris of its own.
        super().__init__(
            manager,
            keepalive_timeout=limits.keepalive_timeout,
            lingering_time=min(10.0, limits.body_timeout),
            **kwargs,
        )
        self._header_timeout = limits.header_timeout
        self._cap = cap
        self._header_deadline: asyncio.TimerHandle | None = None

    def waiting_for_headers(self) -> bool:
        """No request is being handled or queued: the connection is idle or mid-headers."""
        return (
            self._current_request is None
            and not self._messages
            and self._waiter is not None
            and not self._waiter.done()
        )

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._arm_header_deadline()
        manager = self._manager
        if manager is None or len(manager.connections) <= self._cap:
            return
        # Over the cap: drop the oldest connection that is not serving a request (a slow or idle
        # client) so real requests keep getting in; refuse this one only if all are busy.
        for other in manager.connections:
            if other is not self and isinstance(other, _LimitedHandler) and other.waiting_for_headers():
                other.force_close()
                return
        log.warning("connection refused: %d connections are all busy", len(manager.connections) - 1)
        self.force_close()

    def data_received(self, data: bytes) -> None:
        had_requests = self._request_count
        super().data_received(data)
        if self._request_count > had_requests:
            self._cancel_header_deadline()  # headers complete; the handler's body timeout takes over
        elif self._header_deadline is None and data:
            self._arm_header_deadline()  # first bytes of the next request on a kept-alive connection

    def connection_lost(self, exc: BaseException | None) -> None:
        self._cancel_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._cancel_header_deadline()
        self._header_deadline = self._loop.call_later(self._header_timeout, self._header_deadline_passed)

    def _cancel_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _header_deadline_passed(self) -> None:
        self._header_deadline = None
        if self.waiting_for_headers():
            self.force_close()


class _LimitedServer(Server):
    def __init__(self, *args: Any, limits: ServerLimits, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._limits = limits
        self._cap = limits.connection_cap()

    def __call__(self) -> RequestHandler:
        return _LimitedHandler(self, limits=self._limits, cap=self._cap, loop=self._loop, **self._kwargs)


class LimitedRunner(web.AppRunner):
    """`web.AppRunner` whose connections are limited by `limits`."""

    def __init__(self, app: web.Application, limits: ServerLimits, **kwargs: Any):
        super().__init__(app, **kwargs)
        self.limits = limits

    async def _make_server(self) -> Server:
        # What `web.AppRunner._make_server` does (aiohttp 3.9-3.14), with our Server class.
        loop = asyncio.get_running_loop()
        app = self.app
        app._set_loop(loop)
        app.on_startup.freeze()
        await app.startup()
        app.freeze()
        return _LimitedServer(
            app._handle,
            request_factory=app._make_request,
            loop=loop,
            limits=self.limits,
            **self._kwargs,
        )


async def serve_until_stopped(app: web.Application, host: str, port: int, limits: ServerLimits) -> None:
    """Listen on host:port until SIGTERM/SIGINT, then shut down cleanly (in-flight requests finish)."""
    runner = LimitedRunner(app, limits, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):  # Windows: no loop signal handlers
                loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        log.info("Partners Bot stopping")
    finally:
        await runner.cleanup()
