"""`partners-bot console` and `partners-bot run` as a user runs them, stdin piped."""

from __future__ import annotations

from pathlib import Path

from tests.console.helpers import cli as _cli


def test_console_shows_earnings_and_shares_them(tmp_path: Path) -> None:
    done = _cli(["console"], "/earnings\nclick 1\nquit\n", tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "offline console" in out
    assert "> /earnings" in out
    assert "Balance: $16,519.12" in out
    assert "[1] Share in channel" in out
    shared = out.split("> click 1", 1)[1]
    assert "[Partners Bot in #general]" in shared and "shared by @ada.admin" in shared
    assert "Shared in the channel." in shared


def test_run_without_a_bot_token_starts_the_console(tmp_path: Path) -> None:
    done = _cli(["run"], "quit\n", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "No SLACK_BOT_TOKEN: this is the offline console" in done.stdout
    assert "`help` lists everything" in done.stdout


def test_run_reports_a_malformed_setting_in_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LOG_LEVEL=loud\n")
    done = _cli(["run"], "", tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("partners-bot: LOG_LEVEL is malformed")
    assert len(done.stderr.strip().splitlines()) == 1
