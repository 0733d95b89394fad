"""The console's settings: the defaults, the access lists typed on the command line, a demo vault key."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from bot.offline.console.demo import DEMO_PLAN_PRICES
from bot.settings import Settings

DEFAULT_USER = "U_ADMIN"
# Set by start_local_stack itself: never override them with defaults.
_STACK_KEYS = frozenset(
    {
        "slack_bot_token",
        "slack_signing_secret",
        "slack_api_url",
        "partners_api_token",
        "partners_api_url",
        "recurly_api_url",
    }
)


def console_settings_overrides(
    database_url: str,
    admin: str = DEFAULT_USER,
    *,
    admins: Collection[str] = (),
    allowed: Collection[str] = (),
    vault_key: str | None = None,
) -> dict[str, Any]:
    """Every setting explicitly (defaults), so nothing else leaks in from the environment or `.env`.

    Only who may do what does: `admins` (ADMIN_USER_IDS; `admin` when empty) and `allowed`
    (ALLOWED_USER_IDS), so access control can be tried in the console.
    """
    values: dict[str, Any] = {}
    for name, info in Settings.model_fields.items():
        if name not in _STACK_KEYS:
            values[name] = info.get_default(call_default_factory=True)
    values.update(
        database_url=database_url,
        admin_user_ids=frozenset(admins) or frozenset({admin}),
        allowed_user_ids=frozenset(allowed),
        slack_app_token=None,
        log_level="WARNING",
        vault_key=vault_key or new_vault_key(),
        plan_prices=DEMO_PLAN_PRICES,
    )
    return values


def new_vault_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()
