"""Secrets stay out of logs and Slack; ALLOWED_USER_IDS / ADMIN_USER_IDS hold at every entry point."""

from __future__ import annotations

import asyncio
import logging

from bot.access import ADMINS_ONLY, NOT_ALLOWED
from bot.offline.local_stack import SIGNING_SECRET
from tests.e2e.support.stacks import (
    BOT_TOKEN,
    PARTNERS_TOKEN,
    SECRETS,
    assert_no_secrets,
    recorded_traffic_text,
)


async def run_every_flow(stack) -> None:
    """Commands, buttons, a modal, failures with tracebacks: everything that logs at DEBUG."""
    driver, state = stack.driver, stack.standin.state
    result = await driver.command("/earnings", user_id="U_ADMIN")
    await state.wait_for_response(result.response_url)
    await driver.block_action("earnings_share", user_id="U_ADMIN", channel_id="C_GENERAL")
    await state.wait_for_call("chat.postMessage")
    state.fail_next("chat.postMessage", error="invalid_auth")
    await driver.block_action("earnings_share", user_id="U_ADMIN", channel_id="C_GENERAL")
    stack.sandbox.state.fail_next("/v2/partners/earnings", 401)
    stack.services.partners.earnings_cache.invalidate("earnings")
    result = await driver.command("/earnings", user_id="U_ADMIN")
    await state.wait_for_response(result.response_url)
    for command, text in [("/earnings", "digest status"), ("/campaign", "list"), ("/subscribe", "")]:
        await driver.command(command, text, user_id="U_ADMIN")
    await driver.command("/campaign", "new", user_id="U_ADMIN")
    await driver.raw(b"payload=%7Bbroken", driver.sign(b"payload=%7Bbroken"))
    await asyncio.sleep(0.5)


async def test_no_secret_in_debug_logs_or_anything_the_fakes_received(hstack, debug_logs):
    await run_every_flow(hstack)
    logged = debug_logs.text()
    assert "chat.postMessage" in logged  # slack_sdk's DEBUG request logging really was captured
    assert_no_secrets(logged)
    assert_no_secrets(recorded_traffic_text(hstack))
    for record in debug_logs.records:  # exceptions' own text too, not only the formatted line
        if record.exc_info and record.exc_info[1] is not None:
            assert_no_secrets(str(record.exc_info[1]) + repr(record.exc_info[1]))


async def test_slack_sdk_debug_request_logs_hold_no_token(hstack, debug_logs):
    """slack_sdk logs every request's headers at DEBUG; the Authorization value must not survive."""
    result = await hstack.driver.block_action("earnings_share", user_id="U_ADMIN", channel_id="C_GENERAL")
    assert result.status == 200
    await hstack.standin.state.wait_for_call("chat.postMessage")
    await asyncio.sleep(0.1)
    logged = debug_logs.text()
    assert "'Authorization': " in logged  # the header line is there…
    assert_no_secrets(logged)  # …without its value


def test_the_production_filter_catches_a_library_that_logs_a_token_raw(debug_logs):
    """Second layer: whatever a library prints (a future slack_sdk, aiohttp tracebacks) is redacted."""
    logging.getLogger("slack_sdk.web.async_base_client").debug(
        "headers: %s", {"Authorization": f"Bearer {BOT_TOKEN}", "X": PARTNERS_TOKEN}
    )
    logging.getLogger("aiohttp.client").debug(
        "token=%s secret=%s", BOT_TOKEN.removeprefix("xoxb-"), SIGNING_SECRET
    )
    try:
        raise RuntimeError(f"failed with {PARTNERS_TOKEN}")
    except RuntimeError:
        logging.getLogger("slack_bolt").exception("listener failed")
    assert "listener failed" in debug_logs.text()
    assert_no_secrets(debug_logs.text())


async def test_reprs_of_settings_and_clients_hide_secrets(hstack):
    text = (
        repr(hstack.settings) + str(hstack.settings) + repr(hstack.services.partners) + repr(hstack.services)
    )
    assert_no_secrets(text, {k: v for k, v in SECRETS.items() if k != "signing secret"} | SECRETS)


# Access -----------------------------------------------------------------------------------------


async def test_outsiders_are_refused_at_every_entry_point(hstack):
    driver, state = hstack.driver, hstack.standin.state
    for command, text in [
        ("/earnings", ""),
        ("/earnings", "digest on"),
        ("/campaign", "new"),
        ("/subscribe", ""),
    ]:
        result = await driver.command(command, text, user_id="U_GUEST")
        assert NOT_ALLOWED in str(result.body), (command, text, result.body)
    # Crafted interactive payloads that skip the command step.
    result = await driver.block_action("earnings_share", user_id="U_GUEST", channel_id="C_GENERAL")
    assert result.status == 200
    for callback in ("campaign_create", "subscribe_form", "subscribe_confirm"):
        view = {"id": "V_CRAFTED", "hash": "1.x", "type": "modal", "callback_id": callback, "blocks": []}
        result = await driver.view_submission(view, {}, user_id="U_GUEST", apply_response=False)
        assert result.response_action == "update" and NOT_ALLOWED in str(result.body), callback
    await asyncio.sleep(0.3)
    assert state.calls("chat.postMessage") == [] and state.calls("views.open") == []
    assert not [c for c in hstack.sandbox.state.calls if c.method != "GET"]


async def test_allowed_non_admins_cannot_subscribe_even_by_crafted_confirmation(hstack):
    driver = hstack.driver
    result = await driver.command("/subscribe", "", user_id="U_PARTNER")
    assert ADMINS_ONLY in str(result.body)
    view = {
        "id": "V_CRAFTED",
        "hash": "1.x",
        "type": "modal",
        "callback_id": "subscribe_confirm",
        "blocks": [],
    }
    result = await driver.view_submission(view, {}, user_id="U_PARTNER", apply_response=False)
    assert ADMINS_ONLY in str(result.body)
    await asyncio.sleep(0.3)
    assert hstack.sandbox.state.count("POST") == 0
