"""What the long-running commands share: settings checked up front, logging with redaction."""

from __future__ import annotations

from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings
from bot.storage import Database
from bot.vault import VaultKeyError, vault_cipher

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
