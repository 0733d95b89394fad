"""A redirect on the subscription POST, through the real app: reported as not created, nothing kept.

Writes never follow redirects (a redirected POST could resend the card token anywhere), so a 302
changed nothing at LiveChat: the admin is told so, no `done` claim is left, and trying again works.
"""

from __future__ import annotations

from bot.storage import IdempotencyStore
from bot.subscriptions.service import LICENSE_SCOPE
from tests.subscribe.conftest import SUB_PATH, TRIAL, confirmation, view_text, wait_for_result


async def test_302_on_the_subscription_post_is_not_created_and_leaves_no_claim(sub_stack):
    stack = sub_stack
    stack.sandbox.state.fail_next(SUB_PATH, 302, body="", content_type="text/plain", method="POST")
    confirm = await confirmation(stack)
    await stack.driver.view_submission(confirm["id"])
    text = view_text(await wait_for_result(stack, confirm["id"]))
    assert "Not subscribed." in text and "redirect" in text and "nothing was charged" in text
    assert stack.sandbox.state.count("POST", SUB_PATH) == 1
    assert TRIAL not in stack.sandbox.state.subscriptions
    assert stack.standin.state.messages("C_GENERAL") == [], "no success note"
    claims = IdempotencyStore(stack.services.db, stack.services.clock)
    assert await claims.get(LICENSE_SCOPE, TRIAL) is None  # released: no `done`, no `unknown`

    again = await confirmation(stack)
    await stack.driver.view_submission(again["id"])
    assert "Subscribed." in view_text(await wait_for_result(stack, again["id"]))
    assert stack.sandbox.state.count("POST", SUB_PATH) == 2
