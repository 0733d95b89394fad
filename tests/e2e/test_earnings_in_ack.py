"""`/earnings` answered in the ack when the cached earnings are fresh, deferred when they are not.

Through the real HTTP app (signed slash commands), the Slack stand-in and the sandbox Partners API.
The earnings cache runs on the test's hand-moved clock, so "fresh" and "stale" need no sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.access import NOT_ALLOWED
from bot.clock import ManualClock
from bot.offline.local_stack import LocalStack, start_local_stack
from bot.partners.cache import SingleFlightCache
from tests.e2e.blockkit import assert_valid_message

EARNINGS = "/v2/partners/earnings"
TTL = 30.0
START = datetime(2026, 3, 2, 9, 15, 20, tzinfo=UTC)


@pytest.fixture
async def clocked() -> AsyncIterator[tuple[LocalStack, ManualClock]]:
    clock = ManualClock(START)
    stack = await start_local_stack(settings_overrides={"admin_user_ids": "U_ADMIN"}, clock=clock)
    stack.services.partners.earnings_cache = SingleFlightCache(TTL, clock=lambda: clock.now().timestamp())
    try:
        yield stack, clock
    finally:
        await stack.close()


async def no_more_posts(stack: LocalStack) -> None:
    """Let anything the bot might still send arrive (a later post would be a bug, not a slow test)."""
    await asyncio.sleep(0.3)


async def reload_landed(stack: LocalStack) -> None:
    """Wait (at most 5 s) until no earnings load is in flight."""
    cache = stack.services.partners.earnings_cache
    for _ in range(500):
        if not cache.loading("earnings"):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the earnings reload never finished")


async def test_fresh_earnings_come_back_in_the_ack_body_without_a_response_url_post(clocked):
    stack, clock = clocked
    first = await stack.driver.command("/earnings")
    assert first.body == ""  # cold cache: empty ack, the numbers follow on the response URL
    await stack.standin.state.wait_for_response(first.response_url)
    clock.advance(seconds=20)

    second = await stack.driver.command("/earnings")

    assert second.status == 200
    message = second.body
    assert message["response_type"] == "ephemeral"
    assert_valid_message(message)
    assert "Balance" in str(message["blocks"]) and "$16,519.12" in str(message["blocks"])
    context = next(b for b in message["blocks"] if b["type"] == "context")["elements"][0]["text"]
    # "As of" is when the numbers were fetched (20 s ago), not when they were shown.
    assert f"<!date^{int(START.timestamp())}^" in context
    assert "09:15 UTC" in context
    await no_more_posts(stack)
    assert stack.standin.state.response_posts(second.response_url, include_rejected=True) == []
    assert stack.sandbox.state.count("GET", EARNINGS) == 1


async def test_stale_earnings_ack_empty_and_post_the_new_numbers_once(clocked):
    stack, clock = clocked
    first = await stack.driver.command("/earnings")
    await stack.standin.state.wait_for_response(first.response_url)
    clock.advance(seconds=TTL + 1)

    stale = await stack.driver.command("/earnings")

    assert stale.status == 200 and stale.body == ""
    post = await stack.standin.state.wait_for_response(stale.response_url)
    assert post.payload["response_type"] == "ephemeral"
    assert_valid_message(post.payload)
    context = next(b for b in post.payload["blocks"] if b["type"] == "context")["elements"][0]["text"]
    assert f"<!date^{int(clock.now().timestamp())}^" in context
    await no_more_posts(stack)
    assert len(stack.standin.state.response_posts(stale.response_url, include_rejected=True)) == 1
    assert stack.sandbox.state.count("GET", EARNINGS) == 2


async def test_concurrent_commands_on_a_cold_cache_share_one_api_call(clocked):
    stack, _ = clocked
    stack.sandbox.state.latency = 0.3
    results = await asyncio.gather(*(stack.driver.command("/earnings") for _ in range(10)))
    assert all(r.status == 200 and r.body == "" for r in results)
    posts = await asyncio.gather(*(stack.standin.state.wait_for_response(r.response_url) for r in results))
    assert all("Balance" in str(p.payload["blocks"]) for p in posts)
    assert stack.sandbox.state.count("GET", EARNINGS) == 1


async def test_steady_commands_keep_the_cache_fresh_with_one_call_per_window(clocked):
    stack, clock = clocked
    first = await stack.driver.command("/earnings")
    await stack.standin.state.wait_for_response(first.response_url)
    in_ack = 0
    for _ in range(24):  # a command every 5 s for two minutes; the cache reloads at 25 s of age
        clock.advance(seconds=5)
        result = await stack.driver.command("/earnings")
        in_ack += isinstance(result.body, dict)
        await reload_landed(stack)
    assert in_ack == 24  # nobody waited for the API
    # The first load, then one per 25 s window over 120 s: at 25, 50, 75 and 100 s.
    assert stack.sandbox.state.count("GET", EARNINGS) == 5


async def test_fresh_numbers_in_the_ack_still_only_for_allowed_users():
    settings = {"admin_user_ids": "U_ADMIN", "allowed_user_ids": "U_ADMIN"}
    async with await start_local_stack(settings_overrides=settings) as stack:
        first = await stack.driver.command("/earnings", user_id="U_ADMIN")
        await stack.standin.state.wait_for_response(first.response_url)
        assert isinstance((await stack.driver.command("/earnings", user_id="U_ADMIN")).body, dict)
        refused = await stack.driver.command("/earnings", user_id="U_STRANGER")
        assert refused.status == 200
        assert "Balance" not in str(refused.body)  # the refusal notice, never the numbers
        assert refused.body["text"] == NOT_ALLOWED
