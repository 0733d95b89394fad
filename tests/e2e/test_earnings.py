"""`/earnings` through the real HTTP app, the Slack stand-in and the sandbox Partners API."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import aiohttp

from bot.money import format_money
from bot.offline.local_stack import start_local_stack
from bot.offline.sandbox import SandboxOptions
from handlers.earnings_blocks import SHARE_ACTION_ID
from tests.e2e.blockkit import assert_valid_message

EARNINGS = "/v2/partners/earnings"


async def test_earnings_acks_fast_and_replies_privately_with_valid_blocks(stack):
    stack.sandbox.state.latency = 0.8
    started = time.perf_counter()
    result = await stack.driver.command("/earnings", user_id="U_ADMIN")
    ack_seconds = time.perf_counter() - started
    assert result.status == 200
    # The ack must not wait for the Partners API (0.8 s here): Slack gives up at 3 s.
    assert ack_seconds < 0.7
    post = await stack.standin.state.wait_for_response(result.response_url, timeout=5)
    message = post.payload
    assert message["response_type"] == "ephemeral"
    assert_valid_message(message)
    text = str(message["blocks"])
    for label in ("Balance", "Pending", "Blocked", "Withdrawals", "Commission total", "last 30 days"):
        assert label in text
    assert "$16,519.12" in text
    assert "Affiliate program" in text and "Solution program" in text
    assert any(
        e.get("action_id") == SHARE_ACTION_ID for b in message["blocks"] for e in b.get("elements", [])
    )


async def test_2018_shape_shows_discount_and_no_program_breakdown():
    async with await start_local_stack(sandbox_options=SandboxOptions(earnings_shape="2018")) as stack:
        headers = {"Authorization": "Bearer sandbox-token"}
        async with aiohttp.ClientSession() as session:
            async with session.get(stack.sandbox.url + EARNINGS, headers=headers) as response:
                raw = await response.json()
        assert "commission" in raw and "commission_total" not in raw
        result = await stack.driver.command("/earnings")
        post = await stack.standin.state.wait_for_response(result.response_url, timeout=5)
        assert_valid_message(post.payload)
        text = str(post.payload["blocks"])
        for key in ("balance", "commission", "discount"):
            assert format_money(Decimal(str(raw[key]))) in text
        assert "Client discount" in text
        assert "Affiliate program" not in text


async def test_help_and_unknown_arguments_answer_usage_without_api_call(stack):
    for text in ("help", "bogus words"):
        result = await stack.driver.command("/earnings", text)
        assert result.status == 200
        assert "/earnings" in result.body["text"] and "Share in channel" in result.body["text"]
    await asyncio.sleep(0.1)
    # No call of any kind: a fall-through to another subcommand would read another path.
    assert [f"{c.method} {c.path}" for c in stack.sandbox.state.calls] == []


async def test_bad_signature_and_stale_timestamp_get_401_and_no_partners_call(stack):
    body = b"command=%2Fearnings&text=&user_id=U_ADMIN&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fr"
    wrong = stack.driver.sign(body)
    wrong["X-Slack-Signature"] = "v0=" + "0" * 64
    assert (await stack.driver.raw(body, wrong)).status == 401
    stale = stack.driver.sign(body, timestamp=int(time.time()) - 600)
    assert (await stack.driver.raw(body, stale)).status == 401
    assert (await stack.driver.raw(body, {})).status == 401
    await asyncio.sleep(0.1)
    assert stack.sandbox.state.count("GET", EARNINGS) == 0


async def test_users_outside_allowed_list_are_refused_without_api_call():
    overrides = {"allowed_user_ids": "U_ADMIN"}
    async with await start_local_stack(settings_overrides=overrides) as stack:
        result = await stack.driver.command("/earnings", user_id="U_MEMBER")
        assert result.status == 200
        assert "ALLOWED_USER_IDS" in result.body["text"]
        response_url = stack.standin.state.new_response_url(channel_id="C_GENERAL", user_id="U_MEMBER")
        clicked = await stack.driver.block_action(
            SHARE_ACTION_ID, "share", user_id="U_MEMBER", channel_id="C_GENERAL", response_url=response_url
        )
        assert clicked.status == 200
        notice = await stack.standin.state.wait_for_response(response_url, timeout=5)
        assert "ALLOWED_USER_IDS" in notice.payload["text"]
        await asyncio.sleep(0.2)
        assert stack.sandbox.state.count("GET", EARNINGS) == 0
        assert stack.standin.state.calls("chat.postMessage") == []


async def test_hundred_concurrent_commands_make_one_partners_call(stack):
    stack.sandbox.state.latency = 0.3
    results = await asyncio.gather(*(stack.driver.command("/earnings") for _ in range(100)))
    assert all(r.status == 200 for r in results)
    for result in results:
        await stack.standin.state.wait_for_response(result.response_url, timeout=10)
    assert stack.sandbox.state.count("GET", EARNINGS) == 1


async def test_share_posts_to_channel_saying_who_shared(stack):
    result = await stack.driver.command("/earnings", channel_id="C_GENERAL")
    post = await stack.standin.state.wait_for_response(result.response_url, timeout=5)
    clicked = await stack.driver.block_action(
        SHARE_ACTION_ID,
        "share",
        user_id="U_ADMIN",
        channel_id="C_GENERAL",
        message=post.payload,
        response_url=result.response_url,
    )
    assert clicked.status == 200
    call = await stack.standin.state.wait_for_call("chat.postMessage", timeout=5)
    assert call.args["channel"] == "C_GENERAL"
    assert_valid_message({"text": call.args["text"], "blocks": call.args["blocks"]})
    assert "shared by <@U_ADMIN>" in str(call.args["blocks"])
    assert "Share in channel" not in str(call.args["blocks"])


async def test_share_where_bot_is_not_a_member_says_how_to_invite(stack):
    stack.standin.state.fail_next("chat.postMessage", error="not_in_channel")
    result = await stack.driver.command("/earnings", channel_id="C_GENERAL")
    await stack.standin.state.wait_for_response(result.response_url, timeout=5)
    await stack.driver.block_action(
        SHARE_ACTION_ID, "share", user_id="U_ADMIN", channel_id="C_GENERAL", response_url=result.response_url
    )
    await stack.standin.state.wait_for(
        lambda: len(stack.standin.state.response_posts(result.response_url)) >= 2
    )
    notice = stack.standin.state.response_posts(result.response_url)[1].payload
    assert "/invite" in notice["text"]


async def test_rejected_token_tells_user_to_check_setting_and_never_shows_it(stack):
    stack.sandbox.state.fail_next(EARNINGS, 401, body={"error": {"message": "invalid token"}})
    result = await stack.driver.command("/earnings")
    post = await stack.standin.state.wait_for_response(result.response_url, timeout=5)
    assert "PARTNERS_API_TOKEN" in post.payload["text"]
    assert stack.settings.partners_api_token.get_secret_value() not in str(post.payload)


async def test_api_down_says_try_again(stack):
    stack.sandbox.state.fail_next(EARNINGS, 503, times=3)
    stack.services.partners.retry = type(stack.services.partners.retry)(backoff_base=0.01, backoff_max=0.02)
    result = await stack.driver.command("/earnings")
    post = await stack.standin.state.wait_for_response(result.response_url, timeout=5)
    assert "not answering" in post.payload["text"]
    assert stack.sandbox.state.count("GET", EARNINGS) == 3


async def test_healthz_answers_json(stack):
    async with aiohttp.ClientSession() as session, session.get(f"{stack.bot_url}/healthz") as response:
        assert response.status == 200
        assert (await response.json())["status"] == "ok"
