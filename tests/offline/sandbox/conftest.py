"""Fixtures: a real sandbox on a free port and an authenticated client session against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.offline.sandbox import RunningSandbox, start_sandbox

TOKEN = "sandbox-token"
RECURLY_KEY = "ewr1-QCXZap10wOSm13fxI4u5Jt"
CARD_FIELDS: dict[str, str] = {
    "key": RECURLY_KEY,
    "first_name": "Joe",
    "last_name": "Doe",
    "number": "4111111111111111",
    "month": "12",
    "year": "2099",
    "verification_value": "123",
    "address1": "1 Main St",
    "city": "Boston",
    "state": "MA",
    "zip": "02110",
    "country": "US",
}


@pytest.fixture
async def sandbox() -> AsyncIterator[RunningSandbox]:
    running = await start_sandbox()
    try:
        yield running
    finally:
        await running.close()


@pytest.fixture
async def client(sandbox: RunningSandbox) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(sandbox.url, headers={"Authorization": f"Bearer {TOKEN}"}) as session:
        yield session


async def card_token(client: aiohttp.ClientSession, **overrides: str) -> dict[str, Any]:
    """Call the sandbox Recurly and return its JSON (always status 200)."""
    async with client.get("/js/v1/token", params={**CARD_FIELDS, **overrides}) as resp:
        assert resp.status == 200
        return await resp.json()
