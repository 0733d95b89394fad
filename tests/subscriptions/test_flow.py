"""/subscribe through the real HTTP app, the Slack stand-in and the sandbox Partners/Recurly APIs."""

from __future__ import annotations

import asyncio

from bot.subscriptions.audit import AuditLog
from handlers.subscribe_views import CONFIRM_CALLBACK, OPEN_ACTION_PREFIX
from tests.e2e.blockkit import assert_valid_message, assert_valid_view
from tests.subscriptions.conftest import (
    ANSWERS,
    OTHER_TRIAL,
    SUB_PATH,
    TOKEN_PATH,
    TRIAL,
    confirmation,
    make_stack,
    open_form,
    pushed_review,
    review_outcome,
    view_text,
    wait_for_result,
)


async def audit_entries(stack, license_id=None):
    return await AuditLog(stack.services.db, stack.services.clock).entries(license_id)


async def test_happy_path_lists_confirms_subscribes_once_and_announces(sub_stack):
    stack = sub_stack
    result = await stack.driver.command("/subscribe", user_id="U_ADMIN", channel_id="C_GENERAL")
    assert result.status == 200
    listing = (await stack.standin.state.wait_for_response(result.response_url)).payload
    assert_valid_message(listing)
    assert listing["response_type"] == "ephemeral"
    text = str(listing["blocks"])
    # Only partner-paid, unpaid LiveChat trials (`status == "trial"`): not paid, client-paid,
    # chatbot, expired (11223305, 11223310) or client-paid trials (11223309).
    assert "Joe Doe Ltd" in text and "Harbor Legal LLP" in text
    for other in ("11223302", "11223303", "11223304", "11223305", "11223309", "11223310"):
        assert other not in text
    buttons = [b["accessory"]["value"] for b in listing["blocks"] if "accessory" in b]
    assert buttons == [TRIAL, OTHER_TRIAL, "11223307", "11223308"]

    form = await open_form(stack)
    assert_valid_view(form)
    assert {b.get("block_id") for b in form["blocks"]} >= {"plan", "seats", "billing_cycle", "card"}
    assert "Agency Visa · Visa •••• 1111" in view_text(form)
    assert "15% off" in view_text(form)

    submitted = await stack.driver.view_submission(form["id"], answers=ANSWERS)
    assert submitted.response_action == "push"
    assert_valid_view(submitted.body["view"])
    assert "Checking…" in view_text(submitted.body["view"]), "the ack pushes Checking, not the price"
    confirm = await review_outcome(stack.standin.state, pushed_review(stack.standin.state, submitted))
    assert_valid_view(confirm)
    assert confirm["previous_view_id"] == form["id"], "pushed over the form: Back returns to it"
    assert confirm["callback_id"] == CONFIRM_CALLBACK
    shown = view_text(confirm)
    for expected in ("Joe Doe Ltd", TRIAL, "Team", "5 seats", "Annual", "ending 1111", "$2,091.00 per year"):
        assert expected in shown
    assert stack.sandbox.state.count("POST", SUB_PATH) == 0, "nothing is sent before Confirm"
    assert stack.sandbox.state.count("GET", TOKEN_PATH) == 0

    done = await stack.driver.view_submission(confirm["id"])
    assert done.response_action == "update"
    assert "Subscribing" in str(done.body["view"])
    final = await wait_for_result(stack, confirm["id"])
    assert_valid_view(final)
    assert "Subscribed." in view_text(final)

    posts = stack.sandbox.state.calls_to("POST", SUB_PATH)
    assert len(posts) == 1  # one JSON POST, answered 201 with no body, and "Subscribed." at once
    assert posts[0].headers["Content-Type"].startswith("application/json")
    assert {k: posts[0].json[k] for k in ("plan", "seats", "billing_cycle")} == {
        "plan": "team",
        "seats": 5,
        "billing_cycle": "annual",
    }
    assert stack.sandbox.state.issued_tokens[posts[0].json["token"]].used
    assert stack.sandbox.state.subscriptions[TRIAL]["card_last4"] == "1111"
    note = await stack.standin.state.wait_for(lambda: stack.standin.state.messages("C_GENERAL"))
    assert note[0]["text"] == "Team plan, 5 seats, annual — subscribed for Joe Doe Ltd by <@U_ADMIN>"

    [entry] = await audit_entries(stack, TRIAL)
    assert (entry.user_id, entry.plan, entry.seats, entry.billing_cycle) == ("U_ADMIN", "team", 5, "annual")
    assert (entry.card_last4, entry.outcome, entry.api_status) == ("1111", "created", 201)


