"""Builders given upstream values far past Slack's limits: the payload still validates, and what was
too long ends with "…" instead of being cut mid-word or refused by Slack.

Every value here comes from LiveChat (client, license and campaign names, amounts); nothing in the
builders bounds them, so the shared limits in bot/slack/blocks.py are what keeps Slack accepting them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.alerts.blocks import alert_message
from bot.alerts.store import Alert
from bot.digest.period_blocks import periodic_message
from bot.digest.periods import Cadence, Covered
from bot.funnel import build_funnel
from bot.partners.models import License
from bot.partners.reports import Balance, CampaignPerformance
from bot.slack.blocks import (
    ELLIPSIS,
    MAX_BUTTON_TEXT,
    MAX_HEADER,
    MAX_ID,
    MAX_TEXT,
    header,
    message,
    section,
)
from handlers.campaign_stats_blocks import HEADERS, MAX_NAME, stats_message, table_problems, text_table
from handlers.home_blocks import HomeData, home_view
from handlers.withdraw_blocks import withdraw_message
from tests.e2e.blockkit import assert_valid_blocks, assert_valid_message, assert_valid_view

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
LONG_CLIENT = "Client " + "x" * 5_000
LONG_CAMPAIGN = "Campaign " + "y" * 300
# The largest amount money formatting takes: Decimal's default 28 digits, two of them the cents.
LARGEST = Decimal("9" * 26 + ".99")


def texts(blocks: list[dict]) -> list[str]:
    """Every text object's text in `blocks` (sections, fields, headers, contexts, buttons)."""
    found = []
    for block in blocks:
        for key in ("text", "accessory"):
            value = block.get(key)
            if isinstance(value, dict) and isinstance(value.get("text"), str):
                found.append(value["text"])
            elif isinstance(value, dict) and isinstance(value.get("text"), dict):
                found.append(value["text"]["text"])
        found += [f["text"] for f in block.get("fields", [])]
        found += [e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
        found += [e["text"]["text"] for e in block.get("elements", []) if e.get("type") == "button"]
    return found


def test_home_with_a_5000_character_client_name_and_a_300_character_license():
    trial = License.model_validate(
        {
            "license": "9" * 300,
            "product": "livechat",
            "client_name": LONG_CLIENT,
            "payment_origin": "partner",
            "status": "trial",
            "end_timestamp": NOW + timedelta(days=2),
        }
    )
    view = home_view(
        HomeData(now=NOW, zone=ZoneInfo("UTC"), trials=[trial], active_campaigns=1, withdrawals=[]),
        is_admin=True,
    )
    assert_valid_view(view)
    [trial_block] = [b for b in view["blocks"] if b.get("block_id", "").startswith("home_trial_")]
    # The name fills the section up to Slack's limit and says it was cut; the id is cut (never "…").
    assert len(trial_block["text"]["text"]) == MAX_TEXT
    assert trial_block["text"]["text"].endswith(ELLIPSIS)
    assert len(trial_block["block_id"]) == MAX_ID
    assert len(trial_block["accessory"]["action_id"]) == MAX_ID


def test_home_warning_too_long_for_a_section_ends_with_an_ellipsis():
    errors = {"earnings_error": "x" * 5_000, "trials_error": "t", "campaigns_error": "c"}
    view = home_view(HomeData(now=NOW, zone=ZoneInfo("UTC"), withdrawals_error="w", **errors), is_admin=False)
    assert_valid_view(view)
    money_warning = next(t for t in texts(view["blocks"]) if t.startswith(":warning: xxx"))
    assert len(money_warning) == MAX_TEXT and money_warning.endswith(ELLIPSIS)


def test_campaign_stats_with_300_character_campaign_names():
    rows = [
        CampaignPerformance.model_validate(
            {
                "product": "livechat",
                "campaign_name": f"{LONG_CAMPAIGN} {i}",
                "clicks": 10 + i,
                "commission": i,
            }
        )
        for i in range(12)
    ] + [
        CampaignPerformance.model_validate(
            {"product": "livechat", "campaign_name": f"{LONG_CAMPAIGN} idle {i}", "commission": 0}
        )
        for i in range(30)
    ]
    message_ = stats_message(build_funnel(rows, 30), locale="en_US")
    table = [b for b in message_["blocks"] if b["type"] == "table"]
    assert len(table) == 1 and table_problems(table[0]) == []
    assert_valid_blocks([b for b in message_["blocks"] if b["type"] != "table"])
    first_name = table[0]["rows"][1][0]["text"]
    assert first_name.startswith("Campaign yyy") and ELLIPSIS in first_name
    assert len(first_name.split(" (")[0]) == MAX_NAME
    # The 20 idle names listed (each ~310 characters) fill the context note to the limit, with "…".
    [notes] = [b for b in message_["blocks"] if b["type"] == "context"]
    idle = next(e["text"] for e in notes["elements"] if e["text"].startswith("No clicks"))
    assert len(idle) == MAX_TEXT and idle.endswith(ELLIPSIS)


def test_campaign_stats_text_table_too_long_for_a_section_still_closes_its_code_block():
    rows = [list(HEADERS)] + [[f"{LONG_CAMPAIGN} {i}", *("1" * 40,) * (len(HEADERS) - 1)] for i in range(20)]
    text = text_table(rows)
    assert len(text) == MAX_TEXT
    assert text.startswith("```\nCampaign ") and text.endswith(f"{ELLIPSIS}\n```")
    assert_valid_blocks([section(text)])
    assert section(text)["text"]["text"] == text  # fits as it is: the section does not cut it again


def test_withdraw_confirmation_with_the_largest_amount_keeps_it_whole():
    # No amount formats past the button's 75 characters, so the limit must never cut one.
    balance = Balance.model_validate({"pending": 0, "withdrawn": 0, "available": LARGEST, "total": LARGEST})
    message_ = withdraw_message(balance, "req-1", locale="en_US")
    assert_valid_message(message_)
    [actions] = [b for b in message_["blocks"] if b["type"] == "actions"]
    assert actions["elements"][0]["text"]["text"] == "Confirm $99,999,999,999,999,999,999,999,999.99"
    assert len(actions["elements"][0]["text"]["text"]) <= MAX_BUTTON_TEXT


def test_period_digest_keeps_a_long_daily_header_out_and_the_largest_amounts_whole():
    daily = message("Daily digest", [header("Daily earnings " + "z" * 300), section("figures")])
    assert daily["blocks"][0]["text"]["text"].endswith(ELLIPSIS)
    span = Covered(
        date(2026, 2, 1),
        date(2026, 2, 28),
        datetime(2026, 2, 1, tzinfo=UTC),
        datetime(2026, 3, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    result = periodic_message(daily, Cadence("monthly"), span, LARGEST, Decimal(1), locale="en_US")
    assert_valid_message(result)
    assert result["blocks"][0]["text"]["text"] == "Monthly earnings · February 2026"
    assert len(result["blocks"][0]["text"]["text"]) <= MAX_HEADER
    commission = result["blocks"][1]["text"]["text"]
    assert commission.startswith("*Commission this month*\n$99,999,999,999,999,999,999,999,999.99")
    assert not commission.endswith(ELLIPSIS) and len(commission) <= MAX_TEXT


def test_trial_alert_with_a_5000_character_client_name():
    alert = Alert(
        id=1,
        channel_id="C1",
        license_id="4" * 300,
        threshold=3,
        product="livechat",
        client_name=LONG_CLIENT,
        plan=None,
        ends_at=NOW + timedelta(days=3),
        state="pending",
        claimed_by="test",
        claimed_at=NOW,
        attempts=0,
        message_ts=None,
        outcome=None,
        outcome_by=None,
    )
    message_ = alert_message(alert, NOW, ZoneInfo("UTC"))
    assert_valid_message(message_)
    facts = message_["blocks"][0]
    assert len(facts["text"]["text"]) == MAX_TEXT and facts["text"]["text"].endswith(ELLIPSIS)
    assert len(facts["block_id"]) == MAX_ID and len(facts["accessory"]["action_id"]) == MAX_ID
