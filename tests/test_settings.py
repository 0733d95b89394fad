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
from tests.paths import ROOT as PATHS_ROOT

ROOT = PATHS_ROOT
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
    # Every missing name at once, one line each.
    lines = str(info.value).splitlines()
    assert info.value.problems == lines and len(lines) == 2
    assert lines[0].startswith("SLACK_SIGNING_SECRET is not set") and "Signing Secret" in lines[0]
    assert lines[1].startswith("PARTNERS_API_TOKEN is not set")


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


def run_cli(tmp_path: Path, command: str = "serve", **env: str) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", command],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=30,
    )


def _named(lines: list[str]) -> list[str]:
    """The variable each `partners-bot: NAME …` line is about."""
    assert all(line.startswith("partners-bot: ") for line in lines), lines
    return [line.removeprefix("partners-bot: ").split(" ", 1)[0].rstrip(":") for line in lines]


def test_cli_serve_without_settings_exits_2_naming_every_missing_setting(clean_env: Path):
    result = run_cli(clean_env)
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert _named(lines) == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PARTNERS_API_TOKEN"], result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_cli_serve_malformed_locale_exits_2_naming_locale_and_the_missing(clean_env: Path):
    result = run_cli(clean_env, LOCALE="xx_YY", SLACK_BOT_TOKEN="xoxb-1")
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert _named(lines) == ["LOCALE", "SLACK_SIGNING_SECRET", "PARTNERS_API_TOKEN"], result.stderr
    assert "Traceback" not in result.stderr


def test_cli_serve_malformed_json_exits_2_naming_variable(clean_env: Path):
    result = run_cli(
        clean_env,
        PLAN_PRICES="{oops",
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="s",
        PARTNERS_API_TOKEN="p",
    )
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert _named(lines) == ["PLAN_PRICES"], result.stderr
    assert "Traceback" not in result.stderr


def test_cli_serve_reports_every_problem_in_one_message(clean_env: Path):
    result = run_cli(
        clean_env,
        LOCALE="xx_YY",
        PLAN_PRICES="{oops",
        PARTNERS_TIMEOUT="soon",
        DATABASE_URL="mysql://db/x",
        ADMIN_USER_IDS="alice",
        SLACK_BOT_TOKEN="xoxb-1",
    )
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert sorted(_named(lines)) == sorted(
        ["LOCALE", "PLAN_PRICES", "PARTNERS_TIMEOUT", "DATABASE_URL", "ADMIN_USER_IDS",
         "SLACK_SIGNING_SECRET", "PARTNERS_API_TOKEN"]
    ), result.stderr  # fmt: skip
    assert "Traceback" not in result.stderr and all(len(line) < 300 for line in lines)


BOT_ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PARTNERS_API_TOKEN": "p"}


@pytest.mark.parametrize("key", ["not-a-key", "x" * 44, "{valid},short"])
def test_cli_serve_refuses_a_malformed_vault_key(clean_env: Path, key: str):
    from bot.vault import new_key

    key = key.replace("{valid}", new_key())
    result = run_cli(clean_env, VAULT_KEY=key, **BOT_ENV)
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert _named(lines) == ["VAULT_KEY"], result.stderr
    assert "partners-bot cards new-key" in lines[0]
    assert key not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["serve", "socket"])
def test_cli_unreachable_database_is_one_line_naming_database_url(clean_env: Path, command: str):
    from tests.e2e.support.processes import free_port

    url = f"postgresql://bot:hunter2pass@127.0.0.1:{free_port()}/partners"
    env = {**BOT_ENV, "SLACK_APP_TOKEN": "xapp-1-test"} if command == "socket" else BOT_ENV
    result = run_cli(clean_env, command, DATABASE_URL=url, **env)
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and lines[0].startswith("partners-bot: DATABASE_URL")
    assert "does not exist" in lines[0] or "cannot reach the database" in lines[0]
    assert "127.0.0.1" in lines[0] and "hunter2pass" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db.example:5432/x", "postgresql+asyncpg://u:p@db.example:5432/x"),
        ("postgresql://u@db/x?ssl=require", "postgresql+asyncpg://u@db/x?ssl=require"),
        ("postgresql+asyncpg://u@db/x", "postgresql+asyncpg://u@db/x"),
        ("sqlite+aiosqlite:///data/x.db", "sqlite+aiosqlite:///data/x.db"),
    ],
)
def test_database_url_schemes_hosts_give_are_normalised(
    monkeypatch: pytest.MonkeyPatch, given: str, used: str
):
    monkeypatch.setenv("DATABASE_URL", given)
    assert load_settings().database_url == used


def test_server_limits_have_defaults_and_are_validated(monkeypatch: pytest.MonkeyPatch):
    settings = load_settings()
    assert settings.server_header_timeout == 10.0 and settings.server_body_timeout == 10.0
    assert settings.server_keepalive_timeout == 75.0 and settings.server_max_connections == 0
    monkeypatch.setenv("SERVER_HEADER_TIMEOUT", "0")
    monkeypatch.setenv("SERVER_MAX_CONNECTIONS", "-3")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert sorted(p.split(" ")[0] for p in info.value.problems) == [
        "SERVER_HEADER_TIMEOUT",
        "SERVER_MAX_CONNECTIONS",
    ]


def test_cli_serve_sqlite_file_that_cannot_be_created_is_one_line_naming_database_url(clean_env: Path):
    blocker = clean_env / "not-a-dir"
    blocker.write_text("a file where the database directory should be")
    result = run_cli(clean_env, DATABASE_URL=f"sqlite+aiosqlite:///{blocker}/sub/bot.db", **BOT_ENV)
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and lines[0].startswith("partners-bot: DATABASE_URL")
    assert "does not exist" in lines[0] or "cannot reach the database" in lines[0]
    assert "Traceback" not in result.stderr
