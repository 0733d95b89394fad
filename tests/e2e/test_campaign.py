"""`/campaign` through the real HTTP app, the Slack stand-in (trigger ids die after 3 s) and the sandbox."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from bot.campaigns.form import COUPON_BLOCK, LINK_BLOCK, NAME_BLOCK, PRODUCT_BLOCK, TRIAL_BLOCK
from bot.offline.local_stack import start_local_stack
from handlers.campaign_views import CANCEL_ACTION_ID, MORE_ACTION_ID
from tests.e2e.blockkit import assert_valid_message, assert_valid_view

CAMPAIGNS = "/v2/partners/affiliates/campaigns"
COUPONS = "/v2/partners/coupons"


def blocks_of(view: dict) -> dict[str, dict]:
    return {b.get("block_id"): b for b in view["blocks"]}


def has_coupon_input(view: dict) -> bool:
    block = blocks_of(view).get(COUPON_BLOCK)
    return bool(block) and block["type"] == "input"


async def open_form(stack, *, user_id: str = "U_ADMIN", channel_id: str = "C_GENERAL") -> str:
    """Run `/campaign`, wait until the form shows coupons; return the modal's view id."""
    result = await stack.driver.command("/campaign", user_id=user_id, channel_id=channel_id)
    assert result.status == 200
    state = stack.standin.state
    stored = await state.wait_for(lambda: state.top_view(user_id))
    await state.wait_for(lambda: has_coupon_input(state.views[stored.id].view))
    return stored.id


async def outcome_view(stack, view_id: str, title: str | None = None, timeout: float = 5.0) -> dict:
    """The view the user sees once "Creating campaign…" has been replaced."""
    state = stack.standin.state

    def settled():
        view = state.views[view_id].view
        if view["callback_id"] == "campaign_working":
            return None
        return view if title is None or view["title"]["text"] == title else None

    return await state.wait_for(settled, timeout=timeout)


async def test_modal_opens_within_trigger_window_while_api_takes_2_5s_then_fills_coupons(stack):
    stack.sandbox.state.latency = 2.5
    started = time.perf_counter()
    result = await stack.driver.command("/campaign", channel_id="C_RANDOM")
    assert result.status == 200 and time.perf_counter() - started < 1.0
    opened = await stack.standin.state.wait_for_call("views.open", timeout=3)
    # The stand-in refuses a trigger id older than 3 s, so ok=True means it was opened in time.
    assert opened.ok, opened.response
    view = stack.standin.state.top_view("U_ADMIN").view
    assert_valid_view(view)
    assert "Loading coupons" in str(blocks_of(view)[COUPON_BLOCK])
    assert json.loads(view["private_metadata"]) == {"channel_id": "C_RANDOM"}

    update = await stack.standin.state.wait_for_call("views.update", timeout=6)
    assert update.ok and update.args["hash"] == view["hash"]
    filled = stack.standin.state.views[view["id"]].view
    assert_valid_view(filled)
    labels = [o["text"]["text"] for o in blocks_of(filled)[COUPON_BLOCK]["element"]["options"]]
    assert labels == ["30% off first payment", "$25 discount", "10% off for 3 months"]

    # Coupons are cached now: the next form opens complete, with no further API call.
    await stack.driver.command("/campaign", "new")
    second = await stack.standin.state.wait_for_call("views.open", count=2, timeout=3)
    assert has_coupon_input(second.args["view"])
    assert stack.sandbox.state.count("GET", COUPONS) == 1


async def test_coupons_failing_leaves_a_usable_form_that_says_why(stack):
    stack.sandbox.state.fail_next(COUPONS, 401)
    await stack.driver.command("/campaign")
    await stack.standin.state.wait_for_call("views.update")
    view = stack.standin.state.top_view("U_ADMIN").view
    assert_valid_view(view)
    assert "Coupons could not be loaded" in str(blocks_of(view)[COUPON_BLOCK])
    assert "PARTNERS_API_TOKEN" in str(blocks_of(view)[COUPON_BLOCK])

    result = await stack.driver.view_submission(view["id"], answers={NAME_BLOCK: "No coupon campaign"})
    assert result.response_action == "update"
    created = await outcome_view(stack, view["id"], "Campaign created")
    assert "No coupon campaign" in str(created["blocks"])


