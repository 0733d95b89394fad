"""`/earnings withdraw` and `/earnings withdrawals` through the real app, sandbox and stand-in."""

from __future__ import annotations

import asyncio
import json

from bot.money import format_money
from bot.payouts.audit import PayoutAudit
from tests.e2e.blockkit import assert_valid_message
from tests.payouts.helpers import BALANCE, WITHDRAWALS, click_confirm, confirm_button, posts, withdraw_prompt


async def audit(stack) -> list:
    return await PayoutAudit(stack.services.db, stack.services.clock).entries()


async def test_withdraw_shows_balance_minimum_and_a_confirmation_naming_the_amount(stack):
    available = stack.sandbox.state.balance()
    message = await withdraw_prompt(stack)
    assert_valid_message(message)
    text = str(message["blocks"])
    amount = format_money(__import__("decimal").Decimal(str(available)))
    assert amount in text and "$50.00" in text
    button = confirm_button(message)
    assert amount in button["text"]["text"]
    assert json.loads(button["value"])["amount"] == f"{available:.2f}"
    assert posts(stack) == 0  # showing the prompt sends nothing


async def test_confirm_requests_one_payout_and_a_double_click_sends_nothing_more(stack):
    before = len(stack.sandbox.state.withdrawals)
    value = confirm_button(await withdraw_prompt(stack))["value"]
    first, second = await asyncio.gather(
        click_confirm(stack, value), click_confirm(stack, value, retry_num=1)
    )
    assert posts(stack) == 1
    assert len(stack.sandbox.state.withdrawals) == before + 1
    for reply in (first, second):
        assert "requested" in reply["text"]
    third = await click_confirm(stack, value)  # a click much later: still the same answer
    assert posts(stack) == 1 and "requested" in third["text"]
    (entry,) = await audit(stack)
    assert entry.outcome == "requested" and entry.user_id == "U_ADMIN" and entry.api_status == 201
    assert entry.withdrawal_id == stack.sandbox.state.withdrawals[0]["withdrawal_id"]  # newest first


async def test_two_confirmations_of_the_same_balance_send_one_post(stack):
    one = confirm_button(await withdraw_prompt(stack))["value"]
    two = confirm_button(await withdraw_prompt(stack))["value"]
    assert one != two
    replies = await asyncio.gather(click_confirm(stack, one), click_confirm(stack, two))
    assert posts(stack) == 1
    assert sorted("already requested" in r["text"] for r in replies) == [False, True]


async def test_non_admins_are_refused_with_no_api_call(stack):
    message = await withdraw_prompt(stack, user="U_PARTNER")
    assert "Only Partners Bot admins" in message["text"]
    value = json.dumps({"request_id": "forged", "amount": "16519.12"})
    reply = await click_confirm(stack, value, user="U_PARTNER")
    assert "Only Partners Bot admins" in reply["text"]
    assert stack.sandbox.state.count(path_prefix=BALANCE) == 0
    assert stack.sandbox.state.count(path_prefix=WITHDRAWALS) == 0
    (entry,) = await audit(stack)
    assert entry.outcome == "refused" and entry.user_id == "U_PARTNER"


async def test_403_says_below_minimum_and_409_says_add_billing_details(stack):
    state = stack.sandbox.state
    value = confirm_button(await withdraw_prompt(stack))["value"]
    state.fail_next(WITHDRAWALS, 403, method="POST", body={"error": "<script>nope</script>"})
    reply = await click_confirm(stack, value)
    assert "below the $50 minimum" in reply["text"] and "script" not in str(reply)
    state.billing_info = None
    value = confirm_button(await withdraw_prompt(stack))["value"]
    reply = await click_confirm(stack, value)
    assert "add billing details in the Partner App first" in reply["text"]
    assert posts(stack) == 2 and len([w for w in state.withdrawals if w["status"] == "pending"]) == 1
    outcomes = [e.outcome for e in await audit(stack)]
    assert outcomes == ["no_billing", "below_minimum"]


async def test_below_minimum_balance_shows_no_confirm_button(stack):
    state = stack.sandbox.state
    state.earnings["blocked"] = state.balance() - 10
    message = await withdraw_prompt(stack)
    assert "below the $50.00 minimum" in message["text"]
    assert "withdraw_confirm" not in str(message)


async def test_timeout_after_the_payout_went_through_is_confirmed_by_re_reading(fast_stack):
    stack = fast_stack
    stack.sandbox.state.lose_withdrawal_answers = 1
    value = confirm_button(await withdraw_prompt(stack))["value"]
    reply = await click_confirm(stack, value)
    assert "withdrawals list now shows it as pending" in reply["text"]
    assert posts(stack) == 1
    reads = [c for c in stack.sandbox.state.calls_to("GET", WITHDRAWALS)]
    assert reads and reads[-1].time >= stack.sandbox.state.calls_to("POST", WITHDRAWALS)[0].time
    again = await withdraw_prompt(stack)  # the whole balance went out: nothing left to confirm
    assert "below the $50.00 minimum" in again["text"] and "withdraw_confirm" not in str(again)
    (entry,) = await audit(stack)
    assert (
        entry.outcome == "requested"
        and entry.withdrawal_id == stack.sandbox.state.withdrawals[0]["withdrawal_id"]
    )  # newest first


