"""Subcommands of `partners-bot`; each module has `add_parser(subparsers)`."""

from bot.commands import alerts, audit, cards, console, db, digest, run, sandbox, serve, socket

COMMAND_MODULES = [run, console, serve, socket, sandbox, db, digest, alerts, cards, audit]
