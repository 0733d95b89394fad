"""Oversized upstream strings never drop a whole message (14.8): a 300-character license id and a
5,000-character client name still give messages and modals Slack accepts, readable and cut with "…",
with action ids within 255 characters that are unique and still reach their listener."""

from __future__ import annotations

from tests.e2e.blockkit import assert_valid_message, assert_valid_view
from tests.subscriptions.conftest import SUB_PATH, TRIAL, confirmation, view_text, wait_for_result

HUGE_NAME = "Enormous Holdings " * 300  # 5,400 characters


def add_long_id_trials(stack) -> list[str]:
    """Two trials whose 300-character ids share their first 290 characters."""
    ids = ["L" * 290 + f"{n:010d}" for n in (1, 2)]
    template = stack.sandbox.state.licenses[TRIAL]
    for license_id in ids:
        stack.sandbox.state.licenses[license_id] = {
            **template,
            "license": license_id,
            "client_name": HUGE_NAME,
        }
    return ids


async def test_the_list_with_300_character_ids_and_a_huge_name_is_accepted_readable_and_routes(sub_stack):
    stack = sub_stack
    long_ids = add_long_id_trials(stack)
    result = await stack.driver.command("/subscribe", user_id="U_ADMIN", channel_id="C_GENERAL")
    listing = (await stack.standin.state.wait_for_response(result.response_url)).payload
    assert_valid_message(listing)
    assert stack.standin.state.response_posts(result.response_url), "accepted by the stand-in"
    accessories = [b["accessory"] for b in listing["blocks"] if "accessory" in b]
    action_ids = [a["action_id"] for a in accessories]
    assert all(len(a) <= 255 for a in action_ids) and len(set(action_ids)) == len(action_ids)
    block_ids = [b["block_id"] for b in listing["blocks"] if "block_id" in b]
    assert len(set(block_ids)) == len(block_ids)
    values = [a["value"] for a in accessories]
    assert set(long_ids) <= set(values), "the full id rides in the value"
    text = str(listing["blocks"])
    assert "Enormous Holdings" in text and "…" in text

    # The long id's button still reaches its listener, which says clearly why it cannot go on.
    button = next(a for a in accessories if a["value"] == long_ids[1])
    click = await stack.driver.block_action(
        button["action_id"], button["value"], user_id="U_ADMIN", channel_id="C_GENERAL"
    )
    answer = await stack.standin.state.wait_for_response(click.response_url)
    assert "longer than the 64 characters" in answer.payload["text"]
    assert stack.standin.state.calls("views.open") == []


async def test_a_5000_character_client_name_goes_through_the_whole_flow(sub_stack):
    stack = sub_stack
    stack.sandbox.state.licenses[TRIAL]["client_name"] = HUGE_NAME
    confirm = await confirmation(stack)
    assert_valid_view(confirm)
    assert "Enormous Holdings" in view_text(confirm) and "…" in view_text(confirm)
    await stack.driver.view_submission(confirm["id"])
    final = await wait_for_result(stack, confirm["id"])
    assert_valid_view(final)
    assert "Subscribed." in view_text(final)
    assert stack.sandbox.state.count("POST", SUB_PATH) == 1
    note = await stack.standin.state.wait_for(lambda: stack.standin.state.messages("C_GENERAL"))
    assert_valid_message({"text": note[0]["text"], "blocks": note[0]["blocks"]})
    assert "Enormous Holdings" in note[0]["text"] and "…" in note[0]["text"]
