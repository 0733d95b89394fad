"""An unconfirmed subscription says what is known and when the bot will know more (15.13).

An immediate 503 and a POST that got no answer in time are told apart; nothing says "checking" once
checking stopped; the lock's end is stated as a time; and `/subscribe` lists the license as being
confirmed, without a Create button, until then.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.subscriptions.service import Result
from tests.e2e.blockkit import assert_valid_message, assert_valid_view
from tests.subscriptions.conftest import (
    OTHER_TRIAL,
    SUB_PATH,
    TRIAL,
    confirmation,
    make_stack,
    put_card,
    service_of,
    view_text,
    wait_for_result,
)
from tests.subscriptions.test_outcomes import settled_claim


async def unconfirmed_view(stack) -> str:
    confirm = await confirmation(stack)
    await stack.driver.view_submission(confirm["id"])
    final = await wait_for_result(stack, confirm["id"])
    assert_valid_view(final)
    return view_text(final)


async def recorded_lock(stack) -> str:
    """The lock's end as the view must state it: "HH:MM UTC", from the recorded claim."""
    claim = await settled_claim(service_of(stack))
    recorded = Result.from_json(claim.result)
    assert recorded is not None
    at, ends = datetime.fromisoformat(recorded.at), datetime.fromisoformat(recorded.locked_until)
    assert ends - at == timedelta(minutes=15)
    return f"until {ends.astimezone(UTC):%H:%M} UTC (15 minutes after that request)"


async def listing(stack) -> dict:
    result = await stack.driver.command("/subscribe", user_id="U_ADMIN", channel_id="C_GENERAL")
    message = (await stack.standin.state.wait_for_response(result.response_url)).payload
    assert_valid_message(message)
    return message


def buttons(message: dict) -> list[str]:
    return [b["accessory"]["value"] for b in message["blocks"] if "accessory" in b]


async def test_an_immediate_503_is_told_as_such_with_the_lock_time_and_the_list_shows_it_being_confirmed(
    sub_stack,
):
    stack = sub_stack
    service_of(stack).verify_seconds = 0.3
    stack.sandbox.state.fail_next(SUB_PATH, 503, method="POST")
    text = await unconfirmed_view(stack)
    assert "Not confirmed yet." in text
    assert "at once with an error (HTTP 503)" in text and "in time" not in text
    assert "checking" not in text.lower() and "few minutes" not in text
    assert await recorded_lock(stack) in text

    message = await listing(stack)
    listed = str(message["blocks"])
    assert TRIAL not in buttons(message) and OTHER_TRIAL in buttons(message)
    assert "Being confirmed" in listed and "no new request until" in listed

    # Once the lock is over, the license is offered again (the attempt re-reads LiveChat first).
    service_of(stack).unknown_grace = timedelta(0)
    assert TRIAL in buttons(await listing(stack))


async def test_no_answer_in_time_is_told_as_such_with_the_lock_time(tmp_path):
    async with await make_stack(tmp_path, partners_timeout=0.3) as stack:
        await put_card(stack)
        service_of(stack).verify_seconds = 0.3
        stack.sandbox.state.hang_next(SUB_PATH, 3.0, method="POST")
        text = await unconfirmed_view(stack)
        assert "did not answer the subscription request in time" in text and "at once" not in text
        assert "checking" not in text.lower()
        assert await recorded_lock(stack) in text


async def test_a_second_try_while_locked_states_the_same_lock_time(sub_stack):
    stack = sub_stack
    service_of(stack).verify_seconds = 0.3
    stack.sandbox.state.fail_next(SUB_PATH, 503, method="POST")
    await unconfirmed_view(stack)
    lock = await recorded_lock(stack)
    text = await unconfirmed_view(stack)
    assert "earlier request for this license is not confirmed yet" in text and lock in text
    assert stack.sandbox.state.count("POST", SUB_PATH) == 1
