"""Builds the Bolt app and the aiohttp web application around it. Wiring only."""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.async_app import AsyncApp

from bot import web as web_routes
from bot.services import Services
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
    services.listener_work.attach(app)  # so a shutdown lets post-ack work finish
    register_all(app, services)
    return app


def build_web_app(services: Services, bolt: AsyncApp | None = None) -> web.Application:
    """`POST /slack/events` into Bolt, `GET /healthz`; background work starts with the app, and the
    services (opened by the caller, see `bot.services.open_services`) are closed at shutdown."""
    bolt = bolt or build_bolt_app(services)
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SERVICES_KEY] = services
    app[BOLT_KEY] = bolt
    assert services.settings.slack_signing_secret is not None
    secret = services.settings.slack_signing_secret.get_secret_value()
    web_routes.add_routes(app, bolt, secret, services.db, services.settings.server_body_timeout)

    async def on_startup(app: web.Application) -> None:
        await services.start_background()

    async def on_cleanup(app: web.Application) -> None:
        await services.close()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app
