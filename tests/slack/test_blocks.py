"""The one place Slack's Block Kit limits are enforced: every helper, validated with slack-sdk."""

from __future__ import annotations

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.slack import blocks as kit
from tests.e2e.blockkit import assert_valid_message, assert_valid_view

LONG = "é" * 10_000


def valid(block: dict) -> None:
    parsed = Block.parse(block)
    assert parsed is not None
    parsed.validate_json()


@pytest.mark.parametrize("limit", [1, 2, 24, 75, 3000])
def test_truncate_cuts_to_exactly_the_limit_and_ends_with_an_ellipsis(limit):
    cut = kit.truncate(LONG, limit)
    assert len(cut) == limit and cut.endswith("…")
    assert kit.truncate("short", limit + 5) == "short"


def test_text_that_fits_is_left_alone_to_the_last_character():
    exact = "x" * kit.MAX_TEXT
    assert kit.section(exact)["text"]["text"] == exact
    assert kit.section(exact + "y")["text"]["text"] == "x" * (kit.MAX_TEXT - 1) + "…"


def test_section_text_and_fields_respect_3000_and_10_by_2000():
    block = kit.section(LONG, fields=[kit.field(LONG) for _ in range(14)], block_id="b" * 400)
    assert len(block["text"]["text"]) == 3000
    assert len(block["fields"]) == 10 and all(len(f["text"]) == 2000 for f in block["fields"])
    assert len(block["block_id"]) == 255
    valid(block)


def test_fields_built_by_hand_are_still_cut_by_the_section():
    block = kit.section(fields=[{"type": "mrkdwn", "text": LONG}])
    assert len(block["fields"][0]["text"]) == 2000


def test_header_is_cut_at_150():
    block = kit.header(LONG)
    assert len(block["text"]["text"]) == 150
    valid(block)


def test_options_are_at_most_100_with_text_75_and_value_150():
    opts = kit.options(kit.option(LONG, "v" * 500) for _ in range(130))
    assert len(opts) == 100
    assert all(len(o["text"]["text"]) == 75 and len(o["value"]) == 150 for o in opts)
    select = {"type": "static_select", "action_id": "a", "options": opts}
    valid(kit.input_block("Pick", select, block_id="pick"))


def test_button_ids_text_and_value_are_within_slack_limits():
    button = kit.button(LONG, action_id="a" * 300, value="v" * 3000, style="danger")
    assert len(button["action_id"]) == 255
    assert len(button["text"]["text"]) == 75
    assert len(button["value"]) == 2000 and button["style"] == "danger"
    valid(kit.actions([button], block_id="row"))


def test_confirm_dialog_limits():
    dialog = kit.confirm_dialog(LONG, LONG, confirm=LONG, deny=LONG, style="danger")
    assert [len(dialog[k]["text"]) for k in ("title", "text", "confirm", "deny")] == [100, 300, 30, 30]
    valid(kit.actions([kit.button("Go", action_id="go", value="1", confirm=dialog)]))


def test_context_keeps_at_most_10_elements_of_3000():
    block = kit.context(*[LONG] * 12, block_id="c")
    assert len(block["elements"]) == 10 and all(len(e["text"]) == 3000 for e in block["elements"])
    valid(block)


def test_a_message_keeps_50_blocks_the_last_saying_how_many_were_left_out():
    message = kit.message(LONG, [kit.section(f"line {i}") for i in range(70)])
    assert len(message["blocks"]) == 50
    assert message["blocks"][48]["text"]["text"] == "line 48"
    assert message["blocks"][-1]["elements"][0]["text"] == "… 21 more not shown"
    assert len(message["text"]) == 3000
    assert_valid_message(message)


def test_a_modal_has_100_blocks_and_24_character_title_submit_close():
    view = kit.modal(
        LONG,
        [kit.section(str(i)) for i in range(130)],
        callback_id="c" * 300,
        submit=LONG,
        close=LONG,
        private_metadata="{}",
    )
    assert len(view["blocks"]) == 100
    assert [len(view[k]["text"]) for k in ("title", "submit", "close")] == [24, 24, 24]
    assert len(view["callback_id"]) == 255 and view["private_metadata"] == "{}"
    View(**view).validate_json()
    assert_valid_view(view)


def test_limit_blocks_leaves_short_lists_alone():
    blocks = [kit.divider()] * 3
    assert kit.limit_blocks(blocks, 3) == blocks


def test_notice_message_has_its_text_as_fallback_and_one_section():
    notice = kit.notice_message("Shared in the channel.")
    assert notice == {
        "text": "Shared in the channel.",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Shared in the channel."}}],
    }
    long_notice = kit.notice_message(LONG)
    assert len(long_notice["text"]) == 3000 and len(long_notice["blocks"][0]["text"]["text"]) == 3000
    assert_valid_message(long_notice)
