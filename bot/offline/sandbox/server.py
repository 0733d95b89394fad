"""Assemble and run the sandbox: one aiohttp app serving the Partners API and Recurly's token URL.

``start_sandbox`` is for tests and benchmarks (in-process, free port, closes fast even with hung
requests); ``serve_sandbox`` is the blocking entry point behind ``partners-bot sandbox --port``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.offline.sandbox.middleware import sandbox_middleware
from bot.offline.sandbox.partners_api import add_partners_routes
from bot.offline.sandbox.recurly_api import TEST_CARDS, add_recurly_routes
from bot.offline.sandbox.reports import add_report_routes
from bot.offline.sandbox.state import (
    EARNINGS_SHAPES,
    LIVECHAT_RECURLY_KEY,
    SANDBOX_STATE,
    EarningsShape,
    SandboxState,
    SandboxWorld,
)

logger = logging.getLogger("bot.offline.sandbox")


@dataclass
class SandboxOptions:
    """How to build a sandbox. ``token=None`` accepts any non-empty bearer token."""

    token: str | None = "sandbox-token"
    recurly_public_key: str = LIVECHAT_RECURLY_KEY
    earnings_shape: EarningsShape = "today"
    latency: float = 0.0
    seed: int = 0
    # Epoch seconds the sandbox lives at (trial ends, expiry); None: the wall clock. A test on a
    # manual clock passes the same clock here, so the bot and the API agree on what "now" is.
    clock: Callable[[], float] | None = None
    # A saved world to start from instead of the demo data (`SandboxState.world()`, e.g. the
    # console's last run). Without one, the demo data is dated `days_advanced` days ahead of the
    # clock, so it matches a caller whose own clock has already moved on that far.
    world: SandboxWorld | None = None
    days_advanced: int = 0


def create_sandbox_app(options: SandboxOptions | None = None) -> web.Application:
    """Build the app; its ``SandboxState`` (demo data, or ``options.world``) is at ``app[SANDBOX_STATE]``."""
    options = options or SandboxOptions()
    if options.earnings_shape not in EARNINGS_SHAPES:
        raise ValueError(f"earnings_shape must be one of {EARNINGS_SHAPES}, not {options.earnings_shape!r}")
    app = web.Application(middlewares=[sandbox_middleware])
    app[SANDBOX_STATE] = SandboxState(
        token=options.token,
        recurly_public_key=options.recurly_public_key,
        earnings_shape=options.earnings_shape,
        latency=options.latency,
        seed=options.seed,
        wall=options.clock or time.time,
        days_advanced=max(0, options.days_advanced),
    )
    if options.world is not None:
        app[SANDBOX_STATE].restore(options.world)
    add_report_routes(app)
    add_partners_routes(app)
    add_recurly_routes(app)
    return app


class _PathOnlyAccessLogger(AbstractAccessLogger):
    """Access log without query strings: Recurly's query carries card numbers."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s -> %s (%.0f ms)", request.method, request.path, response.status, time * 1000)


@dataclass
class RunningSandbox:
    """A sandbox listening on ``url``; use ``state`` to instrument it and ``close()`` to stop it."""

    url: str
    state: SandboxState
    runner: web.AppRunner

    async def close(self) -> None:
        """Stop listening; pending hangs and latency sleeps end immediately."""
        self.state.closing.set()
        await self.runner.cleanup()

    async def __aenter__(self) -> RunningSandbox:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


async def start_sandbox(
    host: str = "127.0.0.1",
    port: int = 0,
    options: SandboxOptions | None = None,
    *,
    access_log: bool = False,
) -> RunningSandbox:
    """Start a sandbox in the running loop; ``port=0`` picks a free port."""
    app = create_sandbox_app(options)
    runner = web.AppRunner(
        app,
        shutdown_timeout=1.0,
        access_log=logger if access_log else None,
        access_log_class=_PathOnlyAccessLogger,
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    url_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    return RunningSandbox(url=f"http://{url_host}:{bound_port}", state=app[SANDBOX_STATE], runner=runner)


def banner(sandbox: RunningSandbox) -> str:
    """The one line that tells a developer how to use a running sandbox."""
    token = sandbox.state.token if sandbox.state.token is not None else "<any bearer token>"
    cards = "; ".join(f"{number} {outcome}" for number, outcome in TEST_CARDS.items())
    return (
        f"Partners API sandbox listening on {sandbox.url} (Partners API /v2/partners, Recurly /js/v1/token) "
        f"— token: {token} — test cards: {cards}"
    )


async def _serve(host: str, port: int, options: SandboxOptions) -> None:
    sandbox = await start_sandbox(host, port, options, access_log=True)
    logger.info("%s", banner(sandbox))
    stop = asyncio.Event()
    with contextlib.suppress(NotImplementedError, RuntimeError):  # no signal handlers on Windows
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await stop.wait()
    finally:
        await sandbox.close()


def serve_sandbox(host: str, port: int, options: SandboxOptions) -> None:
    """Run the sandbox until interrupted (Ctrl-C); blocking, for the CLI.

    Configures basic INFO logging only if nobody has configured logging, so the banner is seen.
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(host, port, options))
