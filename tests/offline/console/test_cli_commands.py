"""The `partners-bot` CLI as a newcomer meets it: messages, --help texts, .env.example, the data folder."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.offline.local_stack import LocalStack
from bot.settings import Settings
from tests.offline.console.helpers import ROOT, cli, cli_env

VAULT_KEY = "x0WkEJ0R4o6Y1bJ5bM0bQ6a2dQnqYl3sS7Wl0V9p2nM="


def test_importing_an_empty_list_says_nothing_was_imported(tmp_path: Path) -> None:
    (tmp_path / "cards.json").write_text("[]")
    done = cli(["cards", "import", "cards.json"], "", tmp_path, VAULT_KEY=VAULT_KEY)
    assert done.returncode == 1
    assert "nothing was imported: cards.json holds no card" in done.stderr
    assert "Done" not in done.stdout + done.stderr


def test_new_key_gives_first_time_advice_and_rotation_advice_only_with_a_key(tmp_path: Path) -> None:
    first = cli(["cards", "new-key"], "", tmp_path)
    assert first.returncode == 0
    assert "Put it in .env as VAULT_KEY=" in first.stderr
    assert "rotate" not in first.stderr.lower()
    existing = cli(["cards", "new-key"], "", tmp_path, VAULT_KEY=VAULT_KEY)
    assert "To rotate: put it first in VAULT_KEY" in existing.stderr


async def test_digest_dry_run_prints_no_alembic_lines(stack: LocalStack, tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "digest",
        "run",
        "--dry-run",
        cwd=tmp_path,
        env=cli_env(PARTNERS_API_TOKEN="sandbox-token", PARTNERS_API_URL=stack.sandbox.url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    assert out.decode().strip() == "0 digest(s) due; nothing was sent."
    assert "alembic" not in (out + err).decode().lower()
    assert "INFO" not in err.decode()


def test_sandbox_help_shows_its_defaults() -> None:
    text = _help("sandbox")
    for default in (
        "(default: 127.0.0.1)",
        "(default: 8040)",
        "(default: sandbox-token)",
        "(default: today)",
    ):
        assert default in text


@pytest.mark.parametrize(
    ("command", "needs"),
    [
        (["run"], "Settings: none for the offline console"),
        (["serve"], "Settings: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, PARTNERS_API_TOKEN"),
        (["socket"], "SLACK_APP_TOKEN"),
        (["console"], "Settings: none; ADMIN_USER_IDS and ALLOWED_USER_IDS"),
        (["sandbox"], "Settings: none."),
        (["db", "upgrade"], "Settings: DATABASE_URL."),
        (["digest", "run"], "Settings: PARTNERS_API_TOKEN, SLACK_BOT_TOKEN (not with --dry-run)"),
        (["alerts"], "Settings: PARTNERS_API_TOKEN, SLACK_BOT_TOKEN (not with --dry-run) and DATABASE_URL."),
        (["alerts", "run"], "Settings: PARTNERS_API_TOKEN, SLACK_BOT_TOKEN (not with --dry-run)"),
        (["cards", "import"], "Settings: VAULT_KEY and DATABASE_URL."),
        (["cards", "new-key"], "Settings: none."),
        (["audit"], "Settings: DATABASE_URL."),
    ],
)
def test_every_subcommand_help_says_which_settings_it_needs(command: list[str], needs: str) -> None:
    assert needs in " ".join(_help(*command).split())


def test_no_subcommand_or_action_help_lacks_a_settings_line() -> None:
    # The list above names the expected settings; this catches a subcommand added without any.
    top = build_parser()
    commands = [[name] for name in _children(top)]
    commands += [[*command, action] for command in list(commands) for action in _children(_parser(*command))]
    assert ["alerts", "run"] in commands
    missing = [" ".join(c) for c in commands if "Settings:" not in _help(*c)]
    assert missing == []


def test_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.M))
    assert listed == {name.upper() for name in Settings.model_fields}


def test_a_sqlite_file_in_a_missing_folder_is_one_line_naming_database_url(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir"
    done = cli(["db", "upgrade"], "", tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{missing}/x.db")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("partners-bot: DATABASE_URL is malformed: the folder ")
    assert "does not exist" in lines[0]
    assert not (tmp_path / "nonexistent").exists()


def test_only_the_default_data_folder_is_created(tmp_path: Path) -> None:
    done = cli(["db", "upgrade"], "", tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "partners-bot.db").exists()


def _children(parser: argparse.ArgumentParser) -> list[str]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(actions[0].choices) if actions else []


def _parser(*command: str) -> argparse.ArgumentParser:
    parser = build_parser()
    for word in command:
        actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        parser = actions[0].choices[word]
    return parser


def _help(*command: str) -> str:
    """What `partners-bot COMMAND --help` prints."""
    return _parser(*command).format_help()
