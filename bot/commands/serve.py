"""`partners-bot serve`: the bot over HTTP (`POST /slack/events`, `GET /healthz`)."""

from __future__ import annotations

import argparse
import logging
import os

from aiohttp import web

from bot.app import build_web_app
from bot.commands.runtime import bot_settings
from bot.services import open_services
from bot.settings import Settings

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


async def web_app(settings: Settings) -> web.Application:
    # Inside run_app's loop: the services' HTTP session and database engine belong to that loop.
    return build_web_app(await open_services(settings))


def run(args: argparse.Namespace) -> int:
    settings = bot_settings()
    log.info("Partners Bot listening on http://%s:%d/slack/events", args.host, args.port)
    web.run_app(web_app(settings), host=args.host, port=args.port, print=None, access_log=None)
    return 0
