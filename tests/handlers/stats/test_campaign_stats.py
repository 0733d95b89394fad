"""`/campaign stats` end to end, against the documented performance report as the sandbox's answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.funnel import PeriodError, build_funnel, parse_days
from bot.offline.sandbox.reports import REPORTS_STATE
from bot.partners.reports import CampaignPerformance
from handlers.campaign_stats_blocks import stats_message, table_problems
from tests.e2e.blockkit import assert_valid_blocks
from tests.history.examples import example

PERFORMANCE = "/v2/partners/affiliates/performance"


def rows_of(message: dict) -> list[list[str]]:
    table = next(b for b in message["blocks"] if b["type"] == "table")
    return [[cell["text"] for cell in row] for row in table["rows"]]


def assert_valid_stats(message: dict) -> None:
    """slack-sdk validates the other blocks (and the table where it knows it); the table by hand."""
    assert message["text"]
    table = [b for b in message["blocks"] if b["type"] == "table"]
    assert len(table) <= 1  # one table per message
    for block in table:
        assert table_problems(block) == []
    others = [b for b in message["blocks"] if b["type"] != "table"]
    assert_valid_blocks(others)


async def stats(stack, text: str = "stats") -> dict:
    result = await stack.driver.command("/campaign", text, user_id="U_PARTNER")
    assert result.status == 200
    return (await stack.standin.state.wait_for_response(result.response_url, timeout=5)).payload


async def test_stats_figures_match_the_documented_report(stack):
    stack.sandbox.runner.app[REPORTS_STATE].performance_rows = example("get-performance-report.json")[
        "result"
    ]
    message = await stats(stack)
    assert_valid_stats(message)
    rows = rows_of(message)
    assert rows[0][0] == "Campaign" and rows[-1][0] == "Total"
    # Sorted by commission: Newsletter 7,284.20 > ad 3,141 > AI Campaign 1,961.60.
    assert [r[0] for r in rows[1:-1]] == [
        "Newsletter (LiveChat)",
        "ad (Partner Program)",
        "AI Campaign (ChatBot)",
    ]
    assert rows[1] == ["Newsletter (LiveChat)", "141", "58", "24", "41.1%", "41.4%", "$7,284.20"]
    assert rows[2][4:] == ["0.0%", "—", "$3,141.00"]  # 0 trials: no trial→paid rate is made up
    assert rows[3] == ["AI Campaign (ChatBot)", "72", "41", "23", "56.9%", "56.1%", "$1,961.60"]
    assert rows[-1] == ["Total", "367", "99", "47", "27.0%", "47.5%", "$12,386.80"]
    fallback = next(b for b in message["blocks"] if b["type"] == "section")["text"]["text"]
    assert "Newsletter (LiveChat)" in fallback and "$12,386.80" in fallback
    assert "$12,386.80" in message["text"]
    (call,) = stack.sandbox.state.calls_to("GET", PERFORMANCE)
    today = datetime.now(UTC).date()
    assert call.query == {"date_from": (today - timedelta(days=29)).isoformat(), "date_to": today.isoformat()}


async def test_stats_period_is_7_30_or_90_days_and_checked_before_any_call(stack):
    for text in ("stats 14", "stats week", "stats 7 8 9"):
        message = await stats(stack, text)
        assert "7" in message["text"] and "90" in message["text"]
    assert stack.sandbox.state.count("GET", PERFORMANCE) == 0
    message = await stats(stack, "stats 7")
    (call,) = stack.sandbox.state.calls_to("GET", PERFORMANCE)
    assert call.query["date_from"] == (datetime.now(UTC).date() - timedelta(days=6)).isoformat()
    assert "last 7 days" in message["text"]


async def test_campaigns_without_clicks_are_listed_as_such_and_the_rest_capped_at_ten(stack):
    base = example("get-performance-report.json")["result"][0]
    rows = [{**base, "campaign_name": f"Campaign {i:02d}", "commission": 100 + i} for i in range(13)]
    rows.append({**base, "campaign_name": "Silent", "clicks": 0, "trials": 0, "paid": 0, "commission": 0})
    stack.sandbox.runner.app[REPORTS_STATE].performance_rows = rows
    message = await stats(stack)
    assert_valid_stats(message)
    table = rows_of(message)
    assert len(table) == 12  # header, top 10, total
    assert table[1][0].startswith("Campaign 12") and table[10][0].startswith("Campaign 03")
    assert table[-1][1] == f"{141 * 13:,}"  # totals cover every campaign, not only the top 10
    context = str(message["blocks"][-1])
    assert "3 more campaigns" in context and "No clicks: Silent" in context


def test_parse_days():
    assert parse_days([]) == 30 and parse_days(["90", "days"]) == 90 and parse_days(["7d"]) == 7
    with pytest.raises(PeriodError):
        parse_days(["31"])


def test_a_table_over_slacks_limits_is_caught_by_the_shape_check():
    funnel = build_funnel(
        [CampaignPerformance(product="livechat", campaign_name="x" * 3000, clicks=1, commission=Decimal(1))],
        30,
    )
    message = stats_message(funnel, locale="en_US")
    table = next(b for b in message["blocks"] if b["type"] == "table")
    assert table_problems(table) == []  # names are shortened to fit
    table["rows"] = table["rows"] * 60
    assert any("rows" in p for p in table_problems(table))


def test_no_activity_says_so():
    message = stats_message(build_funnel([], 30), locale="en_US")
    assert "No campaign activity" in message["text"]
    assert_valid_blocks(message["blocks"])
