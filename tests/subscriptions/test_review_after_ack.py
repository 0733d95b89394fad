"""Review acks at once with a pushed "Checking…" modal, then re-reads LiveChat and turns that modal
(addressed by its external id) into the confirmation, the reason it cannot go on, or what failed.

Through the real app, the sandbox Partners API (its latency and faults) and the Slack stand-in.
"""

from __future__ import annotations

import logging

from sqlalchemy import text

from bot.partners.errors import PartnersUnavailable
from handlers.messages import API_DOWN, UNEXPECTED
from handlers.subscribe_views import CONFIRM_CALLBACK, RESULT_CALLBACK, REVIEWING_CALLBACK
from tests.e2e.blockkit import assert_valid_view
from tests.subscriptions.conftest import (
    ANSWERS,
    SUB_PATH,
    TOKEN_PATH,
    TRIAL,
    open_form,
    pushed_review,
    review_outcome,
    service_of,
    view_text,
    wait_for_result,
)

LICENSE_READ = SUB_PATH + TRIAL  # GET …/licenses/livechat/<id>: the review's fresh read
UPSTREAM_BODY = "upstream-body-the-admin-must-not-see"


async def press_review(stack, form: dict) -> tuple[dict, str]:
    """Submit the form; (the ack's pushed view, the stand-in's id of it)."""
    submitted = await stack.driver.view_submission(form["id"], answers=ANSWERS)
    return submitted.body["view"], pushed_review(stack.standin.state, submitted)


def nothing_posted(stack) -> bool:
    return (
        stack.sandbox.state.count("POST", SUB_PATH) == 0
        and stack.sandbox.state.count("GET", TOKEN_PATH) == 0
        and TRIAL not in stack.sandbox.state.subscriptions
    )


async def test_review_pushes_checking_in_the_ack_then_updates_it_into_the_confirmation(sub_stack):
    form = await open_form(sub_stack)
    pushed, view_id = await press_review(sub_stack, form)

    assert_valid_view(pushed)
    assert pushed["callback_id"] == REVIEWING_CALLBACK and "submit" not in pushed
    assert "$" not in view_text(pushed), "the ack carries no price: nothing was reviewed yet"
    stored = sub_stack.standin.state.views[view_id]
    assert stored.previous_view_id == form["id"], "pushed over the form"

    confirm = await review_outcome(sub_stack.standin.state, view_id)
    assert_valid_view(confirm)
    assert confirm["callback_id"] == CONFIRM_CALLBACK
    assert "$2,091.00 per year" in view_text(confirm)
    [update] = [
        c
        for c in sub_stack.standin.state.calls("views.update")
        if c.args.get("external_id") == pushed["external_id"]
    ]
    assert update.ok and "view_id" not in update.args, "a push ack returns no view id: by external id"
    assert nothing_posted(sub_stack)


async def test_a_slow_license_read_still_ends_on_the_confirmation_and_confirm_subscribes_once(sub_stack):
    form = await open_form(sub_stack)
    sub_stack.sandbox.state.hang_next(LICENSE_READ, 3.5, method="GET")  # beyond Slack's 3 s
    _, view_id = await press_review(sub_stack, form)
    # The ack came back while LiveChat was still answering: the modal is still "Checking…".
    assert sub_stack.standin.state.views[view_id].view["callback_id"] == REVIEWING_CALLBACK

    confirm = await review_outcome(sub_stack.standin.state, view_id, timeout=15)
    assert confirm["callback_id"] == CONFIRM_CALLBACK, view_text(confirm)
    assert "slow" not in view_text(confirm).lower() and "Review again" not in view_text(confirm)
    assert nothing_posted(sub_stack)

    done = await sub_stack.driver.view_submission(confirm["id"])
    assert done.response_action == "update"
    final = await wait_for_result(sub_stack, confirm["id"])
    assert_valid_view(final)
    assert "Subscribed." in view_text(final)
    assert sub_stack.sandbox.state.count("POST", SUB_PATH) == 1
    assert sub_stack.sandbox.state.subscriptions[TRIAL]["seats"] == 5


async def test_a_license_paid_meanwhile_ends_on_already_subscribed(sub_stack):
    form = await open_form(sub_stack)
    lic = sub_stack.sandbox.state.licenses[TRIAL]
    lic.update(paid=True, status="paid", plan="business", seats=12, billing_cycle="monthly")
    _, view_id = await press_review(sub_stack, form)
    view = await review_outcome(sub_stack.standin.state, view_id)
    assert_valid_view(view)
    assert view["callback_id"] == RESULT_CALLBACK
    assert "Already subscribed." in view_text(view) and "$" not in view_text(view)
    assert view.get("clear_on_close") is True, "Close ends the whole flow, form included"
    assert nothing_posted(sub_stack)


