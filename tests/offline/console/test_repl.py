"""The console REPL driven with scripted input against the real bot: what the screen shows."""

from __future__ import annotations

import logging
import re

import pytest

from bot.offline.console import repl
from bot.offline.console.repl import console_main
from tests.offline.console.helpers import ScriptedIO

SUBSCRIBE = ["/subscribe", "click 1", "2", "3", "", ""]  # Joe Doe Ltd: Team, 3 seats, monthly, the demo card


def _number(text: str, label: str) -> str:
    found = re.findall(rf"\[(\d+)\] {label}\b", text)
    assert found, f"no [N] {label} in:\n{text}"
    return found[-1]


async def test_back_has_a_number_and_keeps_the_chosen_plan() -> None:
    io = ScriptedIO([*SUBSCRIBE, "n"])
    io.lines.append(lambda: _press_back(io))
    io.lines += ["", "", "", "", "n", "quit"]
    assert await console_main(io=io) == 0
    text = io.text
    confirm = text.split("+-- Confirm subscription")[1]
    found = re.search(r"\[(\d+)\] Confirm  \[(\d+)\] Back", confirm)
    assert found
    assert f"Press [{found[1]}] Confirm? [y/N] (or `click {found[2]}` for Back) n" in confirm
    back = text.split("[modal closed: Confirm subscription]", 1)[1]
    assert "Plan [Team — $41.00 per seat per month] (Enter keeps it): " in back
    assert "Seats [3] (Enter keeps it): " in back
    # "Checking…" first, then the second confirmation: it still says Team.
    checking, second = back.split("+-- Confirm subscription", 1)
    assert "Checking…" in checking
    assert second.count("Plan: Team") == 1


async def _press_back(io: ScriptedIO) -> None:
    io.lines.insert(0, f"click {_number(io.text, 'Back')}")


async def test_every_form_prints_its_fields_once() -> None:
    io = ScriptedIO([*SUBSCRIBE, "n", "quit"])
    assert await console_main(io=io) == 0
    assert io.text.count("Plan (choice)") == 1
    assert io.text.count("Seats (number)") == 1


async def test_after_subscribed_cancel_closes_everything_instead_of_reopening_the_form() -> None:
    io = ScriptedIO([*SUBSCRIBE, "y", "cancel", "cancel", "quit"])
    assert await console_main(io=io) == 0
    assert "Subscribed." in io.text
    after = io.after("cancel")
    assert after.startswith("[all modals closed: Subscription]")
    assert "Create subscription" not in after and "Plan (choice)" not in after
    assert "(no modal is open)" in io.text.split("> cancel", 2)[2]


async def test_a_typo_of_a_command_gets_a_suggestion_not_an_http_error() -> None:
    io = ScriptedIO(["/earning", "/subscrib", "/zzz", "quit"])
    assert await console_main(io=io) == 0
    assert io.after("/earning").startswith("Unknown command /earning — did you mean /earnings?")
    assert io.after("/subscrib").startswith("Unknown command /subscrib — did you mean /subscribe?")
    assert io.after("/zzz").startswith(
        "Unknown command /zzz (the bot's commands: /earnings, /campaign, /subscribe)"
    )
    assert "HTTP 404" not in io.text


async def test_quit_at_a_form_prompt_quits() -> None:
    io = ScriptedIO(["/campaign", "quit", "/earnings"])
    assert await console_main(io=io) == 0
    assert "Name: quit" in io.text
    assert "[modal closed: New campaign]" in io.text
    assert "PARTNER EARNINGS" not in io.text  # the console ended at `quit`


async def test_replies_only_you_see_have_one_label() -> None:
    io = ScriptedIO(["/earnings", "click 1", "/earnings digest status", "quit"])
    assert await console_main(io=io) == 0
    labels = set(re.findall(r"^\[[^\]]*only visible[^\]]*\]$", io.text, flags=re.M))
    # Sharing replaces the private summary (issue 15.9), which the console marks as a replacement.
    assert labels == {"[only visible to you]", "[only visible to you, replaces the previous reply]"}
    assert "[reply," not in io.text


async def test_allowed_user_ids_are_enforced_and_as_switches_to_any_user() -> None:
    io = ScriptedIO(["/earnings", "as U123", "/earnings", "as U_ADMIN", "/earnings digest off", "quit"])
    assert await console_main(io=io, admins={"U123"}, allowed={"U123"}) == 0
    banner = io.text.split("> /earnings", 1)[0]
    assert "You are U_ADMIN (not in ALLOWED_USER_IDS: the bot refuses you)" in banner
    assert "ALLOWED_USER_IDS: only U123 (and the admins) may use the bot." in banner
    assert "PARTNER EARNINGS" not in io.after("/earnings")
    assert "you are now U123 (@u123, an admin)" in io.text
    assert "PARTNER EARNINGS" in io.text.split("> as U123", 1)[1].split("> as U_ADMIN")[0]
    assert "Daily earnings digest is off" not in io.after("/earnings digest off")


async def test_a_zone_typo_gets_the_closest_zones() -> None:
    io = ScriptedIO(["/earnings digest on 9am warsaw", "/earnings digest on 9am Europe", "quit"])
    assert await console_main(io=io) == 0
    assert "Did you mean `Europe/Warsaw`?" in io.after("/earnings digest on 9am warsaw")
    assert "`Europe/London`" in io.after("/earnings digest on 9am Europe")


async def test_a_landing_page_without_a_domain_gets_a_precise_message() -> None:
    io = ScriptedIO(
        ["/campaign", "Spring promo", "1", "", "", "http://x", "https://example.com/spring", "quit"]
    )
    assert await console_main(io=io) == 0
    assert "  ! `x` is not a full site name: add its domain ending, e.g. https://example.com/offer" in io.text
    assert "New campaign Spring promo" in io.text  # fixed at the prompt, the campaign is created


async def test_closing_a_modal_sends_view_closed_only_as_slack_would(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Slack sends view_closed only for a view with notify_on_close (none of the bot's do), so
    # closing one in the console must not reach Bolt as a request nobody handles.
    caplog.set_level(logging.WARNING)
    io = ScriptedIO([*SUBSCRIBE, "y", "cancel", "/campaign", "cancel", "quit"])
    assert await console_main(io=io) == 0
    assert "[all modals closed: Subscription]" in io.text and "[modal closed: New campaign]" in io.text
    logging.getLogger("slack_bolt").warning("capture check")
    assert caplog.records  # the capture is live after the console's run
    assert not [r for r in caplog.records if "Unhandled request" in r.getMessage()]


async def test_help_names_every_console_word_home_included(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, repl.Console] = {}
    original = repl.Console.run

    async def run(self: repl.Console) -> int:
        seen["console"] = self
        return await original(self)

    monkeypatch.setattr(repl.Console, "run", run)
    io = ScriptedIO(["help", "quit"])
    assert await console_main(io=io) == 0
    shown = io.after("help")
    assert re.search(r"^home\s+open your App Home tab", shown, flags=re.M)
    words = set(seen["console"].commands()) - {"?"}  # `?` is `help` itself
    assert "home" in words
    missing = sorted(w for w in words if not re.search(rf"(^|\s){re.escape(w)}\b", shown, flags=re.M))
    assert missing == []
