"""Names users type (a campaign named like a mention) stay text in every message the bot posts."""

from __future__ import annotations

from bot.campaigns.form import NAME_BLOCK
from tests.e2e.test_campaign import open_form, outcome_view

HOSTILE_NAME = "Promo <!channel> & <@U_GUEST>"


async def test_campaign_named_like_a_mention_never_pings_in_announcement_or_disable_reply(stack):
    view_id = await open_form(stack, channel_id="C_RANDOM")
    await stack.driver.view_submission(view_id, answers={NAME_BLOCK: HOSTILE_NAME})
    await outcome_view(stack, view_id, "Campaign created")
    post = await stack.standin.state.wait_for_call("chat.postMessage")
    assert "<!channel>" not in post.args["text"] and "<@U_GUEST>" not in post.args["text"]
    assert "&lt;!channel&gt;" in post.args["text"]

    slug = stack.sandbox.state.campaigns[-1]["slug"]
    result = await stack.driver.command("/campaign", f"disable {slug}")
    asked = await stack.standin.state.wait_for_response(result.response_url)
    button = asked.payload["blocks"][1]["accessory"]
    ephemeral = stack.standin.state.ephemerals(user="U_ADMIN")[-1]
    click = await stack.driver.block_action(button["action_id"], button["value"], message=ephemeral)
    done = await stack.standin.state.wait_for_response(click.response_url)
    for part in (done.payload["text"], str(done.payload["blocks"])):
        assert "Disabled" in part and "<!channel>" not in part and "&lt;!channel&gt;" in part
