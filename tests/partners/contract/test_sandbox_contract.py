"""The sandbox answers every endpoint in the documented shape, so it can never drift from the API.

For each example file, the matching request goes to a real sandbox; its answer must carry every
field of the example with the same JSON type (more fields are fine, different types are not).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.offline.sandbox import RunningSandbox, start_sandbox
from tests.partners.contract.endpoints import CALLS, drift, json_type

TOKEN = "sandbox-token"


@pytest.fixture
async def sandbox() -> AsyncIterator[RunningSandbox]:
    running = await start_sandbox()
    try:
        yield running
    finally:
        await running.close()


async def _answer(sandbox: RunningSandbox, name: str) -> tuple[int, Any]:
    call = CALLS[name]
    if name == "get-earnings-2018":
        sandbox.state.earnings_shape = "2018"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with aiohttp.ClientSession(sandbox.url, headers=headers) as session:
        async with session.request(call.method, call.path, params=call.params, data=call.form) as resp:
            return resp.status, await resp.json()


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_sandbox_answers_in_the_documented_shape(
    sandbox: RunningSandbox, examples: dict[str, Any], name: str
) -> None:
    status, body = await _answer(sandbox, name)
    assert status == CALLS[name].status
    assert drift(examples[name], body) == []


def test_drift_notices_missing_fields_and_type_changes() -> None:
    example = {"discount": "30% off", "items": [{"total": 1.5, "id": 1}], "n": 3}
    assert (
        drift(example, {"discount": "", "items": [{"total": 2, "id": 9, "x": 0}], "n": 4.5, "more": 1}) == []
    )
    assert drift(example, {"discount": 30, "items": [{"id": 1}], "n": 3}) == [
        "$.discount: number instead of string",
        "$.items[0].total: missing",
    ]
    assert json_type(True) == "boolean" and json_type(1) == json_type(1.0) == "number"
