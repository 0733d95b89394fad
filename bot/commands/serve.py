"""`partners-bot serve`: the bot over HTTP (`POST /slack/events`, `GET /healthz`)."""

from __future__ import annotations

import argparse
import logging
import os

from aiohttp import web

from bot.app import build_web_app
from bot.commands.runtime import bot_settings
from bot.deps import build_deps

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


def run(args: argparse.Namespace) -> int:
    settings = bot_settings()
    deps = build_deps(settings)
    app = build_web_app(deps)
    log.info("Partners Bot listening on http://%s:%d/slack/events", args.host, args.port)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)
    return 0
