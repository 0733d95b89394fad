"""The console's sandbox world survives quitting, like its database: what the bot did to the sandbox
(a subscription, a campaign, commission earned on `tomorrow`) is still there in the next run."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from bot.offline.console.repl import console_main
from bot.offline.console.saved import SavedState
from bot.offline.local_stack import LocalStack
from tests.offline.console.helpers import ScriptedIO
from tests.offline.console.helpers import cli as _cli

SUBSCRIBE_JOE = ["/subscribe", "click 1", "2", "3", "", "", "y"]  # Joe Doe Ltd (11223301): Team, 3 seats
NEW_CAMPAIGN = ["/campaign", "Spring promo", "1", "", "", ""]
DEMO_DATA = "the sandbox starts from its demo data"


async def _run(database: Path, lines: list[Any], *, fresh: bool = False) -> ScriptedIO:
    io = ScriptedIO([*lines, "quit"])
    assert await console_main(io=io, database=str(database), fresh=fresh) == 0
    return io


def _saved(database: Path) -> dict[str, Any]:
    return json.loads(database.with_suffix(".json").read_text(encoding="utf-8"))


async def test_a_trial_subscribed_in_one_run_is_subscribed_in_the_next(
    tmp_path: Path, stacks: list[LocalStack]
) -> None:
    db = tmp_path / "console.db"
    first = await _run(db, SUBSCRIBE_JOE)
    assert "Subscribed." in first.text
    again = await _run(db, ["/subscribe"])
    offered = again.after("/subscribe")
    assert "Harbor Legal LLP" in offered  # the list is there…
    assert "Joe Doe Ltd" not in offered and "11223301" not in offered  # …without the subscribed trial
    second = stacks[1].sandbox.state
    assert second.licenses["11223301"]["status"] == "paid"
    assert second.subscriptions["11223301"]["seats"] == 3
    assert "State is kept in" in again.text and "The sandbox keeps its licenses" in again.text
    assert DEMO_DATA not in again.text  # nothing was left aside


async def test_the_world_is_saved_after_each_command_not_only_at_quit(tmp_path: Path) -> None:
    db = tmp_path / "console.db"
    seen: dict[str, Any] = {}

    async def look() -> None:
        seen.update(_saved(db))

    await _run(db, [*SUBSCRIBE_JOE, look])
    assert seen["sandbox_world"]["licenses"]["11223301"]["status"] == "paid"
    assert stat.S_IMODE(db.with_suffix(".json").stat().st_mode) == 0o600


async def test_a_campaign_created_in_one_run_is_listed_in_the_next_and_fresh_forgets_it(
    tmp_path: Path, stacks: list[LocalStack]
) -> None:
    db = tmp_path / "console.db"
    first = await _run(db, [*NEW_CAMPAIGN, *SUBSCRIBE_JOE])
    assert "New campaign Spring promo" in first.text
    again = await _run(db, ["/campaign list"])
    assert "Spring promo · LiveChat" in again.after("/campaign list")
    fresh = await _run(db, ["/campaign list", "/subscribe"], fresh=True)
    assert "Spring promo" not in fresh.after("/campaign list")
    assert "Joe Doe Ltd" in fresh.after("/subscribe")  # the demo trial is back
    assert stacks[2].sandbox.state.licenses["11223301"]["status"] == "trial"


async def test_time_travelled_in_one_run_the_next_run_continues_on_the_same_sandbox_clock(
    tmp_path: Path, stacks: list[LocalStack]
) -> None:
    """Sunrise Bakery's trial ends in 1.2 days: two console days later it has ended, also after a
    restart (the demo data, dated anew, would offer it again), and the others end when they did."""
    db = tmp_path / "console.db"
    first = await _run(db, ["/subscribe", "tomorrow 2", "/earnings"])
    assert "Sunrise Bakery" in first.after("/subscribe")
    pixel_ends = stacks[0].sandbox.state.licenses["11223308"]["end_timestamp"]
    balance = first.after("/earnings").split("Balance: ", 1)[1].split()[0]
    again = await _run(db, ["/subscribe", "/earnings"])
    offered = again.after("/subscribe")
    assert "Sunrise Bakery" not in offered and "Pixel Forge Studio" in offered
    state = stacks[1].sandbox.state
    assert state.days_advanced == 2
    assert state.licenses["11223307"]["status"] == "expired"
    assert state.licenses["11223308"]["end_timestamp"] == pixel_ends
    assert f"Balance: {balance}" in again.after("/earnings")  # the commission earned overnight stayed
    saved = _saved(db)
    assert saved["sandbox_world"]["days_advanced"] == 2
    assert round(saved["clock_offset_seconds"] / 86_400) == 2  # saved together, they agree


def _spoil_version(world: dict[str, Any]) -> None:
    world["version"] = 0


def _spoil_license(world: dict[str, Any]) -> None:
    del world["licenses"]["11223302"]["status"]


def _spoil_campaigns(world: dict[str, Any]) -> None:
    world["campaigns"] = {"not": "a list"}


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (_spoil_version, "it is version 0; this sandbox reads version 1"),
        (_spoil_license, "licenses.11223302.status is missing"),
        (_spoil_campaigns, "campaigns is not a list"),
    ],
)
async def test_an_unusable_saved_world_starts_from_the_demo_data_with_one_line(
    tmp_path: Path, stacks: list[LocalStack], spoil: Any, reason: str
) -> None:
    db = tmp_path / "console.db"
    await _run(db, SUBSCRIBE_JOE)
    saved = _saved(db)
    spoil(saved["sandbox_world"])
    db.with_suffix(".json").write_text(json.dumps(saved), encoding="utf-8")
    again = await _run(db, ["/subscribe"])
    notices = [line for line in again.text.splitlines() if DEMO_DATA in line]
    assert notices == [
        f"The saved sandbox world was left aside ({reason}), so {DEMO_DATA} "
        "(`--fresh` starts the bot's side over too)."
    ]
    assert "Joe Doe Ltd" in again.after("/subscribe")
    assert stacks[1].sandbox.state.licenses["11223301"]["status"] == "trial"
    assert _saved(db)["sandbox_world"]["version"] == 1  # the usable world replaced it
    quiet = await _run(db, [])
    assert DEMO_DATA not in quiet.text  # said once, not on every start


async def test_a_state_saved_before_the_sandbox_was_kept_dates_the_demo_data_from_the_saved_clock(
    tmp_path: Path, stacks: list[LocalStack]
) -> None:
    db = tmp_path / "console.db"
    db.with_suffix(".json").write_text(json.dumps({"vault_key": None, "clock_offset_seconds": 3 * 86_400}))
    io = await _run(db, [])
    assert (
        f"{db.with_suffix('.json')} was saved before the console kept the sandbox, so {DEMO_DATA}" in io.text
    )
    state = stacks[0].sandbox.state
    assert state.days_advanced == 3  # "ends in 2 days" means two days from the console's today
    assert SavedState.beside(db).world == state.world()


def test_a_corrupted_saved_state_says_so_in_one_line_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "console.json").write_text('{"sandbox_world": {"version": 1, "prof')
    done = _cli(["console"], "/subscribe\nquit\n", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    notices = [line for line in done.stdout.splitlines() if DEMO_DATA in line]
    assert notices == [
        f"data/console.json is not what the console saves, so {DEMO_DATA} "
        "(`--fresh` starts the bot's side over too)."
    ]
    assert "Joe Doe Ltd" in done.stdout.split("> /subscribe", 1)[1]


async def test_a_state_that_cannot_be_written_is_said_once_and_the_console_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "console.db"
    await _run(db, [])

    def full_disk(self: SavedState) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(SavedState, "save", full_disk)
    io = await _run(db, ["/campaign list", "/subscribe"])
    problems = [line for line in io.text.splitlines() if "could not save" in line]
    assert problems == [
        f"! the console could not save its state in {db.with_suffix('.json')} (No space left on device); "
        "the next run will not see this one's changes"
    ]
    assert "Joe Doe Ltd" in io.after("/subscribe")
