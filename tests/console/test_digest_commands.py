"""The console's `digest` and `tomorrow`: a digest goes out, and the next day shows what changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.console.repl import console_main
from tests.console.helpers import ScriptedIO


async def test_tomorrow_delivers_digests_with_changes_since_the_day_before():
    past = (datetime.now(UTC) - timedelta(hours=1)).strftime("%H:%M")
    io = ScriptedIO([f"/earnings digest on {past} UTC", "digest", "tomorrow", "tomorrow", "digest", "quit"])
    assert await console_main(io=io) == 0
    text = io.text
    # Switched on after today's time: nothing today, one digest on each of the next two days.
    assert "no digest is due now" in text
    assert text.count("DAILY EARNINGS") == 2
    first, second = text.split("DAILY EARNINGS")[1:3]
    assert "first digest for this channel" in first
    assert "first digest" not in second
    assert "▲" in second  # the sandbox earned commission overnight
    assert text.count("digests sent: 1") == 2
