"""Slack retries (`X-Slack-Retry-Num`) of requests already received run nothing a second time."""

from __future__ import annotations

import asyncio
import copy

import pytest

from bot.campaigns.form import COUPON_BLOCK, LINK_BLOCK, NAME_BLOCK, PRODUCT_BLOCK, TRIAL_BLOCK
from bot.offline.local_stack import LocalStack
from tests.e2e.support.flows import (
    CAMPAIGNS,
    SUB_PATH,
    TOKEN_PATH,
    confirmation,
    view_option,
    wait_for_result,
)


async def test_a_retried_earnings_command_posts_one_reply(hstack):
    hstack.sandbox.state.latency = 0.4  # the first attempt is still working when the retry lands
    first = await hstack.driver.command("/earnings", user_id="U_PARTNER")
    retry = await hstack.driver.command(
        "/earnings",
        user_id="U_PARTNER",
        response_url=first.response_url,
        trigger_id=first.trigger_id,
        retry_num=1,
    )
    assert first.status == retry.status == 200
    await hstack.standin.state.wait_for_response(first.response_url, timeout=5)
    await asyncio.sleep(0.6)  # time for a second (wrong) reply to arrive
    assert len(hstack.standin.state.response_posts(first.response_url)) == 1
    assert hstack.sandbox.state.count("GET", "/v2/partners/earnings") == 1


async def test_a_retry_whose_first_attempt_never_arrived_is_handled(hstack):
    """Another replica may have had the first attempt, or it was lost: then the retry must do the work."""
    result = await hstack.driver.command("/earnings", user_id="U_PARTNER", retry_num=1)
    post = await hstack.standin.state.wait_for_response(result.response_url, timeout=5)
    assert "Balance" in str(post.payload)


async def test_a_retried_share_click_posts_once(hstack):
    first = await hstack.driver.block_action("earnings_share", user_id="U_PARTNER", channel_id="C_GENERAL")
    await hstack.driver._send_payload(first.payload, retry_num=1, response_url=first.response_url)
    await hstack.standin.state.wait_for_call("chat.postMessage")
    await asyncio.sleep(0.3)
    assert len(hstack.standin.state.calls("chat.postMessage")) == 1


async def test_a_retried_campaign_submission_creates_one_campaign(hstack):
    state = hstack.standin.state
    opened = await hstack.driver.command("/campaign", "new", user_id="U_ADMIN")
    assert opened.status == 200
    stored = await state.wait_for(lambda: state.top_view("U_ADMIN"), timeout=5)
    await state.wait_for(lambda: state.calls("views.update") or True, timeout=1)
    view = copy.deepcopy(state.top_view("U_ADMIN").view if state.top_view("U_ADMIN") else stored.view)
    answers = {
        NAME_BLOCK: "Retry storm",
        PRODUCT_BLOCK: view_option(view, PRODUCT_BLOCK),
        TRIAL_BLOCK: None,
        COUPON_BLOCK: None,
        LINK_BLOCK: None,
    }
    hstack.sandbox.state.latency_by_path[CAMPAIGNS] = 0.5
    first = asyncio.create_task(hstack.driver.view_submission(view, answers=answers, user_id="U_ADMIN"))
    await asyncio.sleep(0.1)
    retry = await hstack.driver.view_submission(
        view, answers=answers, user_id="U_ADMIN", retry_num=1, apply_response=False
    )
    assert (await first).status == 200 and retry.status == 200
    await asyncio.sleep(1.0)
    assert hstack.sandbox.state.count("POST", CAMPAIGNS) == 1


# Subscriptions, and retries that land on another replica --------------------------------------


def forget_received_requests(stack: LocalStack) -> None:
    """Make the retry look as if it landed on another replica (no in-process memory of the first)."""
    stack.services.seen_requests.forget()


@pytest.mark.parametrize("replica", ["same", "other"])
async def test_a_retried_subscription_confirmation_posts_once(sub_hstack, replica):
    stack, lives = sub_hstack, sub_hstack.sandbox.state
    confirm = await confirmation(stack.driver, stack.standin.state)
    lives.latency_by_path[SUB_PATH] = 0.5  # the first attempt is still working when the retry lands
    first = asyncio.create_task(stack.driver.view_submission(confirm, apply_response=False))
    await asyncio.sleep(0.1)
    if replica == "other":
        forget_received_requests(stack)
    retry = await stack.driver.view_submission(confirm, apply_response=False, retry_num=1)
    assert (await first).status == 200 and retry.status == 200
    assert "Subscribed." in await wait_for_result(stack.standin.state, confirm["id"])
    # A late retry (Slack never saw the first ack) after it finished, on a replica that forgot it.
    forget_received_requests(stack)
    late = await stack.driver.view_submission(confirm, apply_response=False, retry_num=2)
    assert late.status == 200
    await asyncio.sleep(0.8)
    assert lives.count("POST", SUB_PATH) == 1
    assert lives.count("POST", TOKEN_PATH) + lives.count("GET", TOKEN_PATH) == 1  # the card tokenized once
    assert len(stack.standin.state.messages("C_GENERAL")) == 1, "one success note"


async def test_a_campaign_submission_retried_on_another_replica_creates_one_campaign(hstack):
    state = hstack.standin.state
    await hstack.driver.command("/campaign", "new", user_id="U_ADMIN")
    await state.wait_for(lambda: state.top_view("U_ADMIN"), timeout=5)
    view = copy.deepcopy(state.top_view("U_ADMIN").view)
    answers = {NAME_BLOCK: "Other replica", PRODUCT_BLOCK: view_option(view, PRODUCT_BLOCK)}
    hstack.sandbox.state.latency_by_path[CAMPAIGNS] = 0.5
    first = asyncio.create_task(hstack.driver.view_submission(view, answers=answers, user_id="U_ADMIN"))
    await asyncio.sleep(0.1)
    forget_received_requests(hstack)
    retry = await hstack.driver.view_submission(
        view, answers=answers, user_id="U_ADMIN", retry_num=1, apply_response=False
    )
    assert (await first).status == 200 and retry.status == 200
    forget_received_requests(hstack)
    late = await hstack.driver.view_submission(
        view, answers=answers, user_id="U_ADMIN", retry_num=2, apply_response=False
    )
    assert late.status == 200
    await asyncio.sleep(1.0)
    assert hstack.sandbox.state.count("POST", CAMPAIGNS) == 1