async def test_invalid_input_returns_errors_by_block_id_and_makes_no_api_call(stack):
    view_id = await open_form(stack)
    result = await stack.driver.view_submission(
        view_id,
        answers={NAME_BLOCK: "abc", TRIAL_BLOCK: "31", LINK_BLOCK: "ftp://files.example/x"},
    )
    assert result.response_action == "errors"
    errors = result.body["errors"]
    assert set(errors) == {NAME_BLOCK, TRIAL_BLOCK, LINK_BLOCK}
    # A 31-day trial gets an inline error: LiveChat's range is 14-30 since April 2024.
    assert errors[TRIAL_BLOCK] == "Trial length must be between 14 and 30 days"

    chatbot = await stack.driver.view_submission(
        view_id, answers={NAME_BLOCK: "Chatbot promo", PRODUCT_BLOCK: "ChatBot", COUPON_BLOCK: "1"}
    )
    assert chatbot.body["errors"] == {
        COUPON_BLOCK: "Coupons apply to LiveChat campaigns only; clear the coupon"
    }
    await asyncio.sleep(0.1)
    assert stack.sandbox.state.count("POST", CAMPAIGNS) == 0


async def test_success_shows_the_campaign_and_posts_both_links_to_the_channel(stack):
    view_id = await open_form(stack, channel_id="C_RANDOM")
    result = await stack.driver.view_submission(
        view_id,
        answers={
            NAME_BLOCK: "Summer webinar",
            TRIAL_BLOCK: "30",
            COUPON_BLOCK: "1",
            LINK_BLOCK: "https://agency.example/lc",
        },
    )
    assert result.response_action == "update"
    assert "Creating campaign" in str(result.body["view"]["blocks"])

    view = await outcome_view(stack, view_id, "Campaign created")
    assert_valid_view(view)
    (call,) = stack.sandbox.state.calls_to("POST", CAMPAIGNS)
    assert call.query["product"] == "livechat"
    assert call.form == {
        "name": "Summer webinar",
        "trial_duration": "30",
        "coupon_id": "1",
        "link": "https://agency.example/lc",
    }
    created = stack.sandbox.state.campaigns[-1]
    post = await stack.standin.state.wait_for_call("chat.postMessage")
    assert post.args["channel"] == "C_RANDOM"
    message = {"text": post.args["text"], "blocks": post.args["blocks"]}
    assert_valid_message(message)
    text = json.dumps(post.args["blocks"])
    for part in (
        "Summer webinar",
        "LiveChat",
        "30 days",
        "30% off first payment",  # the API's `discount` label
        f"<{created['url']}|",
        f"<{created['short_url']}|",
        "created by <@U_ADMIN>",
    ):
        assert part in text
    assert created["short_url"] in str(view["blocks"]) and "shared in <#C_RANDOM>" in str(view["blocks"])


async def test_announcement_goes_to_the_creator_by_dm_when_the_bot_is_not_in_the_channel(stack):
    stack.standin.state.channels["C_RANDOM"].bot_is_member = False
    view_id = await open_form(stack, user_id="U_PARTNER", channel_id="C_RANDOM")
    await stack.driver.view_submission(view_id, user_id="U_PARTNER", answers={NAME_BLOCK: "Partner push"})
    view = await outcome_view(stack, view_id, "Campaign created")
    assert "direct message" in str(view["blocks"])
    (dm,) = stack.standin.state.messages("D_PARTNER")
    assert "not_in_channel" in str(dm["blocks"]) and "created by <@U_PARTNER>" in str(dm["blocks"])
    assert stack.standin.state.messages("C_RANDOM") == []


