"""`partners-bot run` (`make run`): the console without Slack credentials, else the real bot."""

from __future__ import annotations

import argparse
import os

from bot.commands import console, serve, socket
from bot.settings import load_settings

OFFLINE_NOTE = (
    "No SLACK_BOT_TOKEN: this is the offline console (sandbox Partners API + stand-in Slack). "
    "To connect a real workspace put SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and PARTNERS_API_TOKEN "
    "(plus SLACK_APP_TOKEN for Socket Mode) in .env and run `make run` again."
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run the bot: Socket Mode with SLACK_APP_TOKEN, HTTP with SLACK_BOT_TOKEN, else the console",
    )
    parser.add_argument("--host", default="127.0.0.1", help="HTTP interface (default 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PORT", "3000")),
        help="HTTP port (default $PORT or 3000)",
    )
    console.add_console_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()  # a SettingsError propagates: the CLI prints one line, exit 2
    token = settings.slack_bot_token.get_secret_value().strip() if settings.slack_bot_token else ""
    if not token:
        print(OFFLINE_NOTE, flush=True)
        return console.run(args)
    app_token = settings.slack_app_token.get_secret_value().strip() if settings.slack_app_token else ""
    if app_token:
        return socket.run(args)
    return serve.run(args)
