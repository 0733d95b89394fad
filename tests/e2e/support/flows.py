"""The `/subscribe` flow walked like Slack, against any bot URL (in-process stack or a subprocess)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.offline.slack_standin import SlackDriver
from bot.offline.slack_standin.state import StandinState
from bot.storage import Database
from bot.vault import open_vault
from bot.vault.card import validate_card
from handlers.subscribe_views import CONFIRM_CALLBACK, OPEN_ACTION_PREFIX, RESULT_CALLBACK
from tests.e2e.support.stacks import CARD_NUMBER, CVV, VAULT_KEY
from tests.subscriptions.conftest import pushed_review, review_outcome

TRIAL = "11223301"  # the sandbox's partner-paid LiveChat trial (Joe Doe Ltd)
SUB_PATH = "/v2/partners/solutions/licenses/livechat/"
TOKEN_PATH = "/js/v1/token"
ANSWERS = {"plan": "team", "seats": 5, "billing_cycle": "annual", "card": "1111:Agency Visa"}
PLAN_PRICES = {"starter": "20", "team": "41", "business": "59"}


def card_data() -> dict[str, Any]:
    """The card as an operator would import it (CARD_NUMBER, CVV)."""
    return {
        "label": "Agency Visa",
        "first_name": "Ada",
        "last_name": "Admin",
        "number": CARD_NUMBER,
        "month": 12,
        "year": date.today().year + 3,
        "cvv": CVV,
        "address1": "1 Main St",
        "city": "Boston",
        "state": "MA",
        "zip": "02101",
        "country": "US",
    }


async def seed_card(database_url: str) -> None:
    """Put the card in the vault of the database at `database_url` (migrating it first)."""
    from bot.clock import SystemClock

    db = Database(database_url)
    try:
        await db.upgrade()
        vault = open_vault(VAULT_KEY, db, SystemClock())
        await vault.put(validate_card(card_data(), date.today()))
    finally:
        await db.close()


async def open_form(
    driver: SlackDriver, state: StandinState, license_id: str = TRIAL, user_id: str = "U_ADMIN"
) -> dict[str, Any]:
    """Click Create subscription; the modal once the loading view was replaced."""
    before = len(state.calls("views.update"))
    result = await driver.block_action(
        OPEN_ACTION_PREFIX + license_id, license_id, user_id=user_id, channel_id="C_GENERAL"
    )
    assert result.status == 200
    await state.wait_for_call("views.update", count=before + 1)
    view = state.top_view(user_id)
    assert view is not None
    return view.view


async def confirmation(
    driver: SlackDriver, state: StandinState, license_id: str = TRIAL, user_id: str = "U_ADMIN"
) -> dict[str, Any]:
    """Open the form, submit it, and return the pushed confirmation view."""
    form = await open_form(driver, state, license_id, user_id)
    submitted = await driver.view_submission(form["id"], answers=ANSWERS, user_id=user_id)
    # The ack pushes "Checking…"; the review after it turns that modal into the confirmation.
    view = await review_outcome(state, pushed_review(state, submitted))
    assert view["callback_id"] == CONFIRM_CALLBACK, view_text(view)
    return view


def view_text(view: dict[str, Any]) -> str:
    return str(view.get("blocks"))


async def wait_for_result(state: StandinState, view_id: str, timeout: float = 8.0) -> str:
    """The modal's text once it shows a final result (not "Subscribing…" or "Checking…")."""

    def done() -> str | None:
        stored = state.views.get(view_id)
        if stored is None or stored.view.get("callback_id") != RESULT_CALLBACK:
            return None
        text = view_text(stored.view)
        return None if "hourglass_flowing" in text else text

    return await state.wait_for(done, timeout=timeout)


CAMPAIGNS = "/v2/partners/affiliates/campaigns"


def view_option(view: dict, block_id: str) -> str | None:
    """The first option's value of the select in `block_id` (None if it is not a select)."""
    for block in view.get("blocks", []):
        if block.get("block_id") == block_id:
            options = block.get("element", {}).get("options") or []
            return options[0]["value"] if options else None
    return None
