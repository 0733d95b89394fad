"""`partners-bot serve`: the bot over HTTP (`POST /slack/events`, `GET /healthz`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os

from bot.app import build_web_app
from bot.commands.runtime import bot_settings
from bot.services import open_services
from bot.web_server import ServerLimits, serve_until_stopped

log = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="run the bot over HTTP for Slack's Events/Interactivity URLs"
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("PORT", "3000")), help="default $PORT or 3000"
    )
    parser.set_defaults(func=run)


async def serve(host: str, port: int) -> None:
    settings = bot_settings()
    # Before anything listens: an unreachable database is one line naming DATABASE_URL (raised by
    # open_services), not a traceback from inside the server's start-up.
    services = await open_services(settings)
    app = build_web_app(services)
    log.info("Partners Bot listening on http://%s:%d/slack/events", host, port)
    await serve_until_stopped(app, host, port, ServerLimits.from_settings(settings))


def run(args: argparse.Namespace) -> int:
    asyncio.run(serve(args.host, args.port))
    return 0
