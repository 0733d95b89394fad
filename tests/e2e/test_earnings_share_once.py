"""Share in channel posts exactly once per private summary, through the real app (issue 15.9)."""

from __future__ import annotations

import asyncio

from handlers.earnings_blocks import SHARE_ACTION_ID
from tests.e2e.blockkit import assert_valid_message


async def _summary(stack) -> dict:
    result = await stack.driver.command("/earnings", user_id="U_ADMIN", channel_id="C_GENERAL")
    post = await stack.standin.state.wait_for_response(result.response_url, timeout=5)
    # The ephemeral copy as Slack would send it back in the click: its channel and ts.
    return {**post.payload, "channel": "C_GENERAL", "ts": "1700000000.000100", "ephemeral": True}


def _click(stack, message: dict, user_id: str = "U_ADMIN"):
    response_url = stack.standin.state.new_response_url(
        channel_id="C_GENERAL", user_id=user_id, message_ts=message["ts"]
    )
    clicked = stack.driver.block_action(
        SHARE_ACTION_ID, "share", user_id=user_id, message=message, response_url=response_url
    )
    return response_url, clicked


async def test_two_concurrent_clicks_post_once_and_replace_the_private_message(stack):
    stack.sandbox.state.latency = 0.2  # both clicks are in flight while the first share runs
    message = await _summary(stack)
    (url_a, click_a), (url_b, click_b) = _click(stack, message), _click(stack, message)
    results = await asyncio.gather(click_a, click_b)
    assert all(r.status == 200 for r in results)
    for url in (url_a, url_b):
        await stack.standin.state.wait_for_response(url, timeout=10)
    assert len(stack.standin.state.calls("chat.postMessage")) == 1
    assert len(stack.standin.state.messages("C_GENERAL")) == 1
    for url in (url_a, url_b):
        replaced = stack.standin.state.response_posts(url)[0].payload
        assert replaced["replace_original"] is True
        assert_valid_message(replaced)
        assert "<@U_ADMIN> shared these earnings in the channel on <!date^" in replaced["text"]
        assert SHARE_ACTION_ID not in str(replaced["blocks"])


async def test_a_stale_button_clicked_later_by_someone_else_does_not_post_again(stack):
    message = await _summary(stack)
    url, click = _click(stack, message)
    await click
    first = (await stack.standin.state.wait_for_response(url, timeout=5)).payload
    later_url, later = _click(stack, message, user_id="U_MEMBER")
    await later
    again = (await stack.standin.state.wait_for_response(later_url, timeout=5)).payload
    assert len(stack.standin.state.calls("chat.postMessage")) == 1
    # The notice names the one who actually shared, at the time it happened.
    assert again["text"] == first["text"] and "<@U_ADMIN>" in again["text"]


async def test_a_failed_share_keeps_the_button_and_can_be_tried_again(stack):
    stack.standin.state.fail_next("chat.postMessage", error="not_in_channel")
    message = await _summary(stack)
    url, click = _click(stack, message)
    await click
    notice = (await stack.standin.state.wait_for_response(url, timeout=5)).payload
    assert "/invite" in notice["text"] and notice["replace_original"] is False
    retry_url, retry = _click(stack, message)
    await retry
    replaced = (await stack.standin.state.wait_for_response(retry_url, timeout=5)).payload
    assert replaced["replace_original"] is True and "shared these earnings" in replaced["text"]
    # The failed post left nothing in the channel; the retry posted the one copy.
    assert len(stack.standin.state.messages("C_GENERAL")) == 1
