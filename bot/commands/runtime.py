"""What the long-running commands share: settings checked up front, logging with redaction."""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO, TypeVar

from bot.clock import Clock
from bot.logs import setup_logging
from bot.partners.errors import PartnersError
from bot.services import Services, open_services
from bot.settings import Settings, SettingsError, load_settings
from bot.storage import Database
from bot.vault import VaultKeyError, vault_cipher

R = TypeVar("R")

BOT_SETTINGS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PARTNERS_API_TOKEN")


def secrets_of(settings: Settings) -> list[str]:
    values = [
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_app_token,
        settings.partners_api_token,
        settings.vault_key,
    ]
    return [v.get_secret_value() for v in values if v is not None]


def bot_settings(*extra_required: str) -> Settings:
    """Load settings, require what a running bot needs, and set up redacted logging.

    Every problem is reported at once (one line each), a set `VAULT_KEY` included: a malformed key
    must stop the bot now, not fail the first subscription hours later.
    """
    settings = load_settings(required=(*BOT_SETTINGS, *extra_required))
    if settings.vault_key is not None and settings.vault_key.get_secret_value().strip():
        try:
            vault_cipher(settings.vault_key)
        except VaultKeyError as exc:
            raise SettingsError(str(exc)) from None
    setup_logging(settings.log_level, secrets_of(settings))
    return settings


async def reach_database(db: Database) -> None:
    """`SettingsError` naming DATABASE_URL, in one line, when the database cannot be reached."""
    problem = await db.unreachable()
    if problem is not None:
        await db.close()
        raise SettingsError(f"DATABASE_URL: {problem}")


def cron_settings(dry_run: bool) -> Settings:
    """Settings for a one-shot `digest run` / `alerts run`: Slack only when posting, quiet migrations."""
    settings = load_settings()
    settings.require("PARTNERS_API_TOKEN", *(() if dry_run else ("SLACK_BOT_TOKEN",)))
    setup_logging(settings.log_level, secrets_of(settings))
    if settings.log_level != "DEBUG":
        # Migrations run first; their INFO lines would bury the report (or cron's one line).
        logging.getLogger("alembic").setLevel(logging.WARNING)
    return settings


def print_channel_problems(failed: dict[str, str], disabled: dict[str, str], out: TextIO) -> None:
    """One line per channel that failed or was switched off in a run."""
    for channel, error in sorted(failed.items()):
        print(f"  {channel}: failed — {error}", file=out)
    for channel, error in sorted(disabled.items()):
        print(f"  {channel}: disabled — {error}", file=out)


async def one_run(
    settings: Settings,
    clock: Clock | None,
    run: Callable[[Services], Awaitable[R]],
    cannot_read: str,
) -> R | None:
    """`run` once over the real services (no scheduler), for cron. None, after one line on stderr,
    when LiveChat could not be read (only a dry run lets that through: a real run records it)."""
    services = await open_services(settings, clock=clock)
    try:
        return await run(services)
    except PartnersError as exc:
        print(f"{cannot_read}: {exc.message}", file=sys.stderr)
        return None
    finally:
        await services.close()
