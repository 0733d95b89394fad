"""The console's clock moves run the trial-alert check as they deliver digests: once each, on screen,
labelled as the bot's own alert posts, and counted in the sentence that says what changed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import OffsetClock
from bot.offline.console import repl
from bot.offline.console.events import own_kind
from bot.offline.console.repl import console_main
from bot.offline.console.timetravel import Delivered, delivered_sentence
from bot.offline.local_stack import LocalStack
from tests.offline.console.helpers import ScriptedIO

WARSAW = ZoneInfo("Europe/Warsaw")
ALERT_TITLE = "── posted by the bot in #general (alert) ──"


@pytest.fixture
def quiet_scheduler(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The console at 13:00 in Warsaw (past the 09:00 check), with the background alert scheduler
    stopped: less than a real minute passes in these tests, so only the clock moves may run checks."""
    seen: dict[str, Any] = {}

    async def setup(stack: LocalStack) -> None:
        seen["stack"] = stack
        clock = stack.services.clock
        assert isinstance(clock, OffsetClock)
        now = datetime.now(UTC)
        clock.offset = now.astimezone(WARSAW).replace(hour=13, minute=0, second=0, microsecond=0) - now
        await stack.services.alert_scheduler.stop()

    monkeypatch.setattr(repl, "SETUP_HOOKS", [setup])
    return seen


async def test_tomorrow_after_alerts_on_shows_the_alerts_once(quiet_scheduler: dict[str, Any]) -> None:
    io = ScriptedIO(["/subscribe alerts on 3", "tomorrow", "wait 1m", "quit"])
    assert await console_main(io=io) == 0
    assert "(alert)" not in io.after("/subscribe alerts on 3")  # nothing ticked on its own
    after = io.after("tomorrow")
    shown = after.count(ALERT_TITLE)
    assert shown >= 1
    assert "Joe Doe Ltd's trial ends" in after
    sentence = re.search(r"(\d+) alerts? went out on the way\.", after)
    assert sentence is not None and int(sentence[1]) == shown
    # Each alert was posted once: a further minute posts none again.
    assert ALERT_TITLE not in io.after("wait 1m")
    assert "No digest or trial alert fell due." in io.after("wait 1m")
    stack: LocalStack = quiet_scheduler["stack"]
    posted = [m for m in stack.standin.state.messages("C_GENERAL") if own_kind(m) == "alert"]
    assert len(posted) == shown


async def test_a_move_without_alerts_on_does_not_mention_them(quiet_scheduler: dict[str, Any]) -> None:
    io = ScriptedIO(["wait 2h", "quit"])
    assert await console_main(io=io) == 0
    after = io.after("wait 2h")
    assert after.rstrip().endswith("No digest fell due.")
    assert "alert" not in after


def test_delivered_sentence_counts_digests_and_alerts() -> None:
    assert delivered_sentence(Delivered(1), Delivered(1)) == "1 digest and 1 alert went out on the way."
    assert delivered_sentence(Delivered(), Delivered(3)) == "3 alerts went out on the way."
    assert delivered_sentence(Delivered(2)) == "2 digests went out on the way."
    assert delivered_sentence(Delivered(), None) == "No digest fell due."
    assert delivered_sentence(Delivered(), Delivered()) == "No digest or trial alert fell due."
    failed = delivered_sentence(Delivered(), Delivered(0, 1, {"#general": "not_in_channel"}))
    assert failed == (
        "No digest or trial alert fell due; 1 alert edited (the trial was settled); "
        "alerts not sent: #general (not_in_channel)."
    )


async def test_subscribe_lists_a_trial_end_as_its_alert_says_it(quiet_scheduler: dict[str, Any]) -> None:
    io = ScriptedIO(["/subscribe alerts on 3", "wait 1m", "/subscribe", "quit"])
    assert await console_main(io=io) == 0
    alerted = re.search(r"Joe Doe Ltd's trial ends (.+?) \((Europe/Warsaw)\)", io.after("wait 1m"))
    assert alerted is not None
    # The admin's zone comes from users.info, as for the alert; the phrase is the same one.
    listed = io.after("/subscribe").split("Joe Doe Ltd", 1)[1].split("\n")[1]
    assert f"· ends {alerted[1]} (Europe/Warsaw) ·" in listed
