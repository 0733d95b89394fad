"""What the long-running commands share: settings checked up front, logging with redaction."""

from __future__ import annotations

from bot.logs import setup_logging
from bot.settings import Settings, load_settings

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
    """Load settings, require what a running bot needs, and set up redacted logging."""
    settings = load_settings()
    settings.require(*BOT_SETTINGS, *extra_required)
    setup_logging(settings.log_level, secrets_of(settings))
    return settings
