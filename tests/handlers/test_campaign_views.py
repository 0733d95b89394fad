"""The `/campaign` Block Kit builders alone: block ids, Slack limits, validate_json on every view."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.campaigns.form import COUPON_BLOCK, LINK_BLOCK, NAME_BLOCK, PRODUCT_BLOCK, TRIAL_BLOCK, FormValues
from bot.partners.models import Campaign, Coupon
from handlers.campaign_views import (
    CANCEL_ACTION_ID,
    MORE_ACTION_ID,
    PREVIOUS_ACTION_ID,
    CouponChoices,
    announcement_message,
    campaign_list_message,
    create_modal,
    decode_metadata,
    disable_confirmation,
    find_campaigns,
    not_found_message,
    parse_disable_value,
    parse_page_value,
    result_view,
    working_view,
)
from tests.e2e.blockkit import assert_valid_message, assert_valid_view

COUPONS = [Coupon(id=1, label="30% off first payment"), Coupon(id=2, label="20% off annual plans")]
NOW = datetime(2025, 3, 1, tzinfo=UTC)


def campaign(i: int = 0, **extra) -> Campaign:
    data = {
        "product": "livechat",
        "name": f"Campaign number {i}",
        "slug": f"pp_campaign_number_{i}",
        "url": f"https://www.livechat.com/?a=X&utm_campaign=pp_campaign_number_{i}",
        "short_url": f"https://lc.chat/c{i}",
        "creation_timestamp": NOW - timedelta(days=i),
        "trial_duration": 30,
        "discount": "",
    }
    return Campaign(**{**data, **extra})


def block_ids(view: dict) -> list[str]:
    return [b.get("block_id") for b in view["blocks"]]


def find_block(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def test_full_form_has_every_input_and_remembers_the_channel():
    view = create_modal(channel_id="C_GENERAL", coupons=CouponChoices.ready(COUPONS))
    assert_valid_view(view)
    assert len(view["title"]["text"]) <= 24 and len(view["submit"]["text"]) <= 24
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert inputs == [NAME_BLOCK, PRODUCT_BLOCK, TRIAL_BLOCK, COUPON_BLOCK, LINK_BLOCK]
    assert decode_metadata(view["private_metadata"]) == "C_GENERAL"
    coupon = find_block(view, COUPON_BLOCK)
    assert coupon["optional"] and [o["value"] for o in coupon["element"]["options"]] == ["1", "2"]
    assert find_block(view, PRODUCT_BLOCK)["element"]["initial_option"]["value"] == "livechat"
    assert find_block(view, LINK_BLOCK)["element"]["type"] == "url_text_input"


def test_loading_state_replaces_only_the_coupon_input():
    view = create_modal(channel_id="C_GENERAL", coupons=CouponChoices(loading=True))
    assert_valid_view(view)
    coupon = find_block(view, COUPON_BLOCK)
    assert coupon["type"] == "context" and "Loading coupons" in str(coupon)
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        NAME_BLOCK,
        PRODUCT_BLOCK,
        TRIAL_BLOCK,
        LINK_BLOCK,
    ]


def test_coupon_failure_says_why_and_that_the_form_still_works():
    view = create_modal(channel_id=None, coupons=CouponChoices(problem="LiveChat is down."))
    assert_valid_view(view)
    text = str(find_block(view, COUPON_BLOCK))
    assert "could not be loaded" in text and "LiveChat is down." in text and "without a coupon" in text


def test_coupon_select_stays_within_slack_limits():
    many = [Coupon(id=i, label=f"{i}% " + "very long label " * 10) for i in range(1, 151)]
    view = create_modal(channel_id="C1", coupons=CouponChoices.ready(many))
    assert_valid_view(view)
    options = find_block(view, COUPON_BLOCK)["element"]["options"]
    assert len(options) == 100 and all(len(o["text"]["text"]) <= 75 for o in options)


def test_form_offered_again_keeps_values_and_puts_each_error_under_its_field():
    values = FormValues(
        name="Spring webinar", product="livechat", trial="30", coupon_id="2", link="https://a.example"
    )
    view = create_modal(
        channel_id="C_GENERAL",
        coupons=CouponChoices.ready(COUPONS),
        values=values,
        field_errors={
            NAME_BLOCK: "A LiveChat campaign with this name already exists",
            COUPON_BLOCK: "Not allowed",
        },
        general="LiveChat did not accept the campaign.",
    )
    assert_valid_view(view)
    ids = block_ids(view)
    assert ids[0] == "campaign_general_error"
    assert ids[ids.index(NAME_BLOCK) + 1] == f"{NAME_BLOCK}_error"
    assert ids[ids.index(COUPON_BLOCK) + 1] == f"{COUPON_BLOCK}_error"
    assert "already exists" in str(find_block(view, f"{NAME_BLOCK}_error"))
    assert find_block(view, NAME_BLOCK)["element"]["initial_value"] == "Spring webinar"
    assert find_block(view, TRIAL_BLOCK)["element"]["initial_value"] == "30"
    assert find_block(view, COUPON_BLOCK)["element"]["initial_option"]["value"] == "2"
    assert find_block(view, LINK_BLOCK)["element"]["initial_value"] == "https://a.example"


def test_an_error_for_a_missing_input_still_shows():
    view = create_modal(
        channel_id="C1", coupons=CouponChoices(problem="down."), field_errors={"campaign_unknown": "odd"}
    )
    assert_valid_view(view)
    assert "odd" in str(view["blocks"][0])


def test_working_and_result_views_are_valid_and_show_the_links():
    assert_valid_view(working_view("Spring <webinar>", "C1"))
    assert "&lt;webinar&gt;" in str(working_view("Spring <webinar>", "C1"))
    created = campaign(1, discount="30% off first payment")  # the API's label, not a number
    view = result_view(created, coupon_label="30% off first payment", delivery_note="Shared in <#C1>.")
    assert_valid_view(view)
    text = json.dumps(view)
    assert f"<{created.url}|" in text and f"<{created.short_url}|" in text
    assert "30% off first payment" in text and "30 days" in text and "% discount)" not in text
    assert "submit" not in view


def test_announcement_names_everything_and_who_created_it():
    created = campaign(2, trial_duration=None, product="chatbot", discount="")
    message = announcement_message(
        created, created_by="U_PARTNER", coupon_label=None, preface="I can't post in <#C1>"
    )
    assert_valid_message(message)
    text = json.dumps(message["blocks"])
    for part in (
        "ChatBot",
        created.name,
        f"<{created.url}|",
        f"<{created.short_url}|",
        "created by <@U_PARTNER>",
    ):
        assert part in text
    assert "can't post" in text
    assert created.short_url in message["text"]


def test_list_is_paginated_under_slack_limits_with_buttons_carrying_page_and_filter():
    campaigns = [campaign(i) for i in range(23)]
    first = campaign_list_message(campaigns, page=1, state="active")
    assert_valid_message(first)
    assert len(first["blocks"]) <= 50
    sections = [b for b in first["blocks"] if b["type"] == "section"]
    assert len(sections) == 10 and "Campaign number 0*" in sections[0]["text"]["text"]
    buttons = first["blocks"][-1]["elements"]
    assert [b["action_id"] for b in buttons] == [MORE_ACTION_ID]
    assert parse_page_value(buttons[0]["value"]) == (2, "active")

    last = campaign_list_message(campaigns, page=3, state="active")
    assert_valid_message(last)
    assert len([b for b in last["blocks"] if b["type"] == "section"]) == 3
    assert [b["action_id"] for b in last["blocks"][-1]["elements"]] == [PREVIOUS_ACTION_ID]
    assert "21–23 of 23" in str(last["blocks"])


def test_list_line_has_name_product_slug_short_url_and_created_date():
    message = campaign_list_message([campaign(5, active=False)])
    line = message["blocks"][2]["text"]["text"]
    for part in (
        "Campaign number 5",
        "LiveChat",
        "`pp_campaign_number_5`",
        "https://lc.chat/c5",
        "<!date^",
        "disabled",
    ):
        assert part in line


def test_empty_list_and_unreadable_page_values():
    assert "No active campaigns" in campaign_list_message([], state="active")["text"]
    assert parse_page_value("garbage") == (1, None)
    assert parse_page_value(json.dumps({"page": 3, "state": "bogus"})) == (3, None)


def test_disable_confirmation_has_a_confirm_dialog_and_cancel():
    message = disable_confirmation([campaign(1), campaign(2, product="chatbot")])
    assert_valid_message(message)
    buttons = [b["accessory"] for b in message["blocks"] if b.get("accessory")]
    assert [b["action_id"] for b in buttons] == ["campaign_disable_0", "campaign_disable_1"]
    assert all(b["confirm"]["confirm"]["text"] == "Disable" for b in buttons)
    assert parse_disable_value(buttons[1]["value"]) == (
        "chatbot",
        "pp_campaign_number_2",
        "Campaign number 2",
    )
    assert message["blocks"][-1]["elements"][0]["action_id"] == CANCEL_ACTION_ID
    assert parse_disable_value("not json") is None


def test_find_campaigns_by_slug_or_case_insensitive_name():
    items = [campaign(1), campaign(2, name="Spring  Webinar", slug="pp_spring_webinar")]
    assert find_campaigns(items, "pp_spring_webinar") == [items[1]]
    assert find_campaigns(items, "spring webinar") == [items[1]]
    assert find_campaigns(items, "autumn") == []
    assert "`/campaign list`" in not_found_message("autumn")["text"]
    assert "already disabled" in not_found_message("x", disabled=items[0])["text"]
