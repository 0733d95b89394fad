"""`partners-bot db upgrade`: apply database migrations (the bot also does it at start).

Hosts with a release phase (Heroku's `release:` in the Procfile) run this once per deploy, before
any new process starts; the migration lock (bot/storage/db.py) keeps it safe alongside replicas.
"""

from __future__ import annotations

import argparse
import asyncio

from bot.commands.runtime import reach_database
from bot.settings import load_settings
from bot.storage import Database


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("db", help="database maintenance")
    actions = parser.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="apply every pending migration")
    upgrade.set_defaults(func=run_upgrade)


async def upgrade(url: str) -> None:
    db = Database(url)
    await reach_database(db)
    try:
        await db.upgrade()
    finally:
        await db.close()


def run_upgrade(args: argparse.Namespace) -> int:
    settings = load_settings()
    asyncio.run(upgrade(settings.database_url))
    print(f"database is up to date ({settings.database_url.split('://', 1)[0]})")
    return 0
