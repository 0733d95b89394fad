"""Driving `/earnings withdraw` and its Confirm button like Slack would."""

from __future__ import annotations

from typing import Any

from handlers.withdraw_blocks import CONFIRM_ACTION_ID

WITHDRAWALS = "/v2/partners/withdrawals"
BALANCE = "/v2/partners/balance"


async def withdraw_prompt(stack: Any, user: str = "U_ADMIN") -> dict[str, Any]:
    result = await stack.driver.command("/earnings", "withdraw", user_id=user)
    assert result.status == 200
    post = await stack.standin.state.wait_for_response(result.response_url, timeout=5)
    return post.payload


def confirm_button(message: dict[str, Any]) -> dict[str, Any]:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == CONFIRM_ACTION_ID:
                return element
    raise AssertionError("no Confirm button")


async def click_confirm(
    stack: Any, value: str, user: str = "U_ADMIN", retry_num: int | None = None
) -> dict[str, Any]:
    clicked = await stack.driver.block_action(
        CONFIRM_ACTION_ID, value, user_id=user, channel_id="C_GENERAL", retry_num=retry_num
    )
    assert clicked.status == 200
    post = await stack.standin.state.wait_for_response(clicked.response_url, timeout=15)
    return post.payload


def posts(stack: Any) -> int:
    return stack.sandbox.state.count("POST", WITHDRAWALS)
