"""The local stack with a card in the vault, and helpers that walk the /subscribe flow like Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest

from bot.offline.local_stack import LocalStack, start_local_stack
from bot.offline.slack_standin import DriverResult
from bot.offline.slack_standin.state import StandinState
from bot.storage import Database
from bot.subscriptions.service import SubscriptionService
from bot.vault import new_key
from bot.vault.card import validate_card
from handlers.subscribe_views import CONFIRM_CALLBACK, OPEN_ACTION_PREFIX, REVIEWING_CALLBACK

CARD_NUMBER = "4111111111111111"
CARD_CVV = "737"
TRIAL = "11223301"  # Joe Doe Ltd: partner-paid LiveChat trial
OTHER_TRIAL = "11223306"  # Harbor Legal LLP
SUB_PATH = "/v2/partners/solutions/licenses/livechat/"
TOKEN_PATH = "/js/v1/token"
ANSWERS = {"plan": "team", "seats": 5, "billing_cycle": "annual", "card": "1111:Agency Visa"}


def card_data(number: str = CARD_NUMBER, **changes: Any) -> dict[str, Any]:
    data = {
        "label": "Agency Visa",
        "first_name": "Ada",
        "last_name": "Admin",
        "number": number,
        "month": 12,
        "year": date.today().year + 3,
        "cvv": CARD_CVV,
        "address1": "1 Main St",
        "city": "Boston",
        "state": "MA",
        "zip": "02101",
        "country": "US",
    }
    data.update(changes)
    return data


async def put_card(stack: LocalStack, number: str = CARD_NUMBER, **changes: Any) -> None:
    await stack.services.vault.open().put(validate_card(card_data(number, **changes), date.today()))


def service_of(stack: LocalStack) -> SubscriptionService:
    return stack.services.subscriptions


async def make_stack(tmp_path, **overrides: Any) -> LocalStack:
    settings = {
        "admin_user_ids": "U_ADMIN,U_PARTNER",
        "vault_key": new_key(),
        "database_url": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "plan_prices": {"starter": "20", "team": "41", "business": "59"},
        **overrides,
    }
    stack = await start_local_stack(settings_overrides=settings)
    service = service_of(stack)
    service.verify_interval = 0.1
    service.poll_interval = 0.05
    return stack


@pytest.fixture
async def sub_stack(tmp_path) -> AsyncIterator[LocalStack]:
    """The whole bot with U_ADMIN and U_PARTNER as admins and one Visa card in the vault."""
    stack = await make_stack(tmp_path)
    try:
        await put_card(stack)
        yield stack
    finally:
        await stack.close()


async def open_form(stack: LocalStack, license_id: str = TRIAL, user_id: str = "U_ADMIN") -> dict[str, Any]:
    """Click Create subscription and wait until the loading modal was replaced; returns the stored view."""
    before = len(stack.standin.state.calls("views.update"))
    result = await stack.driver.block_action(
        OPEN_ACTION_PREFIX + license_id, license_id, user_id=user_id, channel_id="C_GENERAL"
    )
    assert result.status == 200
    await stack.standin.state.wait_for_call("views.update", count=before + 1)
    view = stack.standin.state.top_view(user_id)
    assert view is not None
    return view.view


def pushed_review(state: StandinState, submitted: DriverResult) -> str:
    """The id of the "Checking…" modal Review's ack pushed, found by its external id as the bot's
    update after the review finds it."""
    assert submitted.response_action == "push", submitted.body
    pushed = submitted.body["view"]
    assert pushed["callback_id"] == REVIEWING_CALLBACK and pushed.get("external_id"), pushed
    [stored] = [v for v in state.views.values() if v.external_id == pushed["external_id"]]
    return stored.id


async def review_outcome(state: StandinState, view_id: str, timeout: float = 8.0) -> dict[str, Any]:
    """The pushed modal once the review after the ack replaced its "Checking…"."""

    def done() -> dict[str, Any] | None:
        stored = state.views.get(view_id)
        if stored is None or stored.view.get("callback_id") == REVIEWING_CALLBACK:
            return None
        return stored.view

    return await state.wait_for(done, timeout=timeout)


async def submit_form(
    stack: LocalStack,
    license_id: str = TRIAL,
    user_id: str = "U_ADMIN",
    answers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Open the form, press Review, and return what the "Checking…" modal became."""
    form = await open_form(stack, license_id, user_id)
    submitted = await stack.driver.view_submission(form["id"], answers=answers or ANSWERS, user_id=user_id)
    return await review_outcome(stack.standin.state, pushed_review(stack.standin.state, submitted))


async def confirmation(
    stack: LocalStack,
    license_id: str = TRIAL,
    user_id: str = "U_ADMIN",
    answers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Open the form, submit it, and return the confirmation the pushed modal became."""
    view = await submit_form(stack, license_id, user_id, answers)
    assert view["callback_id"] == CONFIRM_CALLBACK, view_text(view)
    return view


def view_text(view: dict[str, Any]) -> str:
    return str(view.get("blocks"))


async def wait_for_result(stack: LocalStack, view_id: str, timeout: float = 8.0) -> dict[str, Any]:
    """The modal once it shows a final result (not "Subscribing…" or "Checking…")."""

    def done() -> dict[str, Any] | None:
        stored = stack.standin.state.views.get(view_id)
        if stored is None:
            return None
        text = view_text(stored.view)
        return (
            stored.view
            if stored.view.get("callback_id") == "subscribe_result" and "hourglass_flowing" not in text
            else None
        )

    return await stack.standin.state.wait_for(done, timeout=timeout)


@pytest.fixture
async def db(tmp_path) -> AsyncIterator[Database]:
    """A migrated SQLite file for vault tests that need no Slack."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/vault.db")
    await database.upgrade()
    yield database
    await database.close()
