"""Builds the Bolt app and the aiohttp web application around it. Wiring only."""

from __future__ import annotations

import logging
import time

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from handlers import register_all

log = logging.getLogger(__name__)

DEPS_KEY = web.AppKey("deps", Deps)
BOLT_KEY = web.AppKey("bolt", AsyncApp)
MAX_BODY_BYTES = 512 * 1024  # Slack payloads are far smaller; anything bigger is refused with 413.


def build_bolt_app(deps: Deps) -> AsyncApp:
    """The Bolt app: signature verification always on, every listener registered."""
    settings = deps.settings
    settings.require("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN")
    assert settings.slack_signing_secret is not None and settings.slack_bot_token is not None
    app = AsyncApp(
        client=deps.slack,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        request_verification_enabled=True,
        logger=logging.getLogger("slack_bolt"),
    )
    register_all(app, deps)
    return app


def build_web_app(deps: Deps, bolt: AsyncApp | None = None) -> web.Application:
    """`POST /slack/events` into Bolt, `GET /healthz`; deps open at startup and close at shutdown."""
    bolt = bolt or build_bolt_app(deps)
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[DEPS_KEY] = deps
    app[BOLT_KEY] = bolt
    started = time.monotonic()

    async def slack_events(request: web.Request) -> web.Response:
        bolt_request = await to_bolt_request(request)
        bolt_response = await bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "uptime_seconds": round(time.monotonic() - started, 1)})

    async def on_startup(app: web.Application) -> None:
        await deps.start()

    async def on_cleanup(app: web.Application) -> None:
        await deps.close()

    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app
