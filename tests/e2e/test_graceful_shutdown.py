"""Shutdown while a listener is still working after its ack: the work finishes, then things close.

Bolt runs a listener's post-ack work as a free-standing task. These tests stop the real app (its
aiohttp cleanup, as on SIGTERM) while a Share is waiting on Slack, and look at what was recorded.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from bot.offline.local_stack import start_local_stack
from bot.storage import Database
from bot.storage.idempotency import ClaimState, IdempotencyKey
from handlers.earnings_blocks import SHARE_ACTION_ID


async def _claims(url: str) -> list[tuple[str, ClaimState]]:
    db = Database(url)
    try:
        async with db.session() as session:
            rows = (await session.execute(select(IdempotencyKey.scope, IdempotencyKey.state))).all()
        return [(scope, ClaimState(state)) for scope, state in rows]
    finally:
        await db.close()


async def test_a_share_in_flight_at_shutdown_is_posted_and_recorded(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    stack = await start_local_stack(settings_overrides={"database_url": url})
    stack.standin.state.delay("chat.postMessage", 0.5)  # still waiting on Slack when we stop
    try:
        clicked = await stack.driver.block_action(SHARE_ACTION_ID, user_id="U_ADMIN", channel_id="C_GENERAL")
        assert clicked.status == 200
        assert len(stack.services.listener_work) == 1  # acked, the share still to be posted
    finally:
        await stack.close()
    assert len(stack.standin.state.calls("chat.postMessage")) == 1
    assert stack.standin.state.response_posts(clicked.response_url)  # the clicker was told
    assert ("earnings_share", ClaimState.DONE) in await _claims(url)


async def test_shutdown_waits_no_longer_than_the_grace(tmp_path, caplog):
    stack = await start_local_stack(settings_overrides={"shutdown_grace_seconds": 0.2})
    stack.standin.state.delay("chat.postMessage", 3)
    caplog.set_level(logging.INFO, logger="bot.slack.listener_work")
    try:
        clicked = await stack.driver.block_action(SHARE_ACTION_ID, user_id="U_ADMIN", channel_id="C_GENERAL")
        assert clicked.status == 200
    finally:
        await stack.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "1 listener(s) still running after 0.2 s; closing anyway" in warnings
