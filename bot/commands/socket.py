"""`partners-bot socket`: the bot over Socket Mode (no public URL needed)."""

from __future__ import annotations

import argparse
import asyncio
import logging

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.app import build_bolt_app
from bot.commands.runtime import bot_settings
from bot.deps import build_deps

log = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("socket", help="run the bot over Socket Mode (needs SLACK_APP_TOKEN)")
    parser.set_defaults(func=run)


async def serve_socket_mode() -> None:
    settings = bot_settings("SLACK_APP_TOKEN")
    assert settings.slack_app_token is not None
    deps = build_deps(settings)
    bolt = build_bolt_app(deps)
    await deps.start()
    handler = AsyncSocketModeHandler(bolt, settings.slack_app_token.get_secret_value())
    try:
        log.info("Partners Bot connecting to Slack over Socket Mode")
        await handler.start_async()
    finally:
        await handler.close_async()
        await deps.close()


def run(args: argparse.Namespace) -> int:
    asyncio.run(serve_socket_mode())
    return 0
