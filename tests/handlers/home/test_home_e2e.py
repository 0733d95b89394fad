"""The Home tab, its buttons and the New campaign shortcut through the real app and the fakes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.access import NOT_ALLOWED
from bot.digest.store import snapshot_payload
from bot.offline.local_stack import LocalStack, start_local_stack
from bot.partners.models import Earnings
from bot.storage.digest_tables import EarningsSnapshot
from handlers.campaign_views import CREATE_CALLBACK_ID
from handlers.home import SHORTCUT_CALLBACK
from handlers.home_blocks import NEW_CAMPAIGN_ACTION, REFRESH_ACTION
from tests.e2e.blockkit import assert_valid_view

SECTIONS = ["Partners Bot", "Money", "Trials ending soon", "Campaigns", "Schedules", "Recent withdrawals"]


@pytest.fixture
async def home_stack() -> AsyncIterator[LocalStack]:
    settings = {
        "admin_user_ids": "U_ADMIN",
        "allowed_user_ids": "U_ADMIN,U_PARTNER",
        "digest_check_seconds": 0,
    }
    stack = await start_local_stack(settings_overrides=settings)
    try:
        yield stack
    finally:
        await stack.close()


async def published(stack: LocalStack, user_id: str, count: int = 1) -> list[dict]:
    """The views published for `user_id`, once there are at least `count`."""

    def views() -> list[dict] | None:
        found = [
            r.args["view"]
            for r in stack.standin.state.calls("views.publish")
            if r.args.get("user_id") == user_id and r.ok
        ]
        return found if len(found) >= count else None

    return await stack.standin.state.wait_for(views)


def headers(view: dict) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]


def action_ids(view: dict) -> set[str]:
    found = set()
    for block in view["blocks"]:
        if "accessory" in block:
            found.add(block["accessory"]["action_id"])
        found.update(e["action_id"] for e in block.get("elements", []) if "action_id" in e)
    return found


async def test_admin_sees_every_section_with_subscribe_buttons(home_stack):
    stack = home_stack
    await stack.driver.command("/earnings", "digest on 09:00 Europe/Warsaw", channel_id="C_GENERAL")
    await stack.driver.command("/subscribe", "alerts on 5", channel_id="C_RANDOM")
    await stack.standin.state.wait_for(lambda: len(stack.standin.state.ephemerals()) >= 2)
    result = await stack.driver.app_home_opened("U_ADMIN")
    assert result.status == 200
    [view] = await published(stack, "U_ADMIN")
    assert_valid_view(view)
    assert headers(view) == SECTIONS
    text = str(view["blocks"])
    for expected in ("$16,519.12", "Joe Doe Ltd", "Harbor Legal LLP", "*3* active", "*$400.00* · pending"):
        assert expected in text
    assert "<#C_GENERAL> at 09:00 Europe/Warsaw" in text and "<#C_RANDOM>, 5 days ahead" in text
    assert {
        REFRESH_ACTION,
        NEW_CAMPAIGN_ACTION,
        "subscribe_open:11223301",
        "subscribe_open:11223306",
    } <= action_ids(view)
    # The stand-in keeps it as the user's Home, and the next open shows it to the bot again.
    assert stack.standin.state.home_views["U_ADMIN"].view["blocks"] == view["blocks"]


async def test_non_admin_sees_no_money_moving_buttons(home_stack):
    stack = home_stack
    await stack.driver.app_home_opened("U_PARTNER")
    [view] = await published(stack, "U_PARTNER")
    assert_valid_view(view)
    assert headers(view) == SECTIONS
    assert not any(a.startswith("subscribe_open:") for a in action_ids(view))
    assert {REFRESH_ACTION, NEW_CAMPAIGN_ACTION} <= action_ids(view)
    assert "Joe Doe Ltd" in str(view["blocks"])


async def test_outsider_sees_one_line_and_nothing_is_read(home_stack):
    stack = home_stack
    before = len(stack.sandbox.state.calls)
    await stack.driver.app_home_opened("U_GUEST")
    [view] = await published(stack, "U_GUEST")
    assert_valid_view(view)
    assert [b["text"]["text"] for b in view["blocks"]] == [NOT_ALLOWED]
    assert len(stack.sandbox.state.calls) == before


async def test_slow_api_publishes_a_placeholder_first_then_the_dashboard(home_stack):
    stack = home_stack
    stack.sandbox.state.latency_by_path["/v2/partners/solutions/licenses"] = 3.0
    await stack.driver.app_home_opened("U_ADMIN")
    placeholder, full = await published(stack, "U_ADMIN", count=2)
    assert "Loading your dashboard" in str(placeholder["blocks"])
    assert headers(full) == SECTIONS and "Joe Doe Ltd" in str(full["blocks"])


async def test_changes_since_the_earlier_digest_snapshot(home_stack):
    stack = home_stack
    before = Earnings.model_validate({"balance": "16000.00", "pending": 400, "commission_total": "26000.12"})
    async with stack.services.db.session() as session:
        taken = stack.services.clock.now() - timedelta(days=1)
        session.add(EarningsSnapshot(taken_at=taken, payload=json.dumps(snapshot_payload(before))))
    await stack.driver.app_home_opened("U_ADMIN")
    [view] = await published(stack, "U_ADMIN")
    text = str(view["blocks"])
    assert "▲ $519.12" in text and "▲ $171.00" in text and "no change" in text
    assert "Changes since the digest snapshot of" in text


async def test_refresh_republishes_and_new_campaign_opens_the_campaign_modal(home_stack):
    stack = home_stack
    await stack.driver.app_home_opened("U_PARTNER")
    await published(stack, "U_PARTNER")
    home = stack.standin.state.home_views["U_PARTNER"].view
    await stack.driver.block_action(REFRESH_ACTION, REFRESH_ACTION, user_id="U_PARTNER", view=home)
    assert len(await published(stack, "U_PARTNER", count=2)) == 2
    await stack.driver.block_action(NEW_CAMPAIGN_ACTION, NEW_CAMPAIGN_ACTION, user_id="U_PARTNER", view=home)
    modal = await stack.standin.state.wait_for(lambda: stack.standin.state.top_view("U_PARTNER"))
    assert modal.view["callback_id"] == CREATE_CALLBACK_ID


async def test_admin_create_subscription_from_home_opens_the_subscribe_flow(home_stack):
    stack = home_stack
    await stack.driver.app_home_opened("U_ADMIN")
    await published(stack, "U_ADMIN")
    home = stack.standin.state.home_views["U_ADMIN"].view
    await stack.driver.block_action("subscribe_open:11223301", "11223301", user_id="U_ADMIN", view=home)
    modal = await stack.standin.state.wait_for(lambda: stack.standin.state.top_view("U_ADMIN"))
    assert modal.view["callback_id"] != CREATE_CALLBACK_ID
    assert "subscri" in str(modal.view).lower()


async def test_global_shortcut_opens_the_campaign_modal(home_stack):
    stack = home_stack
    result = await stack.driver.shortcut(SHORTCUT_CALLBACK, user_id="U_PARTNER")
    assert result.status == 200
    modal = await stack.standin.state.wait_for(lambda: stack.standin.state.top_view("U_PARTNER"))
    assert_valid_view(modal.view)
    assert modal.view["callback_id"] == CREATE_CALLBACK_ID


async def test_outsider_shortcut_opens_nothing(home_stack):
    stack = home_stack
    result = await stack.driver.shortcut(SHORTCUT_CALLBACK, user_id="U_GUEST")
    assert result.status == 200
    assert stack.standin.state.calls("views.open") == []
