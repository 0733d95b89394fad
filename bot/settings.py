"""Settings from the environment or `.env`, validated once at start.

Every setting is named after its environment variable. A missing or malformed value becomes a
`SettingsError` whose one-line message names the variable and says what to do.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from babel import Locale, UnknownLocaleError
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError

from bot.subscriptions.orders import PLANS

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/partners-bot.db"
LIVECHAT_RECURLY_PUBLIC_KEY = "ewr1-QCXZap10wOSm13fxI4u5Jt"

UserIds = Annotated[frozenset[str], NoDecode]
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9_]+")


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


def _split_ids(value: object) -> object:
    if isinstance(value, str):
        ids = [part.strip() for part in value.replace(";", ",").split(",")]
        # Slack compares ids exactly: a name or a lower-case id would silently never match anyone.
        bad = [i for i in ids if i and not SLACK_USER_ID.fullmatch(i)]
        if bad:
            raise ValueError(
                f"not a Slack user id: {bad[0]!r} (expected e.g. U012ABCDEF; "
                "in Slack: profile → ⋮ → Copy member ID)"
            )
        return frozenset(i for i in ids if i)
    return value


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")) or len(value) < 10:
        raise ValueError("must be an http(s) URL")
    return value


class Settings(BaseSettings):
    """Everything Partners Bot reads from its environment."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        env_ignore_empty=True,
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    partners_api_token: SecretStr | None = None
    partners_api_url: str = "https://api.livechatinc.com"
    partners_connect_timeout: float = Field(3.0, gt=0)
    partners_timeout: float = Field(10.0, gt=0)
    partners_cache_seconds: float = Field(30.0, ge=0)
    partners_subscription_path: Literal["current", "2018"] = "current"
    recurly_api_url: str = "https://api.recurly.com"
    recurly_public_key: str = LIVECHAT_RECURLY_PUBLIC_KEY
    database_url: str = DEFAULT_DATABASE_URL
    vault_key: SecretStr | None = None
    admin_user_ids: UserIds = frozenset()
    allowed_user_ids: UserIds = frozenset()
    locale: str = "en_US"
    plan_prices: dict[str, Decimal] = Field(default_factory=dict)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    digest_check_seconds: float = Field(60.0, ge=0)  # 0 turns the in-process digest scheduler off

    _split = field_validator("admin_user_ids", "allowed_user_ids", mode="before")(_split_ids)

    @field_validator("slack_api_url", "partners_api_url", "recurly_api_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = _http_url(value)
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _slack_api_trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("locale")
    @classmethod
    def _check_locale(cls, value: str) -> str:
        try:
            Locale.parse(value)
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError(f"unknown locale {value!r} (expected e.g. en_US, de_DE, pl_PL)") from exc
        return value

    @field_validator("plan_prices")
    @classmethod
    def _check_plan_prices(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        # A misspelt plan ("Team", "pro") would silently show no price in /subscribe.
        for plan, price in value.items():
            if plan not in PLANS:
                raise ValueError(f'unknown plan {plan!r} (expected {", ".join(PLANS)}), e.g. {{"team": 33}}')
            if not price.is_finite() or price <= 0:
                raise ValueError(f"the {plan} price must be a positive amount per seat per month")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    def require(self, *names: str) -> None:
        """Raise `SettingsError` naming the first of `names` that is not set."""
        for name in names:
            value = getattr(self, name.lower())
            if value is None or (isinstance(value, SecretStr) and not value.get_secret_value().strip()):
                raise SettingsError(f"{name.upper()} is not set: {_HOW_TO_SET.get(name.upper(), 'set it')}")

    def sqlite_path(self) -> Path | None:
        """The file behind a SQLite `DATABASE_URL`, or None for other databases."""
        prefix = "sqlite+aiosqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        rest = self.database_url[len(prefix) :]
        return None if rest in ("", ":memory:") else Path(rest)


_HOW_TO_SET = {
    "SLACK_BOT_TOKEN": "copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth page into .env",
    "SLACK_SIGNING_SECRET": "copy the Signing Secret from your Slack app's Basic Information page into .env",
    "SLACK_APP_TOKEN": "create an app-level token (xapp-…) with connections:write for Socket Mode",
    "PARTNERS_API_TOKEN": "copy your LiveChat Partner Program API token into .env",
    "VAULT_KEY": "generate one with `partners-bot cards new-key` and put it in .env",
}


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's report into a one-line `SettingsError`."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "a setting"
        message = first["msg"].removeprefix("Value error, ")
        if len(first["loc"]) > 1:  # inside a JSON value: say which key, e.g. PLAN_PRICES' "team"
            message = f"{'.'.join(str(part) for part in first['loc'][1:])}: {message}"
        raise SettingsError(f"{name} is malformed: {message}") from None
    except SourceError as exc:
        # pydantic-settings fails before validation when a complex value (e.g. PLAN_PRICES) is not JSON.
        found = re.search(r'field "([^"]+)"', str(exc))
        name = found.group(1).upper() if found else "a setting"
        raise SettingsError(f'{name} is malformed: expected JSON, e.g. PLAN_PRICES={{"team": 33}}') from None
