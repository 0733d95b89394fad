"""The HTTP endpoints: `POST /slack/events` (gate, then Bolt) and `GET /healthz`.

Every request to /slack/events passes bot/slack/inbound.py's gate (signature, content type, JSON
depth, payload shape) before Bolt parses it; whatever still goes wrong inside Bolt's dispatch is
answered with a short JSON error and one log line, never aiohttp's HTML 500 page.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from sqlalchemy import text

from bot.slack import inbound
from bot.storage import Database

log = logging.getLogger(__name__)

HEALTH_DB_TIMEOUT = 3.0  # a health check must answer quickly even when the database hangs


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def events_handler(bolt: AsyncApp, signing_secret: str, body_timeout: float) -> Handler:
    """The `POST /slack/events` handler."""

    async def slack_events(request: web.Request) -> web.StreamResponse:
        try:
            async with asyncio.timeout(body_timeout):
                raw = await request.read()  # over client_max_size → 413 before anything else
        except TimeoutError:
            log.info("refused a request to /slack/events: body not received within %.0fs", body_timeout)
            return web.json_response({"error": "request body timeout"}, status=408)
        # Authenticate the raw bytes before parsing anything (see bot/slack/inbound.py).
        rejection = inbound.check_signature(signing_secret, request.headers, raw)
        body = None
        if rejection is None:
            body, rejection = inbound.check_body(request.content_type, raw)
        if rejection is not None or body is None:
            assert rejection is not None
            log.info("refused a request to /slack/events: %s", rejection.reason)
            return web.json_response({"error": rejection.reason}, status=rejection.status)
        try:
            # Bolt parses the body and builds its context in the request's constructor: guarded too.
            bolt_request = AsyncBoltRequest(
                body=body, query=request.query_string, headers=inbound.forwarded_headers(request.headers)
            )
            bolt_response = await bolt.async_dispatch(bolt_request)
            return await to_aiohttp_response(bolt_response)
        except Exception as exc:
            # Last resort: the gate should have refused whatever got here. One line, no traceback
            # (it could quote the payload), and a clean answer for Slack.
            log.error("Bolt failed on a request to /slack/events: %s", type(exc).__name__)
            return web.json_response({"error": "the request could not be handled"}, status=500)

    return slack_events


def healthz_handler(db: Database | None) -> Handler:
    """`GET /healthz`: 200 with uptime when the database answers, 503 naming the problem otherwise."""
    started = time.monotonic()

    async def healthz(request: web.Request) -> web.Response:
        uptime = round(time.monotonic() - started, 1)
        if db is not None:
            try:
                async with asyncio.timeout(HEALTH_DB_TIMEOUT):
                    async with db.autocommit() as connection:
                        await connection.execute(text("SELECT 1"))
            except Exception as exc:
                log.warning("health check: the database is unreachable (%s)", type(exc).__name__)
                return web.json_response(
                    {"status": "unavailable", "database": "unreachable", "uptime_seconds": uptime}, status=503
                )
        return web.json_response({"status": "ok", "uptime_seconds": uptime})

    return healthz


def add_routes(
    app: web.Application, bolt: AsyncApp, signing_secret: str, db: Database | None, body_timeout: float
) -> None:
    """Register `POST /slack/events` and `GET /healthz` on `app`."""
    app.router.add_post("/slack/events", events_handler(bolt, signing_secret, body_timeout))
    app.router.add_get("/healthz", healthz_handler(db))
