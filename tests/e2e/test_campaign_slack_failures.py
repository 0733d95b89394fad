"""After LiveChat created a campaign, no Slack failure may undo, repeat or hide it (issue 14.5, 14.11).

The outcome is recorded (the submission's claim is `done`) before anything is posted, so an
announcement that times out neither releases the claim nor lets a Slack retry POST again, and the
creator is still told that the campaign exists.
"""

from __future__ import annotations

import json

import aiohttp

from bot.campaigns.create import SCOPE
from bot.campaigns.form import LINK_BLOCK, NAME_BLOCK
from bot.storage import ClaimState
from tests.e2e.blockkit import assert_valid_message, assert_valid_view
from tests.e2e.test_campaign import CAMPAIGNS, open_form, outcome_view


def slack_timeout(stack, seconds: float) -> None:
    """Make the bot's Slack calls time out after `seconds` (instead of 10 s) so a delay can outlast them.

    The Slack client uses the shared aiohttp session's timeout; aiohttp offers no public setter.
    """
    stack.services.http._timeout = aiohttp.ClientTimeout(total=seconds, connect=3)


async def campaign_claims(stack) -> list:
    from sqlalchemy import select

    from bot.storage.idempotency import IdempotencyKey

    async with stack.services.db.session() as session:
        rows = (await session.execute(select(IdempotencyKey).where(IdempotencyKey.scope == SCOPE))).scalars()
        return [row.state for row in rows]


async def test_announcement_timeout_after_creation_keeps_the_claim_and_a_retry_does_not_post_again(stack):
    state = stack.standin.state
    view_id = await open_form(stack, channel_id="C_RANDOM")
    form = state.views[view_id].view
    answers = {NAME_BLOCK: "Timeout webinar"}
    slack_timeout(stack, 0.3)  # every chat.postMessage (channel and DM) outlasts it
    state.delay("chat.postMessage", 1.0)

    first = await stack.driver.view_submission(form, answers=answers)
    assert first.response_action == "update"
    view = await outcome_view(stack, view_id, "Campaign created", timeout=8)
    assert_valid_view(view)
    text = str(view["blocks"])
    assert "Timeout webinar" in text and "is live" in text
    assert "Slack did not confirm the post in <#C_RANDOM> in time" in text
    assert "Copy the links from here" in text
    assert "may not have been created" not in text and "try again" not in text.lower()
    assert await campaign_claims(stack) == [ClaimState.DONE]

    state.delay("chat.postMessage", 0)
    retry = await stack.driver.view_submission(form, answers=answers, apply_response=False, retry_num=1)
    again = await stack.driver.view_submission(form, answers=answers, apply_response=False)
    assert retry.status == 200 and again.response_action == "update"
    await state.wait_for(
        lambda: [c for c in state.calls("views.update") if "hash" not in c.args][1:], timeout=5
    )
    assert stack.sandbox.state.count("POST", CAMPAIGNS) == 1
    shown = [c.args["view"] for c in state.calls("views.update") if "hash" not in c.args]
    assert all(v["title"]["text"] == "Campaign created" for v in shown)
    assert await campaign_claims(stack) == [ClaimState.DONE]


async def test_views_update_failing_after_creation_tells_the_creator_by_dm(stack):
    state = stack.standin.state
    view_id = await open_form(stack, channel_id="C_RANDOM")
    state.fail_next("views.update", "internal_error")
    await stack.driver.view_submission(view_id, answers={NAME_BLOCK: "Told by DM"})
    dm = await state.wait_for(lambda: [m for m in state.messages() if "Told by DM created" in m["text"]])
    assert stack.sandbox.state.count("POST", CAMPAIGNS) == 1
    assert "may" not in dm[0]["text"]


async def test_landing_url_with_pipe_and_angle_brackets_cannot_disguise_a_link_or_ping(stack):
    state = stack.standin.state
    view_id = await open_form(stack, channel_id="C_RANDOM")
    landing = "https://agency.example/lc?x=1|click-here><!channel>"  # no space: the form refuses those
    await stack.driver.view_submission(view_id, answers={NAME_BLOCK: "Pipes", LINK_BLOCK: landing})
    await outcome_view(stack, view_id, "Campaign created")
    post = await state.wait_for_call("chat.postMessage")
    message = {"text": post.args["text"], "blocks": post.args["blocks"]}
    assert_valid_message(message)
    everything = post.args["text"] + json.dumps(post.args["blocks"])
    assert "<!channel>" not in everything and "|click-here>" not in everything
    assert "%7Cclick" in everything  # the pipe stays part of the address, percent-encoded
