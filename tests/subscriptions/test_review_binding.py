"""Confirm executes only the order stored at Review, by the same admin, once (14.9), and Review
re-reads the license so a paid one shows the subscription that exists, never a price (15.8).

Forged confirmations are signed like Slack's (the driver signs every request), so they pass the
signature check and only the server-side record stops them.
"""

from __future__ import annotations

import json
from datetime import timedelta

from bot.subscriptions.audit import AuditLog
from handlers.subscribe_views import CONFIRM_CALLBACK
from tests.e2e.blockkit import assert_valid_view
from tests.subscriptions.conftest import (
    ANSWERS,
    SUB_PATH,
    TOKEN_PATH,
    TRIAL,
    confirmation,
    open_form,
    pushed_review,
    put_card,
    review_outcome,
    service_of,
    view_text,
    wait_for_result,
)


def forged(confirm: dict, **changes) -> dict:
    """The confirmation view with its private_metadata edited (a crafted, signed submission)."""
    meta = {**json.loads(confirm["private_metadata"]), **changes}
    return {**confirm, "private_metadata": json.dumps(meta)}


async def nothing_sent(stack) -> None:
    assert stack.sandbox.state.count("POST", SUB_PATH) == 0
    assert stack.sandbox.state.count("GET", TOKEN_PATH) == 0
    assert TRIAL not in stack.sandbox.state.subscriptions


async def refused_text(stack, view: dict, user_id: str = "U_ADMIN") -> str:
    await stack.driver.view_submission(view, user_id=user_id)
    final = await wait_for_result(stack, view["id"])
    assert_valid_view(final)
    text = view_text(final)
    assert "Not sent — nothing was charged." in text
    return text


async def test_confirm_naming_other_seats_than_reviewed_is_refused(sub_stack):
    confirm = await confirmation(sub_stack)
    text = await refused_text(sub_stack, forged(confirm, seats=50))
    assert "differs from the order you reviewed" in text
    await nothing_sent(sub_stack)
    entries = await AuditLog(sub_stack.services.db, sub_stack.services.clock).entries(TRIAL)
    assert [e.outcome for e in entries] == ["refused"]


async def test_confirm_with_a_request_id_never_reviewed_is_refused(sub_stack):
    confirm = await confirmation(sub_stack)
    text = await refused_text(sub_stack, forged(confirm, request_id="f" * 32, plan="business"))
    assert "does not match an order you reviewed" in text
    await nothing_sent(sub_stack)


async def test_confirm_after_the_review_expired_is_refused(sub_stack):
    service_of(sub_stack).pending.ttl = timedelta(0)
    confirm = await confirmation(sub_stack)
    text = await refused_text(sub_stack, confirm)
    assert "reviews expire after 30 minutes" in text
    await nothing_sent(sub_stack)


async def test_confirm_by_another_admin_than_the_reviewer_is_refused(sub_stack):
    confirm = await confirmation(sub_stack, user_id="U_ADMIN")
    text = await refused_text(sub_stack, confirm, user_id="U_PARTNER")
    assert "Another admin reviewed this order" in text
    await nothing_sent(sub_stack)


async def test_card_replaced_under_the_same_label_after_review_is_not_charged(sub_stack):
    confirm = await confirmation(sub_stack)
    assert "ending 1111" in view_text(confirm)
    await put_card(sub_stack, "5555555555554444")  # same label "Agency Visa", another card
    text = await refused_text(sub_stack, confirm)
    assert "card under this label was replaced" in text
    await nothing_sent(sub_stack)
    # Reviewing again shows the new card and then works.
    again = await confirmation(sub_stack, answers={**ANSWERS, "card": "4444:Agency Visa"})
    await sub_stack.driver.view_submission(again["id"])
    assert "Subscribed." in view_text(await wait_for_result(sub_stack, again["id"]))
    assert sub_stack.sandbox.state.subscriptions[TRIAL]["card_last4"] == "4444"


async def test_the_reviewed_confirm_runs_once_even_when_submitted_again_later(sub_stack):
    confirm = await confirmation(sub_stack)
    await sub_stack.driver.view_submission(confirm, apply_response=False)
    await sub_stack.standin.state.wait_for(lambda: sub_stack.sandbox.state.subscriptions.get(TRIAL))
    await sub_stack.driver.view_submission(confirm)
    assert "Subscribed." in view_text(await wait_for_result(sub_stack, confirm["id"]))
    assert sub_stack.sandbox.state.count("POST", SUB_PATH) == 1


async def test_review_of_a_license_paid_meanwhile_shows_the_existing_plan_not_a_price(sub_stack):
    form = await open_form(sub_stack)
    lic = sub_stack.sandbox.state.licenses[TRIAL]
    lic.update(paid=True, status="paid", plan="business", seats=12, billing_cycle="monthly")
    submitted = await sub_stack.driver.view_submission(form["id"], answers=ANSWERS)
    view = await review_outcome(sub_stack.standin.state, pushed_review(sub_stack.standin.state, submitted))
    assert view["callback_id"] != CONFIRM_CALLBACK, "no confirmation is shown"
    assert_valid_view(view)
    text = view_text(view)
    assert "Already subscribed." in text and "$" not in text
    assert "Plan now*\\nBusiness" in text and "12 seats" in text and "Monthly" in text
    assert "Team" not in text, "not the plan just attempted"
    await nothing_sent(sub_stack)


async def test_already_subscribed_by_another_admin_shows_a_real_mention_and_what_exists(sub_stack):
    # U_PARTNER reviews first (the license is still unpaid), then U_ADMIN subscribes it.
    late = await confirmation(
        sub_stack, user_id="U_PARTNER", answers={**ANSWERS, "plan": "business", "seats": 12}
    )
    first = await confirmation(sub_stack, user_id="U_ADMIN")
    await sub_stack.driver.view_submission(first["id"], user_id="U_ADMIN")
    assert "Subscribed." in view_text(await wait_for_result(sub_stack, first["id"]))

    await sub_stack.driver.view_submission(late["id"], user_id="U_PARTNER")
    final = await wait_for_result(sub_stack, late["id"])
    assert_valid_view(final)
    text = view_text(final)
    assert "Already subscribed." in text
    assert "by <@U_ADMIN>" in text and "&lt;@" not in text
    assert "Plan now*\\nTeam" in text and "5 seats" in text and "Annual" in text
    assert "Business" not in text and "12 seats" not in text
    assert sub_stack.sandbox.state.count("POST", SUB_PATH) == 1
