"""`partners-bot`: the command line. Each subcommand lives in `bot/commands/`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.commands import COMMAND_MODULES
from bot.settings import SettingsError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partners-bot",
        description="LiveChat's Partner Program in Slack: earnings, campaigns, subscriptions.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a subcommand; a settings problem is one line on stderr and exit status 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SettingsError as exc:
        for problem in exc.problems:  # one line each, so an operator fixes them all in one go
            print(f"partners-bot: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
