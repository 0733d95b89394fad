"""`/earnings` Block Kit builders: valid for Slack, readable, and faithful to what the API sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from bot.partners.models import Earnings
from bot.slack.blocks import notice_message
from handlers.earnings_blocks import (
    SHARE_ACTION_ID,
    USAGE,
    earnings_message,
    earnings_text,
    program_blocks,
    slack_date,
)
from tests.earnings_samples import EARNINGS_2018, EARNINGS_TODAY

NBSP = "\xa0"
AS_OF = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)


def earnings(body: dict[str, Any]) -> Earnings:
    return Earnings.model_validate(body)


def validate(message: dict[str, Any]) -> None:
    assert isinstance(message["text"], str) and message["text"].strip()
    blocks = message["blocks"]
    assert 0 < len(blocks) <= 50
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, raw
        block.validate_json()
        assert block.to_dict()["type"] == raw["type"]
        if raw["type"] == "section":
            assert len(raw.get("fields", [])) <= 10
            assert raw.get("text") or raw.get("fields")


def all_text(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "button"
    ]


def field_texts(message: dict[str, Any]) -> list[str]:
    return [f["text"] for b in message["blocks"] if b["type"] == "section" for f in b.get("fields", [])]


@pytest.mark.parametrize("body", [EARNINGS_2018, EARNINGS_TODAY], ids=["2018", "today"])
@pytest.mark.parametrize("shared_by", [None, "U123ABC"])
@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
def test_message_is_valid_block_kit(body, shared_by, locale):
    validate(earnings_message(earnings(body), locale=locale, as_of=AS_OF, shared_by=shared_by))


def test_validate_helper_catches_violations():
    # The check the tests rely on really rejects a section with 11 fields.
    bad = {"type": "section", "fields": [{"type": "mrkdwn", "text": str(i)} for i in range(11)]}
    with pytest.raises(SlackObjectFormationError):
        Block.parse(bad).validate_json()


def test_today_shape_en_us_money_and_breakdown():
    message = earnings_message(earnings(EARNINGS_TODAY), locale="en_US", as_of=AS_OF)
    fields = field_texts(message)
    assert "*Balance*\n$16,519.12" in fields
    assert "*Pending*\n$120.05" in fields
    assert "*Blocked*\n$10.00" in fields
    assert "*Withdrawals*\n$9,252.50" in fields
    assert "*Commission total*\n$25,771.62" in fields
    assert "*Commission, last 30 days*\n$1,203.30" in fields
    assert not any(f.startswith("*Client discount*") for f in fields)
    text = all_text(message)
    assert "Affiliate program" in text
    assert "Solution program (reselling)" in text
    assert "total $20,000.10" in text
    assert "*LiveChat*\\n$15,000.10 total\\n$800.00 last 30 days" in text
    assert "*ChatBot*\\n$5,000.00 total\\n$200.00 last 30 days" in text
    assert "$1,442.88 client discount" in text
    assert sum(1 for b in message["blocks"] if b["type"] == "divider") == 2


def test_today_shape_de_de_money():
    message = earnings_message(earnings(EARNINGS_TODAY), locale="de_DE", as_of=AS_OF)
    assert f"*Balance*\n16.519,12{NBSP}$" in field_texts(message)
    assert f"16.519,12{NBSP}$" in message["text"]
    assert "$16,519.12" not in all_text(message)


def test_2018_shape_has_discount_and_no_breakdown():
    message = earnings_message(earnings(EARNINGS_2018), locale="en_US", as_of=AS_OF)
    fields = field_texts(message)
    assert "*Balance*\n$641.50" in fields
    assert "*Commission total*\n$9,894.00" in fields
    assert "*Client discount*\n$21,569.80" in fields
    assert "*Commission, last 30 days*\n—" in fields
    text = all_text(message)
    assert "Affiliate program" not in text
    assert "Solution program" not in text
    assert not any(b["type"] == "divider" for b in message["blocks"])


def test_only_programs_the_api_sent():
    body = {k: v for k, v in EARNINGS_TODAY.items() if k != "solution"}
    message = earnings_message(earnings(body), locale="en_US", as_of=AS_OF)
    text = all_text(message)
    assert "Affiliate program" in text
    assert "Solution program" not in text
    assert "client discount" not in text


def test_text_fallback():
    today = earnings_text(earnings(EARNINGS_TODAY), "en_US")
    assert today == (
        "Partner earnings: balance $16,519.12, pending $120.05, "
        "commission total $25,771.62, commission in the last 30 days $1,203.30"
    )
    old = earnings_text(earnings(EARNINGS_2018), "en_US")
    assert old == "Partner earnings: balance $641.50, pending $0.00, commission total $9,894.00"
    message = earnings_message(earnings(EARNINGS_2018), locale="en_US", as_of=AS_OF)
    assert message["text"] == old


def test_private_message_has_share_button():
    message = earnings_message(earnings(EARNINGS_TODAY), locale="en_US", as_of=AS_OF)
    (button,) = buttons(message)
    assert button["action_id"] == SHARE_ACTION_ID
    assert button["text"]["text"] == "Share in channel"
    assert "shared by" not in all_text(message)


def test_shared_copy_has_no_button_and_names_sharer():
    message = earnings_message(earnings(EARNINGS_TODAY), locale="en_US", as_of=AS_OF, shared_by="U0SHARER")
    assert buttons(message) == []
    assert not any(b["type"] == "actions" for b in message["blocks"])
    (context,) = [b for b in message["blocks"] if b["type"] == "context"]
    assert "shared by <@U0SHARER>" in context["elements"][0]["text"]
    # The figures are the same as in the private copy.
    private = earnings_message(earnings(EARNINGS_TODAY), locale="en_US", as_of=AS_OF)
    assert field_texts(message) == field_texts(private)


def test_context_has_slack_date_token():
    message = earnings_message(earnings(EARNINGS_2018), locale="en_US", as_of=AS_OF)
    (context,) = [b for b in message["blocks"] if b["type"] == "context"]
    assert f"<!date^{int(AS_OF.timestamp())}^" in context["elements"][0]["text"]
    assert slack_date(AS_OF) == "<!date^1714566600^{date_short_pretty} at {time}|2024-05-01 12:30 UTC>"


def many_products(n: int) -> dict[str, Any]:
    products = {f"product_{i}": {"commission_total": i, "discount": i / 2} for i in range(n)}
    return {
        **EARNINGS_TODAY,
        "affiliate": {"commission_total": 1, **products},
        "solution": {"commission_total": 2, **products},
    }


@pytest.mark.parametrize("n", [9, 10, 11, 40])
def test_many_products_stay_within_slack_limits(n):
    message = earnings_message(earnings(many_products(n)), locale="en_US", as_of=AS_OF)
    validate(message)
    for block in message["blocks"]:
        assert len(block.get("fields", [])) <= 10
    assert len(message["blocks"]) <= 50
    assert "*Product 0*" in all_text(message)
    assert ("*Product 9*" in all_text(message)) == (n >= 10)


def test_program_block_unknown_product_name_and_missing_figures():
    program = earnings(
        {**EARNINGS_2018, "affiliate": {"partner_program": {}, "new_thing": {"commission_total": "3.5"}}}
    ).programs["affiliate"]
    (block,) = program_blocks("affiliate", program, "en_US")
    Block.parse(block).validate_json()
    assert block["text"]["text"] == "*Affiliate program*"
    texts = [f["text"] for f in block["fields"]]
    assert texts == ["*Partner Program*\n—", "*New Thing*\n$3.50 total"]


def test_notice_and_usage():
    message = notice_message(USAGE)
    assert message["text"] == USAGE
    validate(message)
