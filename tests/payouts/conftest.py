"""A stack whose Partners calls time out after 1 s, so lost answers are quick to simulate."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.offline.local_stack import LocalStack, start_local_stack


@pytest.fixture
async def fast_stack() -> AsyncIterator[LocalStack]:
    running = await start_local_stack(
        settings_overrides={
            "admin_user_ids": "U_ADMIN",
            "partners_timeout": 1.0,
            "partners_connect_timeout": 1.0,
        }
    )
    try:
        yield running
    finally:
        await running.close()