async def test_no_subscribable_license_says_so(sub_stack):
    for lic in sub_stack.sandbox.state.licenses.values():
        lic["paid"] = True
    result = await sub_stack.driver.command("/subscribe")
    listing = (await sub_stack.standin.state.wait_for_response(result.response_url)).payload
    assert "no licenses you can subscribe" in listing["text"]


async def test_form_errors_are_keyed_by_block_id(sub_stack):
    form = await open_form(sub_stack)
    bad = {**ANSWERS, "seats": 0}
    result = await sub_stack.driver.view_submission(form["id"], answers=bad)
    assert result.response_action == "errors"
    assert set(result.body["errors"]) == {"seats"}
    result = await sub_stack.driver.view_submission(
        form["id"], answers={**ANSWERS, "seats": 1001, "plan": None}
    )
    assert set(result.body["errors"]) == {"seats", "plan"}


async def test_empty_vault_and_missing_key_explain_how_to_add_a_card(tmp_path):
    async with await make_stack(tmp_path) as stack:
        form = await open_form(stack)
        assert "cards import" in view_text(form) and form.get("submit") is None
    (tmp_path / "nokey").mkdir()
    async with await make_stack(tmp_path / "nokey", vault_key=None) as stack:
        result = await stack.driver.command("/subscribe")
        listing = (await stack.standin.state.wait_for_response(result.response_url)).payload
        assert "partners-bot cards new-key" in str(listing["blocks"])
        form = await open_form(stack)
        assert "partners-bot cards new-key" in view_text(form)


async def test_non_admin_is_refused_at_every_step_without_any_api_call(sub_stack):
    stack = sub_stack
    refused = await stack.driver.command("/subscribe", user_id="U_GUEST")
    assert "Only Partners Bot admins" in refused.body["text"]

    clicked = await stack.driver.block_action(
        "subscribe_open:" + TRIAL, TRIAL, user_id="U_GUEST", channel_id="C_GENERAL"
    )
    refusal = await stack.standin.state.wait_for_response(clicked.response_url)
    assert "Only Partners Bot admins" in refusal.payload["text"]
    assert stack.standin.state.calls("views.open") == []

    # The admin's own modals, submitted by someone else (a crafted payload skipping steps).
    confirm = await confirmation(stack)
    form_id = confirm["previous_view_id"]
    form_by_guest = await stack.driver.view_submission(
        form_id, answers=ANSWERS, user_id="U_GUEST", apply_response=False
    )
    assert form_by_guest.response_action == "update"
    assert "Only Partners Bot admins" in str(form_by_guest.body["view"])
    confirm_by_guest = await stack.driver.view_submission(confirm, user_id="U_GUEST", apply_response=False)
    assert "Only Partners Bot admins" in str(confirm_by_guest.body["view"])

    await asyncio.sleep(0.2)
    assert stack.sandbox.state.count("POST", SUB_PATH) == 0
    assert stack.sandbox.state.count("GET", TOKEN_PATH) == 0
    # The admin's form and the admin's review (a fresh re-check) only: nothing for the guest.
    assert stack.sandbox.state.count("GET", "/v2/partners/solutions/licenses") == 2
    [entry] = await audit_entries(stack)
    assert (entry.user_id, entry.outcome) == ("U_GUEST", "refused")


async def test_crafted_confirmation_without_a_valid_order_sends_nothing(sub_stack):
    confirm = await confirmation(sub_stack)
    crafted = {**confirm, "private_metadata": '{"license_id": "../../earnings"}'}
    result = await sub_stack.driver.view_submission(crafted, apply_response=False)
    assert "not valid" in str(result.body["view"])
    await asyncio.sleep(0.1)
    assert sub_stack.sandbox.state.count("POST", SUB_PATH) == 0


async def test_help_answers_usage_and_lists_nothing(sub_stack):
    result = await sub_stack.driver.command("/subscribe", "help", user_id="U_GUEST")
    assert result.status == 200
    assert "/subscribe" in result.body["text"] and "admins only" in result.body["text"]
    await asyncio.sleep(0.1)
    assert sub_stack.sandbox.state.count("GET", "/v2/partners/solutions/licenses") == 0


async def test_form_that_slack_refuses_is_replaced_by_a_message_not_left_loading(sub_stack):
    sub_stack.standin.state.fail_next("views.update", error="invalid_arguments")
    result = await sub_stack.driver.block_action(
        OPEN_ACTION_PREFIX + TRIAL, TRIAL, user_id="U_ADMIN", channel_id="C_GENERAL"
    )
    assert result.status == 200
    await sub_stack.standin.state.wait_for_call("views.update", count=2)
    shown = sub_stack.standin.state.top_view("U_ADMIN").view
    assert "could not be shown" in str(shown["blocks"])
    assert "Loading" not in str(shown["blocks"])
