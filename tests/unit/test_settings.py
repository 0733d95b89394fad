"""Settings from the environment and `.env`, and the CLI's one-line contract for bad settings."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.settings import DEFAULT_DATABASE_URL, Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]
VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "PARTNERS_API_TOKEN",
    "PARTNERS_API_URL",
    "PARTNERS_CONNECT_TIMEOUT",
    "PARTNERS_TIMEOUT",
    "PARTNERS_CACHE_SECONDS",
    "PARTNERS_SUBSCRIPTION_PATH",
    "RECURLY_API_URL",
    "RECURLY_PUBLIC_KEY",
    "DATABASE_URL",
    "VAULT_KEY",
    "ADMIN_USER_IDS",
    "ALLOWED_USER_IDS",
    "LOCALE",
    "PLAN_PRICES",
    "LOG_LEVEL",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults():
    settings = load_settings()
    assert settings.slack_bot_token is None
    assert settings.partners_api_token is None
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.partners_api_url == "https://api.livechatinc.com"
    assert settings.partners_cache_seconds == 30.0
    assert settings.partners_timeout == 10.0
    assert settings.partners_connect_timeout == 3.0
    assert settings.partners_subscription_path == "current"
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.admin_user_ids == frozenset()
    assert settings.allowed_user_ids == frozenset()
    assert settings.locale == "en_US"
    assert settings.plan_prices == {}
    assert settings.log_level == "INFO"


def test_values_from_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-abc")
    monkeypatch.setenv("PARTNERS_CACHE_SECONDS", "12.5")
    monkeypatch.setenv("PARTNERS_SUBSCRIPTION_PATH", "2018")
    monkeypatch.setenv("LOCALE", "de_DE")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("PLAN_PRICES", '{"team": "33.5", "business": 59}')
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot@db/partners")
    settings = load_settings()
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-1-2-abc"
    assert settings.partners_cache_seconds == 12.5
    assert settings.partners_subscription_path == "2018"
    assert settings.locale == "de_DE"
    assert settings.log_level == "DEBUG"
    assert settings.plan_prices == {"team": Decimal("33.5"), "business": Decimal("59")}
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.database_url == "postgresql+asyncpg://bot@db/partners"
    assert settings.sqlite_path() is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("U012ABCDEF", {"U012ABCDEF"}),
        ("U1,U2", {"U1", "U2"}),
        (" U1 , U2 ,, U3 ", {"U1", "U2", "U3"}),
        ("U1;U2", {"U1", "U2"}),
        ("", set()),
    ],
)
def test_user_id_lists(monkeypatch: pytest.MonkeyPatch, raw: str, expected: set[str]):
    monkeypatch.setenv("ADMIN_USER_IDS", raw)
    monkeypatch.setenv("ALLOWED_USER_IDS", raw)
    settings = load_settings()
    assert settings.admin_user_ids == frozenset(expected)
    assert settings.allowed_user_ids == frozenset(expected)


def test_user_id_list_from_override():
    assert load_settings(admin_user_ids="U_ADMIN,U_OTHER").admin_user_ids == {"U_ADMIN", "U_OTHER"}


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LOCALE", "xx_YY"),
        ("LOCALE", "not a locale"),
        ("PARTNERS_CACHE_SECONDS", "abc"),
        ("PARTNERS_CACHE_SECONDS", "-1"),
        ("PARTNERS_TIMEOUT", "0"),
        ("DATABASE_URL", "mysql://localhost/db"),
        ("DATABASE_URL", "sqlite:///plain.db"),
        ("SLACK_API_URL", "slack.com/api"),
        ("SLACK_API_URL", "ftp://slack.com/api/"),
        ("PARTNERS_API_URL", "localhost:8080"),
        ("PARTNERS_SUBSCRIPTION_PATH", "2019"),
        ("LOG_LEVEL", "LOUD"),
        ("ADMIN_USER_IDS", "U1,<@U2>"),
        ("PLAN_PRICES", "{not json"),
        ("PLAN_PRICES", '{"team": "cheap"}'),
    ],
)
def test_malformed_value_is_one_line_naming_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(f"{variable} is malformed")
    assert "\n" not in message
    assert "Traceback" not in message
    assert len(message) < 300


def test_malformed_json_is_our_settings_error_not_pydantic_settings(monkeypatch: pytest.MonkeyPatch):
    import pydantic_settings

    monkeypatch.setenv("PLAN_PRICES", "[[[")
    with pytest.raises(Exception) as info:
        load_settings()
    assert type(info.value) is SettingsError
    assert not isinstance(info.value, pydantic_settings.SettingsError)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_locale_error_explains(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LOCALE", "xx_YY")
    with pytest.raises(
        SettingsError, match=r"^LOCALE is malformed: unknown locale 'xx_YY' \(expected e\.g\. en_US"
    ):
        load_settings()


def test_require_names_missing_variable():
    settings = load_settings(slack_bot_token="xoxb-1")
    settings.require("SLACK_BOT_TOKEN")
    with pytest.raises(SettingsError) as info:
        settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PARTNERS_API_TOKEN")
    message = str(info.value)
    assert message.startswith("SLACK_SIGNING_SECRET is not set")
    assert "Signing Secret" in message
    assert "\n" not in message


def test_require_treats_blank_secret_as_missing(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PARTNERS_API_TOKEN", "   ")
    with pytest.raises(SettingsError, match=r"^PARTNERS_API_TOKEN is not set"):
        load_settings().require("PARTNERS_API_TOKEN")


def test_require_accepts_lowercase_names():
    with pytest.raises(SettingsError, match=r"^VAULT_KEY is not set"):
        load_settings().require("vault_key")


def test_reads_dotenv_in_cwd(clean_env: Path):
    (clean_env / ".env").write_text(
        "SLACK_BOT_TOKEN=xoxb-from-dotenv\n"
        "PARTNERS_API_TOKEN=pp-from-dotenv\n"
        "ADMIN_USER_IDS=UA,UB\n"
        "LOCALE=pl_PL\n"
        "DATABASE_URL=sqlite+aiosqlite:///var/bot.db\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-from-dotenv"
    assert settings.admin_user_ids == {"UA", "UB"}
    assert settings.locale == "pl_PL"
    assert settings.sqlite_path() == Path("var/bot.db")


def test_environment_wins_over_dotenv(clean_env: Path, monkeypatch: pytest.MonkeyPatch):
    (clean_env / ".env").write_text("LOCALE=pl_PL\n", encoding="utf-8")
    monkeypatch.setenv("LOCALE", "de_DE")
    assert load_settings().locale == "de_DE"


def test_malformed_dotenv_value_names_variable(clean_env: Path):
    (clean_env / ".env").write_text("PARTNERS_CACHE_SECONDS=soon\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"^PARTNERS_CACHE_SECONDS is malformed"):
        load_settings()


def test_secrets_are_secretstr_and_hidden_in_repr(monkeypatch: pytest.MonkeyPatch):
    values = {
        "SLACK_BOT_TOKEN": "xoxb-very-secret-1",
        "SLACK_SIGNING_SECRET": "signing-very-secret-2",
        "SLACK_APP_TOKEN": "xapp-very-secret-3",
        "PARTNERS_API_TOKEN": "partners-very-secret-4",
        "VAULT_KEY": "vault-very-secret-5",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    for name, value in values.items():
        field = getattr(settings, name.lower())
        assert isinstance(field, SecretStr)
        assert field.get_secret_value() == value
        assert value not in repr(settings)
        assert value not in str(settings)
        assert value not in repr(field)


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite+aiosqlite:///data/x.db", Path("data/x.db")),
        ("sqlite+aiosqlite:////abs/x.db", Path("/abs/x.db")),
        ("sqlite+aiosqlite:///:memory:", None),
        ("sqlite+aiosqlite://", None),
    ],
)
def test_sqlite_path(url: str, path: Path | None):
    assert Settings(database_url=url).sqlite_path() == path


# The CLI contract --------------------------------------------------------------------------


def run_cli(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_cli_serve_without_settings_exits_2_naming_slack_bot_token(clean_env: Path):
    result = run_cli(clean_env)
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert "SLACK_BOT_TOKEN" in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_cli_serve_malformed_locale_exits_2_naming_locale(clean_env: Path):
    result = run_cli(clean_env, LOCALE="xx_YY", SLACK_BOT_TOKEN="xoxb-1")
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert "LOCALE" in lines[0]
    assert "Traceback" not in result.stderr


def test_cli_serve_malformed_json_exits_2_naming_variable(clean_env: Path):
    result = run_cli(clean_env, PLAN_PRICES="{oops")
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert "PLAN_PRICES" in lines[0]
    assert "Traceback" not in result.stderr
