"""`partners-bot console`: try the whole bot offline (sandbox Partners API + stand-in Slack)."""

from __future__ import annotations

import argparse

from bot.console.repl import DEFAULT_CHANNEL, DEFAULT_USER


def add_console_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", default=DEFAULT_USER, help="acting (and admin) user id (default U_ADMIN)")
    parser.add_argument("--channel", default=DEFAULT_CHANNEL, help="channel of commands (default C_GENERAL)")
    parser.add_argument(
        "--db",
        default=None,
        help="SQLite file to keep between runs, e.g. data/console.db (default: temporary)",
    )
    parser.add_argument("--shape", choices=["today", "2018"], default="today", help="sandbox earnings shape")
    parser.add_argument("--latency", type=float, default=0.0, help="sandbox delay per answer, seconds")
    parser.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"])


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "console", help="run the real bot offline and talk to it from the terminal (no Slack needed)"
    )
    add_console_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.console.repl import run_console

    return run_console(
        user_id=getattr(args, "user", DEFAULT_USER),
        channel_id=getattr(args, "channel", DEFAULT_CHANNEL),
        database=getattr(args, "db", None),
        shape=getattr(args, "shape", "today"),
        latency=getattr(args, "latency", 0.0),
        log_level=getattr(args, "log_level", "WARNING"),
    )
