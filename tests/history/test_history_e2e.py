"""`/earnings history` and **Post chart** through the real app, the sandbox and the Slack stand-in."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bot.history.months import month_starts
from bot.money import format_money
from bot.offline.sandbox.reports import REPORTS_STATE
from bot.offline.slack_standin.files import png_problem, png_size
from handlers.history_blocks import POST_CHART_ACTION_ID
from tests.e2e.blockkit import assert_valid_message

REPORT = "/v2/partners/reports/commission"


def set_months(stack, amounts: list[float]) -> list[str]:
    """Give the sandbox these monthly totals for the months ending now; returns their `YYYY-MM` keys."""
    starts = month_starts(datetime.now(UTC), len(amounts))
    keys = [f"{s.year:04d}-{s.month:02d}" for s in starts]
    stack.sandbox.runner.app[REPORTS_STATE].monthly = dict(zip(keys, amounts, strict=True))
    return keys


async def history_reply(stack, text: str = "", user: str = "U_PARTNER") -> dict:
    result = await stack.driver.command("/earnings", text, user_id=user)
    assert result.status == 200
    post = await stack.standin.state.wait_for_response(result.response_url, timeout=5)
    return post.payload


async def test_history_lists_each_month_with_change_bar_total_and_best(stack):
    # The running month has nothing yet (the sandbox reports a part of a month pro rata).
    set_months(stack, [1000.0, 0.0, 2500.5, 1200.0, 3000.0, 0.0])
    message = await history_reply(stack, "history")
    assert_valid_message(message)
    assert message["response_type"] == "ephemeral"
    lines = message["blocks"][1]["text"]["text"].split("\n")
    assert len(lines) == 6
    assert "no commission" in lines[1] and "▼ $1,000.00" in lines[1]
    assert "$2,500.50" in lines[2] and "▲ $2,500.50" in lines[2]
    assert "█" in lines[4] and "(so far)* — no commission" in lines[5]
    assert lines[4].count("█") == 12  # the best month fills the bar
    summary = message["blocks"][2]["text"]["text"]
    assert format_money(Decimal("7700.50")) in summary and "Best month" in summary
    assert stack.sandbox.state.calls_to("GET", REPORT)[0].query["aggregation"] == "month"


async def test_history_month_count_is_checked_before_any_api_call(stack):
    for text in ("history 2", "history 25", "history lots"):
        message = await history_reply(stack, text)
        assert "3 to 24" in message["text"] or "3 to 24" in str(message["blocks"])
    assert stack.sandbox.state.count("GET", REPORT) == 0
    set_months(stack, [10.0] * 12)
    message = await history_reply(stack, "history 12")
    assert len(message["blocks"][1]["text"]["text"].split("\n")) == 12


async def test_post_chart_uploads_a_valid_png_through_the_three_steps(stack):
    set_months(stack, [1000.0, 0.0, 2500.5, 1200.0, 3000.0, 150.25])
    message = await history_reply(stack, "history")
    button = message["blocks"][-1]["elements"][0]
    assert button["action_id"] == POST_CHART_ACTION_ID
    clicked = await stack.driver.block_action(POST_CHART_ACTION_ID, button["value"], channel_id="C_GENERAL")
    assert clicked.status == 200
    state = stack.standin.state
    await state.wait_for_call("files.completeUploadExternal", timeout=30)  # first chart: font cache
    methods = [r.method for r in state.requests if r.method.startswith("files.")]
    assert methods == ["files.getUploadURLExternal", "files.completeUploadExternal"]
    (uploaded,) = state.files.values()
    assert uploaded.completed and uploaded.channels == ["C_GENERAL"]
    assert uploaded.data is not None and png_problem(uploaded.data) is None
    width, height = png_size(uploaded.data)
    assert width >= 800 and height >= 400  # readable once Slack scales it to its preview
    assert uploaded.title.startswith("Partner commission per month")
    assert "no commission" in uploaded.alt_txt and "$3,000.00" in uploaded.alt_txt
    notice = await state.wait_for_response(clicked.response_url, timeout=5)
    assert "Posted the chart" in notice.payload["text"]


async def test_post_chart_where_the_bot_is_not_a_member_says_how_to_fix_it(stack):
    set_months(stack, [1.0] * 6)
    stack.standin.state.channels["C_RANDOM"].bot_is_member = False
    clicked = await stack.driver.block_action(POST_CHART_ACTION_ID, "6", channel_id="C_RANDOM")
    notice = await stack.standin.state.wait_for_response(clicked.response_url, timeout=30)
    assert "/invite" in notice.payload["text"]
    assert not any(f.completed for f in stack.standin.state.files.values())


async def test_stand_in_refuses_bytes_that_are_not_a_png():
    assert png_problem(b"\x89PNG\r\n\x1a\n" + b"junk") is not None
    assert png_problem(b"GIF89a") == "not a PNG (bad signature)"
