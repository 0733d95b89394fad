"""The console's digest demo: `tomorrow`/`wait` deliver what falls due on the way, once; the bot's own
posts show as they happen."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import OffsetClock
from bot.offline.console import repl
from bot.offline.console.repl import console_main
from bot.offline.local_stack import LocalStack
from tests.offline.console.helpers import ScriptedIO

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Gives the test the console's running stack (a setup hook, as the console offers)."""
    seen: dict[str, Any] = {}

    def keep(stack: LocalStack) -> None:
        seen["stack"] = stack
        if "offset" in seen:
            assert isinstance(stack.services.clock, OffsetClock)
            stack.services.clock.offset = seen["offset"]

    monkeypatch.setattr(repl, "SETUP_HOOKS", [keep])
    return seen


def _offset_to(local_wall: str, zone: ZoneInfo) -> timedelta:
    """The clock offset that makes the console's clock read `local_wall` (HH:MM) today in `zone`."""
    now = datetime.now(UTC)
    hour, minute = map(int, local_wall.split(":"))
    target = now.astimezone(zone).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return target - now


@pytest.mark.parametrize("wall", ["00:30", "08:59", "09:00", "09:01", "13:00", "23:59"])
async def test_a_fresh_console_digest_on_0900_warsaw_then_tomorrow_shows_a_digest(
    started: dict[str, Any], wall: str
) -> None:
    started["offset"] = _offset_to(wall, WARSAW)
    io = ScriptedIO(["/earnings digest on 09:00 Europe/Warsaw", "tomorrow", "quit"])
    assert await console_main(io=io) == 0
    after = io.after("tomorrow")
    assert after.count("── posted by the bot in #general (digest) ──") == 1
    assert after.count("DAILY EARNINGS") == 1
    assert re.search(
        r"It is now \w+day \d+ \w+ 20\d\d, \d\d:\d\d UTC \((\w\w\w )?\d\d:\d\d in Europe/Warsaw\)\.", after
    )
    assert "Over 1 day the sandbox earned $" in after and " in commission." in after
    assert "1 digest went out on the way." in after
    assert "{" not in after  # a sentence, not a Python dict


async def test_tomorrow_delivers_digests_with_changes_since_the_day_before() -> None:
    past = (datetime.now(UTC) - timedelta(hours=1)).strftime("%H:%M")
    io = ScriptedIO([f"/earnings digest on {past} UTC", "digest", "tomorrow", "tomorrow", "digest", "quit"])
    assert await console_main(io=io) == 0
    text = io.text
    # Switched on after today's time: nothing today, one digest on each of the next two days.
    assert "No digest is due now." in io.after("digest")
    assert text.count("DAILY EARNINGS") == 2
    first, second = text.split("DAILY EARNINGS")[1:3]
    assert "first digest for this channel" in first
    assert "changes since the previous digest" not in first  # nothing to compare with yet
    assert "first digest" not in second
    assert "changes since the previous digest" in second
    assert "▲" in second  # the sandbox earned commission overnight
    # A change reads as a phrase saying what it is measured from, not "$X; ▲ $Y".
    assert re.search(r"Balance: \$[\d,.]+ \(▲ \$[\d,.]+ since the last digest\)", second)
    assert text.count("1 digest went out on the way.") == 2
    assert text.rstrip().endswith(
        "No digest is due now. Turn one on with `/earnings digest on HH:MM`, "
        "then `tomorrow` delivers it when its time comes.\n> quit"
    )


async def test_tomorrow_n_jumps_n_days_once_each_and_bad_n_is_refused() -> None:
    io = ScriptedIO(
        [
            "/earnings digest on 09:00 Europe/Warsaw",
            "tomorrow 0",
            "tomorrow x",
            "tomorrow 3",
            "digest",
            "quit",
        ]
    )
    assert await console_main(io=io) == 0
    assert "`tomorrow` takes a number of days from 1 to 366 (e.g. `tomorrow 3`), not '0'." in io.text
    assert "not 'x'." in io.text
    after = io.after("tomorrow 3")
    assert after.count("DAILY EARNINGS") == 3
    assert "Over 3 days the sandbox earned" in after and "3 digests went out on the way." in after
    assert "No digest is due now." in io.after("digest")  # none sent twice


async def test_a_digest_the_scheduler_sends_while_the_console_waits_appears_at_once(
    started: dict[str, Any],
) -> None:
    # Pinned to 08:50 in Warsaw and moved to 09:01: "a day later" is not always past a digest's time
    # (before 09:00 it lands before tomorrow's, and yesterday's is past its grace), so the test
    # would depend on the hour it runs at.
    started["offset"] = _offset_to("08:50", WARSAW)

    async def scheduler_ticks_after_nine() -> None:
        stack: LocalStack = started["stack"]
        clock = stack.services.clock
        assert isinstance(clock, OffsetClock)
        clock.offset += timedelta(minutes=11)
        scheduler = stack.services.digest_scheduler
        await scheduler.runner.run_once()  # what the console's own scheduler does every minute
        await stack.standin.state.wait_for(lambda: "DAILY EARNINGS" in io.text, timeout=10)

    io = ScriptedIO(["/earnings digest on 09:00 Europe/Warsaw", scheduler_ticks_after_nine, "quit"])
    assert await console_main(io=io) == 0
    shown = io.text.split("> quit")[0].split("Next digest:", 1)[1]
    assert "── posted by the bot in #general (digest) ──\nDAILY EARNINGS" in shown


async def test_a_digest_turned_back_on_after_an_automatic_stop_is_due_today() -> None:
    # A zone where it is 11:00 now, so "later today" exists whenever the test runs.
    hours = 11 - datetime.now(UTC).hour
    zone = "UTC" if hours == 0 else f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"
    io = ScriptedIO(
        [
            f"/earnings digest on 12:00 {zone}",
            "fail chat.postMessage not_in_channel",
            "wait 90m",  # 12:00 comes, Slack refuses, the bot turns the digest off and says so
            f"/earnings digest on 13:30 {zone}",
            "wait 60m",
            "quit",
        ]
    )
    assert await console_main(io=io) == 0
    stopped = io.after("wait 90m")
    assert "── posted by the bot: a direct message (DM with @ada.admin) ──" in stopped
    assert "I turned off the daily earnings digest in #general" in stopped
    assert "not sent: #general (not_in_channel)" in stopped
    turned_on = io.after(f"/earnings digest on 13:30 {zone}")
    today = datetime.now(UTC).astimezone(ZoneInfo(zone))
    assert f"Next digest: {today.strftime('%A')} {today.day} " in turned_on
    assert "DAILY EARNINGS" in io.after("wait 60m")


async def test_wait_refuses_what_is_not_a_duration() -> None:
    io = ScriptedIO(["wait soon", "wait 0m", "wait 2h", "quit"])
    assert await console_main(io=io) == 0
    assert "`wait` takes a duration such as 30m, 2h or 1h30m (up to 366d), not 'soon'." in io.text
    assert "not '0m'." in io.text
    assert "No midnight passed" in io.after("wait 2h") or "Over 1 day" in io.after("wait 2h")
