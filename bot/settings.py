"""Settings from the environment or `.env`, validated once at start.

Every setting is named after its environment variable. Missing or malformed values become one
`SettingsError` with a line per problem, each naming the variable and saying what to do: an
operator fixes everything in one go instead of one variable per restart.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from babel import Locale, UnknownLocaleError
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError

from bot.subscriptions.orders import PLANS

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/partners-bot.db"
LIVECHAT_RECURLY_PUBLIC_KEY = "ewr1-QCXZap10wOSm13fxI4u5Jt"

UserIds = Annotated[frozenset[str], NoDecode]
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9_]+")


class SettingsError(Exception):
    """Settings are missing or malformed; the message has one line per problem, each naming one."""

    def __init__(self, *problems: str):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


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
    plan_prices: Annotated[dict[str, Decimal], NoDecode] = Field(default_factory=dict)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    digest_check_seconds: float = Field(60.0, ge=0)  # 0 turns the in-process digest scheduler off
    # The HTTP server's limits (bot/web_server.py): slow or idle clients are cut, sockets are capped.
    server_header_timeout: float = Field(10.0, gt=0)
    server_body_timeout: float = Field(10.0, gt=0)
    server_keepalive_timeout: float = Field(75.0, gt=0)  # above common load balancers' 60 s idle
    server_max_connections: int = Field(0, ge=0)  # 0: half the process's open-file limit
    # At shutdown, how long listeners still working after their ack (a subscription, a payout)
    # get to finish before the connections close; under Heroku's 30 s from SIGTERM to SIGKILL.
    shutdown_grace_seconds: float = Field(20.0, ge=0, le=300)

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

    @field_validator("plan_prices", mode="before")
    @classmethod
    def _plan_prices_json(cls, value: object) -> object:
        # Decoded here, not by pydantic-settings, so bad JSON is one problem among the others.
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ValueError('expected JSON, e.g. PLAN_PRICES={"team": 33}') from None
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
        return normalise_database_url(value)

    def missing(self, *names: str) -> list[str]:
        """One line for each of `names` that is not set (blank secrets count as not set)."""
        problems = []
        for name in names:
            value = getattr(self, name.lower())
            if value is None or (isinstance(value, SecretStr) and not value.get_secret_value().strip()):
                problems.append(f"{name.upper()} is not set: {_HOW_TO_SET.get(name.upper(), 'set it')}")
        return problems

    def require(self, *names: str) -> None:
        """Raise `SettingsError` naming every one of `names` that is not set."""
        if problems := self.missing(*names):
            raise SettingsError(*problems) from None

    def sqlite_path(self) -> Path | None:
        """The file behind a SQLite `DATABASE_URL`, or None for other databases."""
        prefix = "sqlite+aiosqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        rest = self.database_url[len(prefix) :]
        return None if rest in ("", ":memory:") else Path(rest)


# What hosting platforms (Heroku, Render, Railway, Fly…) put in DATABASE_URL, and the driver we use.
_POSTGRES_SCHEMES = ("postgres://", "postgresql://", "postgresql+asyncpg://")


def normalise_database_url(value: str) -> str:
    """`postgres://` and `postgresql://` become `postgresql+asyncpg://`; anything unknown is refused."""
    for scheme in _POSTGRES_SCHEMES:
        if value.startswith(scheme):
            return "postgresql+asyncpg://" + value[len(scheme) :]
    if not value.startswith("sqlite+aiosqlite://"):
        raise ValueError(
            "must start with postgres://, postgresql://, postgresql+asyncpg:// or sqlite+aiosqlite://"
        )
    return value


_HOW_TO_SET = {
    "SLACK_BOT_TOKEN": "copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth page into .env",
    "SLACK_SIGNING_SECRET": "copy the Signing Secret from your Slack app's Basic Information page into .env",
    "SLACK_APP_TOKEN": "create an app-level token (xapp-…) with connections:write for Socket Mode",
    "PARTNERS_API_TOKEN": "copy your LiveChat Partner Program API token into .env",
    "VAULT_KEY": "generate one with `partners-bot cards new-key` and put it in .env",
}


def _describe(error: ErrorDetails) -> tuple[str, str]:
    """(field name, one line) for one pydantic error."""
    field = str(error["loc"][0]) if error["loc"] else ""
    message = error["msg"].removeprefix("Value error, ")
    if len(error["loc"]) > 1:  # inside a JSON value: say which key, e.g. PLAN_PRICES' "team"
        message = f"{'.'.join(str(part) for part in error['loc'][1:])}: {message}"
    return field, f"{field.upper() or 'a setting'} is malformed: {message}"


def _source_field(exc: SourceError) -> str:
    found = re.search(r'field "([^"]+)"', str(exc))
    return found.group(1) if found else ""


def load_settings(*, required: tuple[str, ...] = (), **overrides: object) -> Settings:
    """Read settings; every malformed value and every missing `required` name in one `SettingsError`.

    A bad value is reported and replaced by its default for another pass, so the problems after it
    are found too (pydantic-settings stops at the first value that is not JSON).
    """
    problems: list[str] = []
    replaced: dict[str, object] = {}
    for _ in range(len(Settings.model_fields) + 1):
        try:
            settings = Settings(**{**overrides, **replaced})  # type: ignore[arg-type]
        except ValidationError as exc:
            for error in exc.errors():
                field, line = _describe(error)
                problems.append(line)
                replaced[field] = Settings.model_fields[field].get_default(call_default_factory=True)
            continue
        except SourceError as exc:
            # Raised before validation when a complex value (e.g. PLAN_PRICES) is not JSON.
            field = _source_field(exc)
            problems.append(
                f'{field.upper() or "a setting"} is malformed: expected JSON, e.g. PLAN_PRICES={{"team": 33}}'
            )
            if field not in Settings.model_fields or field in replaced:
                raise SettingsError(*problems) from None
            replaced[field] = Settings.model_fields[field].get_default(call_default_factory=True)
            continue
        problems.extend(p for p in settings.missing(*required) if p.split(" ", 1)[0].lower() not in replaced)
        if problems:
            raise SettingsError(*problems) from None
        return settings
    raise SettingsError(*problems) from None
