"""Two bot replicas on one PostgreSQL database: confirmations landing on both make one POST."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.app import build_web_app
from bot.offline.local_stack import SIGNING_SECRET, _bound_port
from bot.offline.slack_standin import SlackDriver
from bot.services import open_services
from tests.subscriptions.conftest import (
    SUB_PATH,
    TRIAL,
    confirmation,
    make_stack,
    put_card,
    view_text,
    wait_for_result,
)


async def _clean(db) -> None:
    async with db.engine.begin() as connection:
        await connection.exec_driver_sql("DELETE FROM idempotency_keys WHERE scope LIKE 'subscription%'")
        await connection.exec_driver_sql("DELETE FROM subscription_attempts")
        await connection.exec_driver_sql("DELETE FROM vault_cards")


async def test_two_replicas_confirming_at_once_make_one_post(pg_url, tmp_path):
    async with await make_stack(tmp_path, database_url=pg_url) as stack:
        await _clean(stack.services.db)
        await put_card(stack)
        replica_services = await open_services(stack.settings)
        runner = web.AppRunner(build_web_app(replica_services), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        replica = SlackDriver(
            f"http://127.0.0.1:{_bound_port(runner)}/slack/events", SIGNING_SECRET, stack.standin.state
        )
        try:
            stack.sandbox.state.latency_by_path[SUB_PATH] = 0.3
            first = await confirmation(stack, user_id="U_ADMIN")
            second = await confirmation(stack, user_id="U_PARTNER")
            await asyncio.gather(
                stack.driver.view_submission(first["id"], user_id="U_ADMIN"),
                replica.view_submission(second["id"], user_id="U_PARTNER"),
                # The same confirmation delivered to both replicas (a Slack retry landing elsewhere).
                replica.view_submission(first, user_id="U_ADMIN", apply_response=False),
            )
            texts = [view_text(await wait_for_result(stack, v["id"], timeout=15)) for v in (first, second)]
            assert stack.sandbox.state.count("POST", SUB_PATH) == 1
            assert TRIAL in stack.sandbox.state.subscriptions
            assert sum("Subscribed." in t for t in texts) == 1
        finally:
            await replica.close()
            await runner.cleanup()
            await _clean(stack.services.db)