@pytest.mark.parametrize(
    ("status", "body", "answers", "block", "words"),
    [
        (409, None, {NAME_BLOCK: "Spring webinar"}, NAME_BLOCK, "campaign with this name already exists"),
        (
            403,
            None,
            {NAME_BLOCK: "Coupon refused", COUPON_BLOCK: "2"},
            COUPON_BLOCK,
            "does not allow this coupon",
        ),
        (
            400,
            {
                "error": {
                    "message": "Invalid parameters: link",
                    "fields": {"link": "must be a reachable page"},
                }
            },
            {NAME_BLOCK: "Bad landing page", LINK_BLOCK: "https://nowhere.example"},
            LINK_BLOCK,
            "LiveChat says this is not accepted",  # the field is named; the API's words are not shown
        ),
        (
            400,
            {"error": {"message": "Invalid parameters: region", "fields": {"region": "unknown"}}},
            {NAME_BLOCK: "Odd field"},
            "campaign_general_error",
            "check region",
        ),
        # A 500 may come after LiveChat created it: the user is told to check before resubmitting.
        (500, None, {NAME_BLOCK: "Server trouble"}, "campaign_general_error", "may or may not exist"),
        (401, None, {NAME_BLOCK: "Token trouble"}, "campaign_general_error", "PARTNERS_API_TOKEN"),
    ],
)
async def test_api_answers_land_on_the_right_field_and_keep_what_was_typed(
    stack, status, body, answers, block, words
):
    view_id = await open_form(stack)
    if status != 409:  # 409 is real: the sandbox already has "Spring webinar"
        stack.sandbox.state.fail_next(CAMPAIGNS, status, body=body, method="POST")
    await stack.driver.view_submission(view_id, answers=answers)
    view = await outcome_view(stack, view_id, "New campaign")
    assert_valid_view(view)
    shown = blocks_of(view)
    problem = shown.get(f"{block}_error") or shown[block]
    assert words in str(problem)
    assert shown[NAME_BLOCK]["element"]["initial_value"] == answers[NAME_BLOCK]
    if COUPON_BLOCK in answers:
        assert shown[COUPON_BLOCK]["element"]["initial_option"]["value"] == answers[COUPON_BLOCK]
    assert stack.sandbox.state.count("POST", CAMPAIGNS) == 1
    assert stack.standin.state.calls("chat.postMessage") == []

    if status >= 500:
        # The form offered again is a new view version: submitting it tries again, once.
        await stack.driver.view_submission(view_id)
        await outcome_view(stack, view_id, "Campaign created")
        assert stack.sandbox.state.count("POST", CAMPAIGNS) == 2


async def test_slow_api_gets_a_working_view_within_3s_then_the_result(stack):
    view_id = await open_form(stack)
    stack.sandbox.state.latency_by_path[CAMPAIGNS] = 2.5
    started = time.perf_counter()
    result = await stack.driver.view_submission(view_id, answers={NAME_BLOCK: "Slow but sure"})
    assert time.perf_counter() - started < 1.0
    assert result.response_action == "update"
    assert stack.standin.state.views[view_id].view["callback_id"] == "campaign_working"
    await outcome_view(stack, view_id, "Campaign created", timeout=6)


async def test_double_submit_and_slack_retry_make_one_post_and_show_the_same_result(stack):
    view_id = await open_form(stack)
    stack.sandbox.state.latency_by_path[CAMPAIGNS] = 0.5
    form = stack.standin.state.views[view_id].view
    answers = {NAME_BLOCK: "Only once please"}
    first, second = await asyncio.gather(
        stack.driver.view_submission(form, answers=answers, apply_response=False),
        stack.driver.view_submission(form, answers=answers, apply_response=False),
    )
    retry = await stack.driver.view_submission(form, answers=answers, apply_response=False, retry_num=1)
    assert {first.response_action, second.response_action} == {"update"} and retry.status == 200
    await stack.standin.state.wait_for(lambda: len(stack.standin.state.calls("views.update")) >= 3, timeout=5)
    await asyncio.sleep(0.5)
    assert stack.sandbox.state.count("POST", CAMPAIGNS) == 1
    assert len(stack.standin.state.calls("chat.postMessage")) == 1
    results = [c.args["view"] for c in stack.standin.state.calls("views.update") if "hash" not in c.args]
    assert len(results) == 2 and all(v["title"]["text"] == "Campaign created" for v in results)


