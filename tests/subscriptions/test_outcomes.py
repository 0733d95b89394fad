"""Every Recurly and subscription failure reaches the modal; exactly one POST however people click."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.offline.sandbox.recurly_api import DECLINED_CARD, EXPIRED_CARD
from tests.subscriptions.conftest import (
    SUB_PATH,
    TOKEN_PATH,
    TRIAL,
    confirmation,
    make_stack,
    open_form,
    put_card,
    service_of,
    view_text,
    wait_for_result,
)


async def settled_claim(service, timeout: float = 10.0):
    """The license claim once the attempt holding it has recorded an outcome."""
    async with asyncio.timeout(timeout):
        while True:
            claim = await service.claims.get("subscription", TRIAL)
            if claim is not None and claim.state != "pending":
                return claim
            await asyncio.sleep(0.05)


async def confirm_and_wait(stack, **kwargs):
    confirm = await confirmation(stack, **kwargs)
    await stack.driver.view_submission(confirm["id"], user_id=kwargs.get("user_id", "U_ADMIN"))
    return view_text(await wait_for_result(stack, confirm["id"]))


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (409, None, "already subscribed"),
        (404, None, "license not found"),
        (
            400,
            {"error": {"message": "bad", "fields": {"seats": "too many for this plan"}}},
            "check: seats",  # the flagged field's name, never the API's own words
        ),
    ],
)
async def test_subscription_api_errors_reach_the_modal(sub_stack, status, body, expected):
    sub_stack.sandbox.state.fail_next(SUB_PATH, status, body=body, method="POST")
    text = await confirm_and_wait(sub_stack)
    assert expected in text
    assert "too many for this plan" not in text
    assert sub_stack.sandbox.state.count("POST", SUB_PATH) == 1
    assert sub_stack.standin.state.messages("C_GENERAL") == [], "no success note for a failure"


@pytest.mark.parametrize(
    ("number", "fault", "expected"),
    [
        (DECLINED_CARD, None, "Your card was declined"),
        (EXPIRED_CARD, None, "The card has expired — update it with `partners-bot cards import`"),
        (
            "4111111111111111",
            (200, {"error": {"code": "invalid_parameters", "fields": ["zip"]}}),
            "postal code",
        ),
        ("4111111111111111", (502, "<html>bad gateway</html>"), "not answering properly"),
    ],
)
async def test_recurly_errors_reach_the_modal_and_nothing_is_posted(sub_stack, number, fault, expected):
    await put_card(sub_stack, number)
    if fault is not None:
        status, body = fault
        kind = "text/html" if isinstance(body, str) else "application/json"
        sub_stack.sandbox.state.fail_next(TOKEN_PATH, status, body=body, content_type=kind)
    text = await confirm_and_wait(
        sub_stack,
        answers={
            "plan": "team",
            "seats": 2,
            "billing_cycle": "monthly",
            "card": f"{number[-4:]}:Agency Visa",
        },
    )
    assert expected in text
    assert sub_stack.sandbox.state.count("POST", SUB_PATH) == 0
    # A card problem is not final: after fixing it, the same license can be subscribed.
    await put_card(sub_stack)
    assert "Subscribed." in await confirm_and_wait(sub_stack)


async def test_double_confirm_and_slack_retry_make_one_post(sub_stack):
    sub_stack.sandbox.state.latency_by_path[SUB_PATH] = 0.3
    confirm = await confirmation(sub_stack)
    results = await asyncio.gather(
        *(sub_stack.driver.view_submission(confirm, apply_response=False) for _ in range(3)),
        sub_stack.driver.view_submission(confirm, apply_response=False, retry_num=1),
    )
    assert all(r.status == 200 for r in results)
    await sub_stack.standin.state.wait_for(lambda: sub_stack.sandbox.state.subscriptions.get(TRIAL))
    await asyncio.sleep(0.5)
    assert sub_stack.sandbox.state.count("POST", SUB_PATH) == 1
    assert sub_stack.sandbox.state.count("GET", TOKEN_PATH) == 1
    assert len(sub_stack.standin.state.messages("C_GENERAL")) == 1, "one success note"


async def test_two_admins_confirming_at_once_make_one_post(sub_stack):
    sub_stack.sandbox.state.latency_by_path[SUB_PATH] = 0.3
    first = await confirmation(sub_stack, user_id="U_ADMIN")
    second = await confirmation(sub_stack, user_id="U_PARTNER")
    await asyncio.gather(
        sub_stack.driver.view_submission(first["id"], user_id="U_ADMIN"),
        sub_stack.driver.view_submission(second["id"], user_id="U_PARTNER"),
    )
    texts = [view_text(await wait_for_result(sub_stack, v["id"])) for v in (first, second)]
    assert sub_stack.sandbox.state.count("POST", SUB_PATH) == 1
    assert sum("Subscribed." in t for t in texts) == 1
    assert sum("Already subscribed." in t for t in texts) == 1


async def test_timeout_after_the_post_was_applied_is_resolved_by_rereading_and_never_posts_twice(tmp_path):
    async with await make_stack(tmp_path, partners_timeout=0.5) as stack:
        await put_card(stack)
        # The sandbox creates the subscription after the client gave up waiting.
        stack.sandbox.state.hang_next(SUB_PATH, 1.2, method="POST")
        confirm = await confirmation(stack)
        await stack.driver.view_submission(confirm["id"])
        checking = await stack.standin.state.wait_for(
            lambda: "Checking whether" in view_text(stack.standin.state.views[confirm["id"]].view)
        )
        assert checking
        text = view_text(await wait_for_result(stack, confirm["id"]))
        assert "Subscribed." in text and "confirmed it after a slow answer" in text
        assert stack.sandbox.state.count("POST", SUB_PATH) == 1
        # Another try for the same license stops at the form: LiveChat shows it paid.
        assert "already subscribed" in view_text(await open_form(stack))
        assert stack.sandbox.state.count("POST", SUB_PATH) == 1


async def test_unknown_outcome_blocks_new_posts_until_the_grace_period(sub_stack):
    service = service_of(sub_stack)
    service.verify_seconds = 0.3
    sub_stack.sandbox.state.fail_next(SUB_PATH, 503, method="POST")
    assert "Not confirmed yet" in await confirm_and_wait(sub_stack)
    # The modal says "checking" while the first attempt still verifies; let it record its outcome.
    await settled_claim(service)
    assert "not confirmed yet" in await confirm_and_wait(sub_stack)
    assert sub_stack.sandbox.state.count("POST", SUB_PATH) == 1
    service.unknown_grace = timedelta(0)
    assert "Subscribed." in await confirm_and_wait(sub_stack)
    assert sub_stack.sandbox.state.count("POST", SUB_PATH) == 2


async def test_license_subscribed_elsewhere_before_confirm_is_rechecked_and_not_posted(sub_stack):
    confirm = await confirmation(sub_stack)
    sub_stack.sandbox.state.licenses[TRIAL]["paid"] = True
    await sub_stack.driver.view_submission(confirm["id"])
    assert "Already subscribed." in view_text(await wait_for_result(sub_stack, confirm["id"]))
    assert sub_stack.sandbox.state.count("POST", SUB_PATH) == 0
    assert sub_stack.sandbox.state.count("GET", TOKEN_PATH) == 0


async def test_success_note_goes_to_dm_when_bot_cannot_post_in_channel(sub_stack):
    sub_stack.standin.state.fail_next("chat.postMessage", error="not_in_channel")
    await confirm_and_wait(sub_stack)
    dm = await sub_stack.standin.state.wait_for(
        lambda: sub_stack.standin.state.messages(sub_stack.standin.state.dm_channel_id("U_ADMIN"))
    )
    assert dm[0]["text"].startswith("Team plan, 5 seats, annual — subscribed for Joe Doe Ltd")
