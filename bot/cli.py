"""`partners-bot`: the command line. Each subcommand lives in `bot/commands/`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.commands import COMMAND_MODULES
from bot.settings import SettingsError

# Shown under each subcommand's --help: which settings (environment or .env) it reads.
SETTINGS_NEEDED = {
    "run": "Settings: none for the offline console; with SLACK_BOT_TOKEN it is `serve` (or `socket` "
    "when SLACK_APP_TOKEN is set) and needs what they need.",
    "serve": "Settings: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, PARTNERS_API_TOKEN; also DATABASE_URL, "
    "ADMIN_USER_IDS, ALLOWED_USER_IDS, VAULT_KEY (for /subscribe) and the rest of .env.example.",
    "socket": "Settings: SLACK_BOT_TOKEN, SLACK_APP_TOKEN, PARTNERS_API_TOKEN; also DATABASE_URL, "
    "ADMIN_USER_IDS, ALLOWED_USER_IDS, VAULT_KEY (for /subscribe) and the rest of .env.example.",
    "db": "Settings: DATABASE_URL.",
    "audit": "Settings: DATABASE_URL.",
    "console": "Settings: none; ADMIN_USER_IDS and ALLOWED_USER_IDS are honoured when set.",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partners-bot",
        description="LiveChat's Partner Program in Slack: earnings, campaigns, subscriptions.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.add_parser(subparsers)
    for name, sub in subparsers.choices.items():
        sub.epilog = sub.epilog or SETTINGS_NEEDED.get(name)
        for action in sub._actions:  # actions such as `db upgrade` say what their command needs
            if isinstance(action, argparse._SubParsersAction):
                for child in action.choices.values():
                    child.epilog = child.epilog or sub.epilog
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