async def test_exactly_once_across_two_replicas_sharing_a_database(tmp_path):
    database = {"database_url": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    async with await start_local_stack(settings_overrides=database) as one:
        async with await start_local_stack(sandbox=one.sandbox, settings_overrides=database) as two:
            view_id = await open_form(one)
            one.sandbox.state.latency_by_path[CAMPAIGNS] = 0.5
            form = one.standin.state.views[view_id].view
            answers = {NAME_BLOCK: "Two replicas"}
            await asyncio.gather(
                one.driver.view_submission(form, answers=answers),
                two.driver.view_submission(form, answers=answers),
            )
            await outcome_view(one, view_id, "Campaign created")
            # Replica two only waited for replica one's outcome: it never POSTed.
            await two.standin.state.wait_for_call("views.update", timeout=5)
            assert one.sandbox.state.count("POST", CAMPAIGNS) == 1


async def test_list_is_ephemeral_and_more_shows_the_next_page(stack):
    sandbox = stack.sandbox.state
    template = dict(sandbox.campaigns[0])
    for i in range(12):
        sandbox.campaigns.append(
            {**template, "name": f"Extra {i:02d}", "slug": f"pp_extra_{i:02d}", "creation_timestamp": 100 + i}
        )
    result = await stack.driver.command("/campaign", "list active")
    post = await stack.standin.state.wait_for_response(result.response_url)
    message = post.payload
    assert message["response_type"] == "ephemeral"
    assert_valid_message(message)
    assert sandbox.calls_to("GET", CAMPAIGNS)[-1].query == {"state": "active"}
    text = str(message["blocks"])
    assert "Spring webinar" in text and "pp_spring_webinar" in text and "https://lc.chat/k3Vw9a" in text
    assert "Black Friday 2023" not in text  # disabled
    assert "1–10 of 15" in text

    (ephemeral,) = stack.standin.state.ephemerals(user="U_ADMIN")
    more = await stack.driver.block_action(
        MORE_ACTION_ID, message["blocks"][-1]["elements"][0]["value"], message=ephemeral
    )
    assert more.status == 200
    page = await stack.standin.state.wait_for_response(more.response_url)
    assert page.payload["replace_original"] is True
    assert_valid_message(page.payload)
    assert "11–15 of 15" in str(page.payload["blocks"]) and "Extra 00" in str(page.payload["blocks"])


async def test_disable_asks_first_then_deletes_by_id_found_through_search(stack):
    result = await stack.driver.command("/campaign", "disable agency NEWSLETTER")
    post = await stack.standin.state.wait_for_response(result.response_url)
    assert_valid_message(post.payload)
    assert stack.sandbox.state.count("DELETE", CAMPAIGNS) == 0
    button = post.payload["blocks"][1]["accessory"]
    assert button["confirm"]["confirm"]["text"] == "Disable"
    (ephemeral,) = stack.standin.state.ephemerals(user="U_ADMIN")
    click = await stack.driver.block_action(button["action_id"], button["value"], message=ephemeral)
    done = await stack.standin.state.wait_for_response(click.response_url)
    assert "Disabled *Agency newsletter*" in done.payload["text"]
    (call,) = stack.sandbox.state.calls_to("DELETE", CAMPAIGNS)
    assert call.path == f"{CAMPAIGNS}/9102" and call.query == {}  # the id `search` gives, matched by slug
    (search,) = stack.sandbox.state.calls_to("GET", f"{CAMPAIGNS}/search")
    assert search.query["product"] == "livechat" and search.query["state"] == "active"
    assert not next(c for c in stack.sandbox.state.campaigns if c["slug"] == "pp_agency_newsletter")["active"]

    # The same button again (e.g. a second click): the API answers 403.
    again = await stack.driver.block_action(button["action_id"], button["value"], message=ephemeral)
    refused = await stack.standin.state.wait_for_response(again.response_url)
    assert "No active campaign with that slug" in refused.payload["text"]


async def test_disable_unknown_or_already_disabled_and_cancel(stack):
    unknown = await stack.driver.command("/campaign", "disable autumn sale")
    post = await stack.standin.state.wait_for_response(unknown.response_url)
    assert "autumn sale" in post.payload["text"] and "`/campaign list`" in post.payload["text"]
    disabled = await stack.driver.command("/campaign", "disable pp_black_friday_2023")
    post = await stack.standin.state.wait_for_response(disabled.response_url)
    assert "already disabled" in post.payload["text"]

    asked = await stack.driver.command("/campaign", "disable pp_spring_webinar")
    await stack.standin.state.wait_for_response(asked.response_url)
    ephemeral = stack.standin.state.ephemerals(user="U_ADMIN")[-1]
    cancel = await stack.driver.block_action(CANCEL_ACTION_ID, "cancel", message=ephemeral)
    cancelled = await stack.standin.state.wait_for_response(cancel.response_url)
    assert "nothing was disabled" in cancelled.payload["text"]
    assert stack.sandbox.state.count("DELETE", CAMPAIGNS) == 0


async def test_help_and_unknown_arguments_answer_usage_without_api_call(stack):
    for text in ("help", "list everything", "disable", "bogus"):
        result = await stack.driver.command("/campaign", text)
        assert result.status == 200 and "/campaign list [active|disabled]" in result.body["text"]
    await asyncio.sleep(0.1)
    assert stack.sandbox.state.calls == [] and stack.standin.state.calls("views.open") == []


async def test_users_outside_allowed_list_cannot_open_or_submit():
    async with await start_local_stack(settings_overrides={"allowed_user_ids": "U_ADMIN"}) as stack:
        refused = await stack.driver.command("/campaign", user_id="U_GUEST")
        assert "ALLOWED_USER_IDS" in refused.body["text"]
        view_id = await open_form(stack)
        submitted = await stack.driver.view_submission(
            view_id, user_id="U_GUEST", answers={NAME_BLOCK: "Sneaky one"}
        )
        assert "ALLOWED_USER_IDS" in str(submitted.body["view"])
        await asyncio.sleep(0.1)
        assert stack.sandbox.state.count("POST", CAMPAIGNS) == 0


async def test_modal_still_works_if_the_trigger_expired(stack):
    stack.standin.state.options.trigger_ttl = 0.0
    result = await stack.driver.command("/campaign")
    post = await stack.standin.state.wait_for_response(result.response_url)
    assert "could not open the campaign form" in post.payload["text"]
    assert "expired_trigger_id" in post.payload["text"]


async def test_timeout_says_the_campaign_may_exist_and_keeps_the_form():
    async with await start_local_stack(settings_overrides={"partners_timeout": 0.5}) as stack:
        view_id = await open_form(stack)
        stack.sandbox.state.hang_next(CAMPAIGNS, 2.0, method="POST")
        await stack.driver.view_submission(view_id, answers={NAME_BLOCK: "Lost in transit"})
        view = await outcome_view(stack, view_id, "New campaign")
        shown = blocks_of(view)
        assert "may or may not exist" in str(shown["campaign_general_error"])
        assert "`/campaign list`" in str(shown["campaign_general_error"])
        assert shown[NAME_BLOCK]["element"]["initial_value"] == "Lost in transit"
        assert stack.sandbox.state.count("POST", CAMPAIGNS) == 1
