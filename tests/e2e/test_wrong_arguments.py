"""Wrong arguments say what was wrong first, then how to write it — never the bare help (issue 15.11)."""

from __future__ import annotations

import asyncio

import pytest


async def answer(stack, command: str, text: str) -> str:
    """The text the user reads: in the ack, or else the first post to the response URL."""
    result = await stack.driver.command(command, text, user_id="U_ADMIN", channel_id="C_GENERAL")
    assert result.status == 200
    if isinstance(result.body, dict) and result.body.get("text"):
        return result.body["text"]
    post = await stack.standin.state.wait_for_response(result.response_url, timeout=5)
    return post.payload["text"]


def partners_calls(stack) -> list[str]:
    """Every Partners API call so far. A wrong argument is answered before any: counting one path
    would miss the call a fall-through makes elsewhere (`/campaign list` reads
    /v2/partners/affiliates/campaigns, `/earnings withdraw` the balance, `history` the report)."""
    return [f"{call.method} {call.path}" for call in stack.sandbox.state.calls]


def problem_then_usage(text: str, problem: str, usage_heading: str) -> None:
    assert text.startswith(problem), text
    # The usage follows the problem, so the user also sees how to write it.
    assert usage_heading in text and text.index(usage_heading) > text.index(problem)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("disable", "`/campaign disable` needs the campaign to stop: its slug or name"),
        ("list archived", "`archived` is not a list filter — use `active` or `disabled`."),
        ("list active now", "`/campaign list` takes at most one filter: `active` or `disabled`."),
        ("archive spring", "`archive` is not a `/campaign` subcommand."),
        ("new spring promo", "`/campaign new` takes nothing after it; the form asks for the details."),
    ],
)
async def test_campaign_wrong_arguments_name_the_problem_then_the_usage(stack, text, problem):
    said = await answer(stack, "/campaign", text)
    problem_then_usage(said, problem, "*/campaign* —")
    await asyncio.sleep(0.05)
    assert partners_calls(stack) == []
    assert stack.standin.state.calls("views.open") == []


async def test_campaign_stats_with_an_unknown_period_says_which_periods_exist(stack):
    said = await answer(stack, "/campaign", "stats 45")
    assert said.startswith("`45` is not a period I can show.")
    assert "`/campaign stats 7`" in said and "`/campaign stats 90`" in said


async def test_campaign_help_lists_every_subcommand_and_no_problem(stack):
    said = await answer(stack, "/campaign", "help")
    assert said.startswith("*/campaign* —")
    for usage in (
        "`/campaign new`",
        "`/campaign list",
        "`/campaign disable",
        "`/campaign stats",
        "`/campaign help`",
    ):
        assert usage in said


@pytest.mark.parametrize(
    ("text", "problem", "heading"),
    [
        ("blah", "`blah` is not an `/earnings` subcommand.", "*/earnings* —"),
        ("history 99", "`99` months is out of range: I can show 3 to 24.", "`/earnings history 12`"),
        ("history soon", "`soon` is not a number of months.", "`/earnings history 12`"),
        ("digest on 25:00", "`25:00` is not a time of day.", "/earnings digest on 09:00 Europe/Warsaw"),
        (
            "digest weekly",
            "`weekly` is not a digest subcommand — use `on`, `off` or `status`.",
            "*/earnings digest* —",
        ),
        ("withdraw 100", "`/earnings withdraw` takes no amount", "Run `/earnings withdraw` on its own"),
        ("withdrawals 5", "`/earnings withdrawals` takes nothing after it", "it lists your recent payouts"),
    ],
)
async def test_earnings_wrong_arguments_name_the_problem_then_the_usage(stack, text, problem, heading):
    said = await answer(stack, "/earnings", text)
    problem_then_usage(said, problem, heading)
    await asyncio.sleep(0.05)
    assert partners_calls(stack) == []


async def test_earnings_help_lists_every_subcommand_that_exists(stack):
    said = await answer(stack, "/earnings", "help")
    assert said.startswith("*/earnings* —")
    for usage in (
        "`/earnings history [3-24]`",
        "`/earnings withdraw`",
        "`/earnings withdrawals`",
        "`/earnings digest on [HH:MM] [Area/City]`",
        "`/earnings digest on weekly [Mon] [HH:MM] [Area/City]`",
        "`… on monthly [1] …`",
        "`/earnings digest off`",
        "`/earnings digest status`",
        "`/earnings help`",
    ):
        assert usage in said
    assert "not an `/earnings` subcommand" not in said


async def test_earnings_digest_help_is_the_digest_usage_without_a_problem(stack):
    said = await answer(stack, "/earnings", "digest help")
    assert said.startswith("*/earnings digest* —")
    assert "on weekly" in said and "on monthly" in said


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("11223306", "`/subscribe` takes no license number: run `/subscribe` on its own"),
        ("later", "`later` is not a `/subscribe` subcommand."),
    ],
)
async def test_subscribe_wrong_arguments_name_the_problem_then_the_usage(stack, text, problem):
    said = await answer(stack, "/subscribe", text)
    problem_then_usage(said, problem, "*/subscribe* —")
    await asyncio.sleep(0.05)
    assert stack.sandbox.state.count("GET", "/v2/partners/solutions/licenses") == 0


async def test_subscribe_help_is_the_usage_without_a_problem(stack):
    said = await answer(stack, "/subscribe", "help")
    assert said.startswith("*/subscribe* —")
