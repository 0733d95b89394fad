"""Kill -9 of `serve` in the middle of the payout POST, then restart: never a second payout.

The sandbox holds the POST, so the process dies with both claims (`payout_request/<id>` and
`payout/<day>/<balance>`) `pending`. LiveChat then applies the payout or refuses it (billing
details removed meanwhile → 409). The claims are aged past the 5-minute stale timeout and the same
confirmation arrives again at a new process: it re-reads `/withdrawals` instead of POSTing.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.offline.local_stack import SIGNING_SECRET
from bot.offline.sandbox import SandboxOptions, start_sandbox
from bot.offline.slack_standin import SlackDriver, StandinOptions, start_slack_standin
from bot.storage import Database
from bot.storage.idempotency import IdempotencyKey
from handlers.withdraw_blocks import CONFIRM_ACTION_ID
from tests.e2e.support.processes import bot_env, poll, start_serve, stop_all
from tests.e2e.support.stacks import BOT_TOKEN, PARTNERS_TOKEN
from tests.payouts.helpers import WITHDRAWALS, confirm_button

HOLD = 1.5


async def age_pending(db: Database, by: timedelta) -> None:
    async with db.session() as session:
        await session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.state == "pending")
            .values(updated_at=datetime.now(UTC) - by)
        )


async def claim_states(db: Database) -> dict[str, str]:
    async with db.session() as session:
        rows = (
            await session.execute(select(IdempotencyKey).where(IdempotencyKey.scope.like("payout%")))
        ).scalars()
        return {row.scope: row.state for row in rows}


@pytest.mark.parametrize("applied", [True, False], ids=["livechat-applied-it", "livechat-refused-it"])
async def test_serve_killed_mid_payout_post_never_pays_twice(tmp_path, applied):
    database_url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    sandbox = await start_sandbox(options=SandboxOptions(token=PARTNERS_TOKEN))
    standin = await start_slack_standin(options=StandinOptions(bot_token=BOT_TOKEN))
    state, lives = standin.state, sandbox.state
    env = bot_env(slack_api_url=standin.api_url, partners_url=sandbox.url, database_url=database_url)
    db = Database(database_url)
    processes = []
    before = len(lives.withdrawals)
    try:
        first = await start_serve(env, tmp_path, "first")
        processes.append(first)
        async with SlackDriver(first.events_url, SIGNING_SECRET, state) as driver:
            prompt = await driver.command("/earnings", "withdraw", user_id="U_ADMIN")
            value = confirm_button((await state.wait_for_response(prompt.response_url, timeout=10)).payload)[
                "value"
            ]
            lives.hang_next(WITHDRAWALS, HOLD, method="POST")
            await driver.block_action(CONFIRM_ACTION_ID, value, channel_id="C_GENERAL")
            await poll(lambda: lives.count("POST", WITHDRAWALS) == 1)
        first.kill9()
        assert await first.wait() == -9
        if not applied:
            lives.billing_info = None  # the held POST will be refused with 409
        held_since = lives.calls_to("POST", WITHDRAWALS)[0].time
        await asyncio.sleep(max(0.0, held_since + HOLD + 0.3 - lives.now()))
        assert (len(lives.withdrawals) == before + 1) is applied
        assert await claim_states(db) == {"payout_request": "pending", "payout": "pending"}

        await age_pending(db, timedelta(minutes=6))
        second = await start_serve(env, tmp_path, "second")
        processes.append(second)
        async with SlackDriver(second.events_url, SIGNING_SECRET, state) as driver:
            again = await driver.block_action(CONFIRM_ACTION_ID, value, channel_id="C_GENERAL")
            text = (await state.wait_for_response(again.response_url, timeout=15)).payload["text"]
        if applied:
            assert "withdrawals list now shows it as pending" in text, text
            assert (await claim_states(db))["payout"] == "done"
        else:
            assert "Not confirmed yet" in text, text
            assert (await claim_states(db))["payout"] == "unknown"
        assert lives.count("POST", WITHDRAWALS) == 1
        assert len(lives.withdrawals) == before + (1 if applied else 0)
    finally:
        await stop_all(processes, db, standin, sandbox)
