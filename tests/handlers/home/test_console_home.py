"""The console's `home`: the Home tab rendered as text, its buttons pressed with `click N`."""

from __future__ import annotations

import re

from bot.offline.console.repl import console_main
from tests.offline.console.helpers import ScriptedIO


async def test_home_renders_and_its_buttons_work():
    io = ScriptedIO(["home", "click 1", "as U_PARTNER", "home", "quit"])
    assert await console_main(io=io) == 0
    text = io.text
    admin, partner = text.split("you are now U_PARTNER")
    for section in ("MONEY", "TRIALS ENDING SOON", "CAMPAIGNS", "SCHEDULES", "RECENT WITHDRAWALS"):
        assert section in admin and section in partner
    # `click 1` pressed Refresh: the Home was published again.
    assert admin.count("[Home tab updated]") == 2
    assert "[2] Create subscription" in admin and "Joe Doe Ltd" in admin
    assert "Create subscription" not in partner and "Only admins can create subscriptions." in partner


async def test_new_campaign_on_the_home_opens_the_campaign_form():
    io = ScriptedIO(["home"])

    async def press_new_campaign() -> None:
        # The button's number depends on how many trials the Home lists: read it off the screen.
        number = re.search(r"\[(\d+)\] New campaign", io.text)
        assert number is not None
        io.lines[:0] = [f"click {number.group(1)}"]

    io.lines += [press_new_campaign]
    assert await console_main(io=io) == 0
    after = io.text.split("New campaign", 1)[1].split("> click", 1)[1]
    assert "+-- New campaign" in after and "] Create campaign" in after
    assert "! that modal is closed" not in after and "! no control" not in after
