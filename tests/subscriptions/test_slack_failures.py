"""After a subscription was created, Slack failing never says "try again" or loses the news (14.5).

The service records the outcome (license claim `done`, audit row) before any Slack call, so a
`views.update` that times out or errors only changes how the admin is told: by DM instead.
"""

from __future__ import annotations

from bot.storage import ClaimState, IdempotencyStore
from bot.subscriptions.audit import AuditLog
from bot.subscriptions.service import LICENSE_SCOPE
from tests.e2e.test_campaign_slack_failures import slack_timeout
from tests.subscriptions.conftest import SUB_PATH, TRIAL, confirmation, view_text, wait_for_result


async def assert_recorded_created(stack) -> None:
    claim = await IdempotencyStore(stack.services.db, stack.services.clock).get(LICENSE_SCOPE, TRIAL)
    assert claim is not None and claim.state == ClaimState.DONE
    (entry,) = await AuditLog(stack.services.db, stack.services.clock).entries(TRIAL)
    assert entry.outcome == "created"


async def test_views_update_timing_out_after_creation_tells_the_admin_by_dm(sub_stack):
    stack = sub_stack
    state = stack.standin.state
    confirm = await confirmation(stack)
    slack_timeout(stack, 0.3)
    state.delay("views.update", 1.0)
    await stack.driver.view_submission(confirm["id"])
    dm = await state.wait_for(lambda: [m for m in state.messages() if "license" in m["text"]], timeout=8)
    text = dm[0]["text"]
    assert "Subscribed." in text and "The subscription was created." in text and TRIAL in text
    assert "try again" not in text.lower() and "went wrong" not in text.lower()
    assert stack.sandbox.state.count("POST", SUB_PATH) == 1
    await assert_recorded_created(stack)


async def test_views_update_error_after_creation_tells_the_admin_by_dm(sub_stack):
    stack = sub_stack
    state = stack.standin.state
    confirm = await confirmation(stack)
    state.fail_next("views.update", "internal_error")
    await stack.driver.view_submission(confirm["id"])
    dm = await state.wait_for(lambda: [m for m in state.messages() if "(license" in m["text"]], timeout=8)
    assert "Subscribed." in dm[0]["text"]
    await assert_recorded_created(stack)
    # The channel still gets the success note, once.
    note = await state.wait_for(lambda: state.messages("C_GENERAL"))
    assert len(note) == 1 and "subscribed for Joe Doe Ltd" in note[0]["text"]


async def test_channel_note_timing_out_after_creation_says_nothing_went_wrong(sub_stack):
    stack = sub_stack
    state = stack.standin.state
    confirm = await confirmation(stack)
    slack_timeout(stack, 0.3)
    state.delay("chat.postMessage", 1.0)  # the channel note and its DM fallback both time out
    await stack.driver.view_submission(confirm["id"])
    final = view_text(await wait_for_result(stack, confirm["id"]))
    assert "Subscribed." in final
    await state.wait_for(lambda: len(state.calls("chat.postMessage")) >= 2, timeout=8)
    # Whatever reached the admin anywhere (modal, messages, ephemerals, the last-resort handler).
    everything = str([r.args for r in state.requests]) + str(state.messages()) + str(state.ephemerals())
    assert "went wrong" not in everything.lower() and "try again" not in everything.lower()
    assert stack.sandbox.state.count("POST", SUB_PATH) == 1
    await assert_recorded_created(stack)


async def test_modal_and_dm_both_failing_tell_the_admin_in_the_commands_channel(sub_stack):
    stack = sub_stack
    state = stack.standin.state
    confirm = await confirmation(stack)
    state.fail_next("views.update", "internal_error")
    state.fail_next("chat.postMessage", "internal_error")  # the DM (the channel note comes after)
    await stack.driver.view_submission(confirm["id"])
    told = await state.wait_for(
        lambda: [e for e in state.ephemerals("C_GENERAL") if "(license" in e["text"]], timeout=8
    )
    assert len(told) == 1 and told[0]["user"] == "U_ADMIN" and "Subscribed." in told[0]["text"]
    assert stack.sandbox.state.count("POST", SUB_PATH) == 1
    await assert_recorded_created(stack)
