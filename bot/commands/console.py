"""`partners-bot console`: try the whole bot offline (sandbox Partners API + stand-in Slack)."""

from __future__ import annotations

import argparse

from bot.offline.console.repl import DEFAULT_CHANNEL, DEFAULT_USER
from bot.offline.console.saved import DEFAULT_DATABASE


def add_console_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user",
        default=DEFAULT_USER,
        help="acting user id; the admin too unless ADMIN_USER_IDS is set (default: %(default)s)",
    )
    parser.add_argument(
        "--channel", default=DEFAULT_CHANNEL, help="channel of commands (default: %(default)s)"
    )
    parser.add_argument(
        "--db",
        default=None,
        help=f"SQLite file the console keeps between runs (default: {DEFAULT_DATABASE})",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="forget the kept state (digests, audit, clock) and start clean"
    )
    parser.add_argument(
        "--shape",
        choices=["today", "2018"],
        default="today",
        help="sandbox earnings shape (default: %(default)s)",
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="sandbox delay per answer, seconds (default: %(default)s)"
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="(default: %(default)s)",
    )


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "console",
        help="run the real bot offline and talk to it from the terminal (no Slack needed)",
        description="The whole bot against a local sandbox and a stand-in Slack. Needs no setting; "
        "reads only ADMIN_USER_IDS and ALLOWED_USER_IDS (from the environment or .env), so access "
        "control can be tried.",
    )
    add_console_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.offline.console.repl import run_console

    return run_console(
        user_id=getattr(args, "user", DEFAULT_USER),
        channel_id=getattr(args, "channel", DEFAULT_CHANNEL),
        database=getattr(args, "db", None),
        fresh=getattr(args, "fresh", False),
        shape=getattr(args, "shape", "today"),
        latency=getattr(args, "latency", 0.0),
        log_level=getattr(args, "log_level", "WARNING"),
    )
