"""Every message and view the bot builds stays valid Block Kit with big, hostile inputs.

60 campaigns, 120 licenses and cards, 150 coupons, long names with emoji and mrkdwn control
characters: each build is validated with slack_sdk's models and checked for duplicate ids.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.campaigns.form import FormValues
from bot.partners.models import Campaign, Coupon, Earnings, License
from bot.subscriptions.orders import Order
from bot.subscriptions.service import Outcome, Result
from bot.vault.store import CardSummary
from handlers import campaign_views as cv
from handlers import earnings_blocks as eb
from handlers import subscribe_views as sv
from handlers.subscribe_list_blocks import license_list_message
from tests.e2e.blockkit import assert_valid_message, assert_valid_view

HOSTILE = "Ω🎉 <!channel> & <@U999> *bold* "  # 32 characters
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _ids(blocks: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    block_ids = [b["block_id"] for b in blocks if b.get("block_id")]
    action_ids = []
    for block in blocks:
        elements = list(block.get("elements", [])) if block["type"] == "actions" else []
        elements += [block[k] for k in ("accessory", "element") if k in block]
        action_ids += [e["action_id"] for e in elements if "action_id" in e]
    return block_ids, action_ids


def check_message(message: dict[str, Any]) -> None:
    assert_valid_message(message)
    block_ids, action_ids = _ids(message["blocks"])
    assert len(block_ids) == len(set(block_ids)) and len(action_ids) == len(set(action_ids))
    assert "<!channel>" not in message["text"] and "<@U999>" not in message["text"]


def check_view(view: dict[str, Any]) -> None:
    assert_valid_view(view)
    block_ids, action_ids = _ids(view["blocks"])
    assert len(block_ids) == len(set(block_ids)) and len(action_ids) == len(set(action_ids))
    assert len(view.get("private_metadata", "")) <= 3000


def _campaign(i: int) -> Campaign:
    return Campaign(
        product="livechat",
        name=(HOSTILE * 4)[:96] + f"{i:04d}",
        slug=f"pp_{i}_" + "x" * 90,
        url="https://www.livechat.com/?a=" + "a" * 300,
        short_url="https://lc.chat/" + "b" * 40,
        creation_timestamp=1_700_000_000 + i,
        trial_duration=30,
        discount=(HOSTILE * 3)[:100],  # a coupon label, as hostile as the name
    )


CAMPAIGNS = [_campaign(i) for i in range(60)]
ORDER = Order(
    license_id="12345678",
    client_name=(HOSTILE * 7)[:200],
    plan="team",
    seats=5,
    billing_cycle="annual",
    card_label="L" * 64,
    card_last4="4242",
    channel_id="C_GENERAL",
    request_id="a" * 32,
)


@pytest.mark.parametrize("page", [1, 3, 6, 99])
def test_campaign_list_pages_of_sixty(page: int):
    check_message(cv.campaign_list_message(CAMPAIGNS, page=page))


def test_campaign_disable_confirmation_with_many_matches():
    check_message(cv.disable_confirmation(CAMPAIGNS))
    check_message(cv.not_found_message(HOSTILE * 3, disabled=CAMPAIGNS[0]))


def test_campaign_announcement_fallback_text_cannot_ping_the_channel():
    message = cv.announcement_message(
        CAMPAIGNS[0], created_by="U_ADMIN", coupon_label=HOSTILE, preface=HOSTILE
    )
    check_message(message)
    assert "&lt;!channel&gt;" in message["text"]


def test_campaign_views_with_150_coupons_and_long_errors():
    coupons = [Coupon(id=i, label=HOSTILE * 4) for i in range(150)]
    check_view(cv.create_modal(channel_id="C_GENERAL", coupons=cv.CouponChoices.ready(coupons)))
    check_view(
        cv.create_modal(
            channel_id="C_GENERAL",
            coupons=cv.CouponChoices(problem=HOSTILE * 20),
            values=FormValues(name=HOSTILE * 4, coupon_id="7", link="https://x.example/" + "a" * 500),
            field_errors={"campaign_name": HOSTILE * 20, "not_a_block": HOSTILE},
            general=HOSTILE * 20,
        )
    )
    check_view(cv.working_view(HOSTILE * 3, "C_GENERAL"))
    check_view(cv.result_view(CAMPAIGNS[0], coupon_label=HOSTILE, delivery_note=HOSTILE * 10))


def test_subscribe_list_of_120_licenses_with_long_names():
    licenses = [
        License(
            license=str(10_000_000 + i), product="livechat", client_name=HOSTILE * 9, payment_origin="partner"
        )
        for i in range(120)
    ]
    now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    check_message(license_list_message(licenses, now=now, zone=ZoneInfo("UTC"), vault_note=HOSTILE * 5))


def test_subscribe_views_with_120_cards_and_every_outcome():
    cards = [
        CardSummary(label="L" * 60 + f"{i:03d}", brand="visa", last4="4242", exp_month=1, exp_year=2030)
        for i in range(120)
    ]
    prices = {"starter": Decimal("20"), "team": Decimal("41"), "business": Decimal("59")}
    check_view(
        sv.form_view(
            license_id="12345678",
            client_name=HOSTILE * 9,
            channel_id="C_GENERAL",
            cards=cards,
            plan_prices=prices,
            locale="en_US",
            seats=5,
        )
    )
    check_view(sv.confirmation_view(ORDER, prices, "en_US"))
    check_view(sv.progress_view(ORDER))
    for outcome in Outcome:
        result = Result(outcome=outcome, detail=HOSTILE * 5, fields={f"f{i}": "x" * 150 for i in range(30)})
        check_view(sv.result_view(ORDER, result))
    check_message(sv.success_note(ORDER, "U_ADMIN"))


def test_earnings_with_many_products():
    earnings = Earnings.model_validate(
        {
            "balance": "123456789.99",
            "commission_total": 2,
            "affiliate": {
                "commission_total": 3,
                **{f"product_{i}": {"commission_total": i} for i in range(25)},
            },
            "solution": {"livechat": {"commission_total": 1, "discount": 2}},
        }
    )
    check_message(eb.earnings_message(earnings, locale="de_DE", as_of=NOW))
    check_message(eb.earnings_message(earnings, locale="en_US", as_of=NOW, shared_by="U_ADMIN"))
