"""Subcommands of `partners-bot`; each module has `add_parser(subparsers)`."""

from bot.commands import db, sandbox, serve, socket

COMMAND_MODULES = [serve, socket, sandbox, db]
