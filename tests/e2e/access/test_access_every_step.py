"""ALLOWED_USER_IDS and ADMIN_USER_IDS at every digest, `/campaign` and `/subscribe` entry point.

The crafted payloads are real ones: the admin walks each flow first and the views, button values and
private metadata it got are replayed by an outsider (U_GUEST) and by an allowed non-admin
(U_PARTNER) — skipping the steps they would have been refused at. Each refusal must change nothing
and call nothing upstream; then the admin replays the very same payloads and they do work, so the
refusals are down to who sent them, not to a broken payload.
"""

from __future__ import annotations

import asyncio
import copy
import json

from sqlalchemy import func, select

from bot.access import ADMINS_ONLY, NOT_ALLOWED
from bot.campaigns.form import NAME_BLOCK, PRODUCT_BLOCK
from bot.storage.digest_tables import DigestChannel
from bot.storage.idempotency import IdempotencyKey
from bot.subscriptions.tables import SubscriptionAttempt
from handlers.campaign_views import (
    CANCEL_ACTION_ID,
    DISABLE_ACTION_PREFIX,
    MORE_ACTION_ID,
    PREVIOUS_ACTION_ID,
)
from handlers.subscribe_views import OPEN_ACTION_PREFIX
from tests.e2e.support.flows import (
    ANSWERS,
    CAMPAIGNS,
    SUB_PATH,
    TRIAL,
    confirmation,
    open_form,
    view_option,
    wait_for_result,
)

DISABLE_VALUE = json.dumps({"product": "livechat", "slug": "pp_spring_webinar", "name": "Spring webinar"})
PAGE_VALUE = json.dumps({"page": 2, "state": None})


async def db_counts(stack) -> tuple[int, int, int]:
    """Digest channels switched on, idempotency claims, subscription audit rows."""
    async with stack.services.db.session() as session:
        digests = await session.scalar(
            select(func.count()).select_from(DigestChannel).where(DigestChannel.enabled.is_(True))
        )
        claims = await session.scalar(select(func.count()).select_from(IdempotencyKey))
        audit = await session.scalar(select(func.count()).select_from(SubscriptionAttempt))
    return digests or 0, claims or 0, audit or 0


def writes(stack) -> list[str]:
    """Partners API calls that change something, and Slack calls that post or open anything."""
    partners = [f"{c.method} {c.path}" for c in stack.sandbox.state.calls if c.method != "GET"]
    slack = [
        r.method
        for r in stack.standin.state.requests
        if r.method in ("chat.postMessage", "views.open", "views.push", "views.update", "chat.update")
    ]
    return partners + slack