async def test_a_card_removed_after_the_form_opened_ends_on_why_not(sub_stack):
    form = await open_form(sub_stack)
    assert await sub_stack.services.vault.open().remove("Agency Visa")
    _, view_id = await press_review(sub_stack, form)
    view = await review_outcome(sub_stack.standin.state, view_id)
    assert_valid_view(view)
    assert view["callback_id"] == RESULT_CALLBACK and "Agency Visa" in view_text(view)
    assert nothing_posted(sub_stack)


async def test_a_livechat_5xx_on_the_reread_ends_on_our_sentence_not_the_api_body(sub_stack):
    form = await open_form(sub_stack)
    # Every attempt of the client's retried read fails.
    sub_stack.sandbox.state.fail_next(
        LICENSE_READ, 503, body={"error": UPSTREAM_BODY}, times=10, method="GET"
    )
    _, view_id = await press_review(sub_stack, form)
    view = await review_outcome(sub_stack.standin.state, view_id, timeout=15)
    assert_valid_view(view)
    shown = view_text(view)
    assert API_DOWN in shown and UPSTREAM_BODY not in shown
    assert "Checking" not in shown
    assert nothing_posted(sub_stack)


async def test_a_partners_error_raised_by_the_review_is_told_in_the_modal(sub_stack, monkeypatch):
    # Today's service turns LiveChat errors into a Result; the handler still words one it raises.
    async def raising(*args, **kwargs):
        raise PartnersUnavailable("LiveChat is down", status=503)

    monkeypatch.setattr(service_of(sub_stack), "review", raising)
    form = await open_form(sub_stack)
    _, view_id = await press_review(sub_stack, form)
    view = await review_outcome(sub_stack.standin.state, view_id)
    assert_valid_view(view)
    assert API_DOWN in view_text(view) and "LiveChat is down" not in view_text(view)


async def test_an_unexpected_failure_of_the_review_says_so_instead_of_checking_forever(sub_stack):
    form = await open_form(sub_stack)
    async with sub_stack.services.db.session() as session:
        await session.execute(text("DROP TABLE pending_orders"))  # storing the review fails
        await session.commit()
    _, view_id = await press_review(sub_stack, form)
    view = await review_outcome(sub_stack.standin.state, view_id)
    assert_valid_view(view)
    assert UNEXPECTED in view_text(view)
    assert view.get("submit") is None
    assert nothing_posted(sub_stack)


async def test_a_modal_closed_before_the_review_ends_is_left_alone(sub_stack, caplog):
    caplog.set_level(logging.WARNING, logger="handlers.subscribe")
    form = await open_form(sub_stack)
    # The admin closed the modal: not_found now and a second later.
    sub_stack.standin.state.fail_next("views.update", "not_found", times=2)
    before = len(sub_stack.standin.state.calls("views.update"))
    await press_review(sub_stack, form)
    assert await sub_stack.services.listener_work.drain(15) == 0  # the review's work has ended
    updates = sub_stack.standin.state.calls("views.update")[before:]
    assert [c.response.get("error") for c in updates] == ["not_found"] * 2, "a later try, then nothing"
    assert any("not_found" in r.getMessage() for r in caplog.records)
    assert nothing_posted(sub_stack)


async def test_a_push_slack_applies_late_still_ends_on_the_confirmation(sub_stack):
    form = await open_form(sub_stack)
    sub_stack.standin.state.fail_next("views.update", "not_found")  # the push not applied yet
    _, view_id = await press_review(sub_stack, form)
    view = await review_outcome(sub_stack.standin.state, view_id)
    assert_valid_view(view)
    assert view["callback_id"] == CONFIRM_CALLBACK


async def test_a_view_slack_refuses_is_replaced_by_a_message_not_left_on_checking(sub_stack):
    form = await open_form(sub_stack)
    sub_stack.standin.state.fail_next("views.update", "invalid_arguments")
    _, view_id = await press_review(sub_stack, form)
    view = await review_outcome(sub_stack.standin.state, view_id)
    assert_valid_view(view)
    assert "The review could not be shown." in view_text(view) and UNEXPECTED in view_text(view)
    assert nothing_posted(sub_stack)
