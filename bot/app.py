"""Builds the Bolt app and the aiohttp web application around it. Wiring only."""

from __future__ import annotations

import logging
import time

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.services import Services
from bot.slack import inbound
from handlers import register_all

log = logging.getLogger(__name__)

SERVICES_KEY = web.AppKey("services", Services)
BOLT_KEY = web.AppKey("bolt", AsyncApp)
MAX_BODY_BYTES = 512 * 1024  # Slack payloads are far smaller; anything bigger is refused with 413.


class _DropMessage(logging.Filter):
    def __init__(self, fragment: str):
        super().__init__()
        self.fragment = fragment

    def filter(self, record: logging.LogRecord) -> bool:
        return self.fragment not in record.getMessage()


def build_bolt_app(services: Services) -> AsyncApp:
    """The Bolt app: signature verification always on, every listener registered."""
    settings = services.settings
    settings.require("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN")
    assert settings.slack_signing_secret is not None and settings.slack_bot_token is not None
    bolt_logger = logging.getLogger("slack_bolt")
    # Bolt reads SLACK_BOT_TOKEN from the environment on its own and then warns that our client
    # (built from that same token) takes priority: true, expected, and only noise in the log.
    quiet = _DropMessage("`token` will be unused")
    bolt_logger.addFilter(quiet)
    try:
        app = AsyncApp(
            client=services.slack,
            signing_secret=settings.slack_signing_secret.get_secret_value(),
            request_verification_enabled=True,
            logger=bolt_logger,
        )
    finally:
        bolt_logger.removeFilter(quiet)
    register_all(app, services)
    return app


def build_web_app(services: Services, bolt: AsyncApp | None = None) -> web.Application:
    """`POST /slack/events` into Bolt, `GET /healthz`; background work starts with the app, and the
    services (opened by the caller, see `bot.services.open_services`) are closed at shutdown."""
    bolt = bolt or build_bolt_app(services)
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SERVICES_KEY] = services
    app[BOLT_KEY] = bolt
    started = time.monotonic()

    assert services.settings.slack_signing_secret is not None
    secret = services.settings.slack_signing_secret.get_secret_value()

    async def slack_events(request: web.Request) -> web.Response:
        raw = await request.read()  # over client_max_size → 413 before anything else
        # Authenticate the raw bytes before parsing anything (see bot/slack/inbound.py).
        rejection = inbound.check_signature(secret, request.headers, raw)
        text = None
        if rejection is None:
            text, rejection = inbound.check_body(request.content_type, raw)
        if rejection is not None or text is None:
            assert rejection is not None
            log.info("refused a request to /slack/events: %s", rejection.reason)
            return web.json_response({"error": rejection.reason}, status=rejection.status)
        bolt_request = AsyncBoltRequest(
            body=text, query=request.query_string, headers=inbound.forwarded_headers(request.headers)
        )
        bolt_response = await bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "uptime_seconds": round(time.monotonic() - started, 1)})

    async def on_startup(app: web.Application) -> None:
        await services.start_background()

    async def on_cleanup(app: web.Application) -> None:
        await services.close()

    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app