async def test_timeout_with_no_new_withdrawal_is_unknown_and_nothing_is_sent_again(fast_stack):
    stack = fast_stack
    state = stack.sandbox.state
    state.hang_next(WITHDRAWALS, 30, method="POST")  # never reaches the handler before the close
    value = confirm_button(await withdraw_prompt(stack))["value"]
    reply = await click_confirm(stack, value)
    assert "Not confirmed yet" in reply["text"] and "will not send it again" in reply["text"]
    other = confirm_button(await withdraw_prompt(stack))["value"]
    reply = await click_confirm(stack, other)
    assert "not confirmed yet" in reply["text"]
    assert posts(stack) == 1
    assert [e.outcome for e in await audit(stack)] == ["unknown", "unknown"]


async def test_withdrawals_lists_payouts_in_the_users_zone_with_dates_amount_and_invoice(stack):
    result = await stack.driver.command("/earnings", "withdrawals", user_id="U_GUEST")  # America/New_York
    post = await stack.standin.state.wait_for_response(result.response_url, timeout=5)
    message = post.payload
    assert_valid_message(message)
    lines = message["blocks"][1]["text"]["text"].split("\n")
    assert "pending" in lines[0] and "not paid yet" in lines[0]
    # 2024-12-30T14:20:00Z requested → 09:20 in New York; paid ones show their paid date too.
    assert "requested 2024-12-30 09:20" in lines[0]
    assert "$400.00" in lines[0] and "invoice `2024/6/brightdesk`" in lines[0]
    assert "paid 2024-11-06 07:00" in lines[1]  # 12:00 UTC
    assert "America/New_York" in str(message["blocks"][-1])


async def test_withdrawals_without_a_slack_zone_says_utc(stack):
    stack.standin.state.fail_next("users.info", "user_not_found")
    result = await stack.driver.command("/earnings", "withdrawals", user_id="U_ADMIN")
    post = await stack.standin.state.wait_for_response(result.response_url, timeout=5)
    assert "UTC (your Slack profile has no time zone)" in str(post.payload["blocks"])
    assert "requested 2024-12-30 14:20" in str(post.payload["blocks"])


async def test_withdraw_with_an_amount_explains_that_the_whole_balance_is_paid(stack):
    result = await stack.driver.command("/earnings", "withdraw 100", user_id="U_ADMIN")
    post = await stack.standin.state.wait_for_response(result.response_url, timeout=5)
    assert "takes no amount" in post.payload["text"]
    assert stack.sandbox.state.count(path_prefix=BALANCE) == 0 and posts(stack) == 0


async def test_a_5xx_is_an_unknown_outcome_that_is_re_read_before_anything_is_sent_again(stack):
    state = stack.sandbox.state
    state.fail_next(
        WITHDRAWALS, 502, method="POST", body="<html>Bad gateway SECRET-PAGE</html>", content_type="text/html"
    )
    value = confirm_button(await withdraw_prompt(stack))["value"]
    reads_before = state.count("GET", WITHDRAWALS)
    reply = await click_confirm(stack, value)
    assert "Not confirmed yet" in reply["text"] and "SECRET-PAGE" not in str(reply)
    assert state.count("GET", WITHDRAWALS) == reads_before + 2  # the baseline before, the re-read after
    again = await click_confirm(stack, confirm_button(await withdraw_prompt(stack))["value"])
    assert "not confirmed yet" in again["text"]
    assert posts(stack) == 1


async def test_an_unreadable_re_read_keeps_the_outcome_unknown_even_past_its_grace(stack):
    # The grace lets a payout that never appeared be tried again; a re-read that could not read
    # anything is no evidence of that, so nothing is sent until LiveChat can be read again.
    from datetime import timedelta

    state = stack.sandbox.state
    stack.services.payouts.unknown_grace = timedelta(0)
    state.fail_next(WITHDRAWALS, 502, method="POST")  # nothing created, but the outcome is unknown
    reply = await click_confirm(stack, confirm_button(await withdraw_prompt(stack))["value"])
    assert "Not confirmed yet" in reply["text"] and posts(stack) == 1
    value = confirm_button(await withdraw_prompt(stack))["value"]
    state.fail_next(WITHDRAWALS, 401, method="GET")  # the re-read fails (a 401 is not retried)
    again = await click_confirm(stack, value)
    assert "not confirmed yet" in again["text"]
    assert posts(stack) == 1  # a failed re-read released nothing
    readable = await click_confirm(stack, confirm_button(await withdraw_prompt(stack))["value"])
    assert posts(stack) == 2 and "requested" in readable["text"]  # read, nothing there: tried again
