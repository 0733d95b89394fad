"""`partners-bot console` and `partners-bot run` as a user runs them, stdin piped."""

from __future__ import annotations

from pathlib import Path

from tests.offline.console.helpers import cli as _cli


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
    assert "shared these earnings in the channel" in shared


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


def test_readme_quick_start_promises(tmp_path: Path) -> None:
    """README: "Type `/earnings`, press buttons with `click 1`, and fill modals at the prompts ...
    `tomorrow` moves a day ahead so the daily digest shows what changed."""
    script = [
        "/earnings",
        "click 1",
        "/campaign",
        "Spring promo",
        "1",
        "",
        "",
        "",
        "/earnings digest on 09:00 Europe/Warsaw",
        "tomorrow",
        "tomorrow",
        "quit",
    ]
    done = _cli(["console"], "\n".join(script) + "\n", tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "PARTNER EARNINGS" in out.split("> click 1")[0]  # type /earnings
    assert "shared by @ada.admin" in out.split("> click 1")[1]  # click 1
    assert "New campaign Spring promo" in out and "Tracking URL" in out  # fill modals
    second_day = out.split("> tomorrow\n")[2]
    assert "── posted by the bot in #general (digest) ──" in second_day
    assert "▲" in second_day  # what changed since the day before
    assert "It is now " in second_day and "Over 1 day the sandbox earned $" in second_day


def test_console_state_is_kept_across_quit_unless_fresh(tmp_path: Path) -> None:
    first = _cli(["console"], "/earnings digest on 09:00 Europe/Warsaw\nquit\n", tmp_path)
    assert first.returncode == 0, first.stderr
    assert "State is kept in data/console.db between runs (`--fresh` starts over)." in first.stdout
    assert (tmp_path / "data" / "console.db").exists()
    again = _cli(["console"], "/earnings digest status\nquit\n", tmp_path)
    assert "every day at 09:00 Europe/Warsaw" in again.stdout.split("> /earnings digest status")[1]
    fresh = _cli(["console", "--fresh"], "/earnings digest status\nquit\n", tmp_path)
    assert "every day at 09:00" not in fresh.stdout.split("> /earnings digest status")[1]
    elsewhere = _cli(["console", "--db", str(tmp_path / "other.db")], "quit\n", tmp_path)
    assert f"State is kept in {tmp_path / 'other.db'}" in elsewhere.stdout


def test_the_console_clock_and_vault_survive_a_restart(tmp_path: Path) -> None:
    first = _cli(["console"], "/earnings digest on 09:00 Europe/Warsaw\ntomorrow\nquit\n", tmp_path)
    day = first.stdout.split("It is now ", 1)[1].split(",", 1)[0]
    again = _cli(["console"], "/subscribe\nclick 1\n2\n3\n\n\ny\nquit\n", tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Subscribed." in again.stdout  # the demo card still decrypts
    later = _cli(["console"], "tomorrow\nquit\n", tmp_path)
    assert day not in later.stdout.split("It is now ", 1)[1].split(",", 1)[0]  # the day after, not again


def test_allowed_user_ids_from_the_environment_apply_in_the_console(tmp_path: Path) -> None:
    script = "as U_PARTNER\n/earnings\nas U0PARTNER\n/earnings\nquit\n"
    done = _cli(["console"], script, tmp_path, ALLOWED_USER_IDS="U0PARTNER", ADMIN_USER_IDS="U0BOSS")
    assert done.returncode == 0, done.stderr
    assert "You are U_ADMIN (not in ALLOWED_USER_IDS: the bot refuses you)" in done.stdout
    assert "ALLOWED_USER_IDS: only U0PARTNER (and the admins) may use the bot." in done.stdout
    assert "Admins (ADMIN_USER_IDS): U0BOSS." in done.stdout
    refused, allowed = done.stdout.split("> /earnings\n")[1:3]
    assert "PARTNER EARNINGS" not in refused
    assert "PARTNER EARNINGS" in allowed


def test_quit_at_a_form_prompt_ends_the_console_process(tmp_path: Path) -> None:
    done = _cli(["console"], "/campaign\nquit\n/earnings\n", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "[modal closed: New campaign]" in done.stdout
    assert "PARTNER EARNINGS" not in done.stdout


def test_piped_output_has_no_ansi_codes(tmp_path: Path) -> None:
    done = _cli(["console"], "/earnings\nquit\n", tmp_path)
    assert "\x1b[" not in done.stdout
    assert "Affiliate program — total" in done.stdout and "*Affiliate" not in done.stdout
