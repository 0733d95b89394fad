"""Redirects on money and campaign writes, through the real app: reported as "not created" (14.1).

Writes never follow redirects (a redirected POST could resend the card token anywhere, and a 302/303
followed as a GET answers 200 from the new address), so a 3xx changed nothing at LiveChat: the user
is told so, no `done` claim is left, and trying again works. Each fault carries a Location that
answers 200, so a client that followed the redirect would report a success that never happened.
"""

from __future__ import annotations

import pytest

from bot.storage import IdempotencyStore
from bot.subscriptions.service import LICENSE_SCOPE
from tests.e2e.test_campaign import CAMPAIGNS, open_form, outcome_view
from tests.subscriptions.conftest import SUB_PATH, TRIAL, confirmation, view_text, wait_for_result

REDIRECTS = (301, 302, 303, 307, 308)


def redirect_to_a_200(stack, path: str, status: int, method: str) -> None:
    """The next `method` on `path` answers `status` pointing at a page that answers 200."""
    stack.sandbox.state.fail_next(
        path,
        status,
        body="",
        content_type="text/plain",
        method=method,
        location=f"{stack.sandbox.url}/v2/partners/solutions/licenses/livechat/{TRIAL}",
    )


@pytest.mark.parametrize("status", REDIRECTS)
async def test_redirect_on_the_subscription_post_is_not_created_and_leaves_no_claim(sub_stack, status):
    stack = sub_stack
    redirect_to_a_200(stack, SUB_PATH, status, "POST")
    confirm = await confirmation(stack)
    reads = stack.sandbox.state.count("GET", f"{SUB_PATH}{TRIAL}")
    await stack.driver.view_submission(confirm["id"])
    text = view_text(await wait_for_result(stack, confirm["id"]))
    assert "Not subscribed." in text and "redirect" in text and "nothing was charged" in text
    assert stack.sandbox.state.count("POST", SUB_PATH) == 1
    # The re-check before paying, and no GET to the Location (the redirect was not followed).
    assert stack.sandbox.state.count("GET", f"{SUB_PATH}{TRIAL}") == reads + 1
    assert TRIAL not in stack.sandbox.state.subscriptions
    assert stack.standin.state.messages("C_GENERAL") == [], "no success note"
    claims = IdempotencyStore(stack.services.db, stack.services.clock)
    assert await claims.get(LICENSE_SCOPE, TRIAL) is None  # released: no `done`, no `unknown`

    again = await confirmation(stack)
    await stack.driver.view_submission(again["id"])
    assert "Subscribed." in view_text(await wait_for_result(stack, again["id"]))
    assert stack.sandbox.state.count("POST", SUB_PATH) == 2


@pytest.mark.parametrize("status", REDIRECTS)
async def test_redirect_on_campaign_creation_says_not_created_and_keeps_the_form(stack, status):
    redirect_to_a_200(stack, CAMPAIGNS, status, "POST")
    view_id = await open_form(stack)
    await stack.driver.view_submission(view_id, answers={"campaign_name": "Redirected"})
    view = await outcome_view(stack, view_id)
    text = str(view["blocks"])
    assert view["title"]["text"] != "Campaign created"
    assert "The campaign was not created" in text and "redirect" in text
    assert stack.sandbox.state.count("POST", CAMPAIGNS) == 1
    assert not any(c["name"] == "Redirected" for c in stack.sandbox.state.campaigns)
    assert stack.standin.state.calls("chat.postMessage") == []


@pytest.mark.parametrize("status", REDIRECTS)
async def test_redirect_on_disable_says_nothing_was_disabled(stack, status):
    result = await stack.driver.command("/campaign", "disable agency NEWSLETTER")
    post = await stack.standin.state.wait_for_response(result.response_url)
    button = post.payload["blocks"][1]["accessory"]
    (ephemeral,) = stack.standin.state.ephemerals(user="U_ADMIN")
    redirect_to_a_200(stack, CAMPAIGNS, status, "DELETE")
    click = await stack.driver.block_action(button["action_id"], button["value"], message=ephemeral)
    answer = await stack.standin.state.wait_for_response(click.response_url)
    assert "Nothing was disabled." in answer.payload["text"] and "redirect" in answer.payload["text"]
    assert stack.sandbox.state.count("DELETE", CAMPAIGNS) == 1
    assert next(c for c in stack.sandbox.state.campaigns if c["slug"] == "pp_agency_newsletter")["active"]