async def test_outsiders_and_non_admins_change_nothing_at_any_step(sub_hstack):
    stack, driver, state, lives = (
        sub_hstack,
        sub_hstack.driver,
        sub_hstack.standin.state,
        sub_hstack.sandbox.state,
    )
    # The admin's real payloads: the campaign modal, the subscription form and its confirmation.
    await driver.command("/campaign", "new", user_id="U_ADMIN")
    # The coupons arrive in a views.update after the modal opens: let it land first, or open_form
    # below could take it for the subscription form's update (a race under load).
    await state.wait_for_call("views.update")
    campaign_view = copy.deepcopy((await state.wait_for(lambda: state.top_view("U_ADMIN"))).view)
    campaign_answers = {NAME_BLOCK: "Crafted", PRODUCT_BLOCK: view_option(campaign_view, PRODUCT_BLOCK)}
    form = copy.deepcopy(await open_form(driver, state))
    confirm = copy.deepcopy(await confirmation(driver, state))
    result = await driver.command(
        "/earnings", "digest on 09:00 UTC", user_id="U_ADMIN", channel_id="C_RANDOM"
    )
    await state.wait_for_response(result.response_url)
    await asyncio.sleep(0.3)
    calls_before, writes_before, counts_before = len(lives.calls), writes(stack), await db_counts(stack)
    assert counts_before[0] == 1

    refusals = 0
    # Outsiders get the access middleware's sentence; non-admins one naming ADMIN_USER_IDS (each
    # feature words its own, e.g. `ADMINS_ONLY` for /subscribe).
    assert "ADMIN_USER_IDS" in ADMINS_ONLY
    for user, refusal in (("U_GUEST", NOT_ALLOWED), ("U_PARTNER", "ADMIN_USER_IDS")):
        commands = [
            ("/earnings", "digest on 08:00 UTC", "C_GENERAL"),
            ("/earnings", "digest off", "C_RANDOM"),
            ("/subscribe", "", "C_GENERAL"),
        ]
        if user == "U_GUEST":  # allowed users may use these; outsiders may not
            commands += [
                ("/earnings", "digest status", "C_RANDOM"),
                ("/campaign", "new", "C_GENERAL"),
                ("/campaign", "list", "C_GENERAL"),
                ("/campaign", "disable pp_spring_webinar", "C_GENERAL"),
            ]
        for command, text, channel in commands:
            result = await driver.command(command, text, user_id=user, channel_id=channel)
            if result.body == "" or result.body is None:  # acked first; the refusal comes by response_url
                post = await state.wait_for_response(result.response_url)
                said = str(post.payload)
            else:
                said = str(result.body)
            assert refusal in said, (user, command, text, said)
            refusals += 1
        # Buttons: the subscribe button for everyone; the campaign buttons for outsiders only.
        buttons = [(OPEN_ACTION_PREFIX + TRIAL, TRIAL)]
        if user == "U_GUEST":
            buttons += [
                (f"{DISABLE_ACTION_PREFIX}0", DISABLE_VALUE),
                (CANCEL_ACTION_ID, None),
                (MORE_ACTION_ID, PAGE_VALUE),
                (PREVIOUS_ACTION_ID, PAGE_VALUE),
            ]
        for action_id, value in buttons:
            result = await driver.block_action(action_id, value, user_id=user, channel_id="C_GENERAL")
            assert result.status == 200
            refusals += 1
        # Modals submitted with the admin's real views and valid answers.
        submissions = [(form, ANSWERS), (confirm, None)]
        if user == "U_GUEST":
            submissions.append((campaign_view, campaign_answers))
        for view, answers in submissions:
            result = await driver.view_submission(view, answers=answers, user_id=user, apply_response=False)
            assert result.response_action == "update" and refusal in str(result.body), (
                user,
                view["callback_id"],
            )
            refusals += 1
    await asyncio.sleep(0.5)  # anything started after the acks has had time to call out
    assert writes(stack) == writes_before
    assert len(lives.calls) == calls_before, [f"{c.method} {c.path}" for c in lives.calls[calls_before:]]
    digests, claims, audit = await db_counts(stack)
    # The non-admin's confirmation is audited as refused (by design); nothing else was written.
    assert (digests, claims, audit) == (counts_before[0], counts_before[1], counts_before[2] + 1)
    assert refusals == 21

    # The same payloads from the admin do work: the refusals were about who sent them.
    created = await driver.view_submission(campaign_view, answers=campaign_answers, user_id="U_ADMIN")
    assert created.status == 200
    await driver.block_action(
        f"{DISABLE_ACTION_PREFIX}0", DISABLE_VALUE, user_id="U_ADMIN", channel_id="C_GENERAL"
    )
    await driver.view_submission(confirm, user_id="U_ADMIN", apply_response=False)
    assert "Subscribed." in await wait_for_result(state, confirm["id"])
    await asyncio.sleep(0.3)
    assert lives.count("POST", CAMPAIGNS) == 1
    assert lives.count("POST", SUB_PATH) == 1
    assert lives.count("DELETE", CAMPAIGNS) == 1
    # Disabled by the id `search` gives (9101 is pp_spring_webinar in the sandbox).
    assert [c.path for c in lives.calls if c.method == "DELETE"] == [f"{CAMPAIGNS}/9101"]
