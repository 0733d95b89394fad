"""Sandbox Recurly token endpoint: errors come back with status 200."""

from __future__ import annotations

import aiohttp
import pytest

from bot.offline.sandbox import RunningSandbox

from .conftest import card_token


@pytest.mark.parametrize("number", ["4111111111111111", "5555555555554444", "4111 1111 1111 1111"])
async def test_success_issues_token(
    sandbox: RunningSandbox, client: aiohttp.ClientSession, number: str
) -> None:
    body = await card_token(client, number=number)
    assert set(body) == {"id"} and body["id"] in sandbox.state.issued_tokens


@pytest.mark.parametrize(
    ("overrides", "code", "fields"),
    [
        ({"number": "4000000000000002"}, "declined", []),
        ({"number": "4000000000000069"}, "declined", ["month", "year"]),
        ({"number": "4111111111111112"}, "invalid-parameter", ["number"]),
        ({"month": "01", "year": "2001"}, "invalid-parameter", ["month", "year"]),
        ({"month": "13"}, "invalid-parameter", ["month"]),
        ({"key": "ewr1-not-the-key"}, "invalid-parameter", ["key"]),
        (
            {"first_name": "", "verification_value": ""},
            "validation",
            ["first_name", "verification_value"],
        ),
        ({"state": ""}, "validation", ["state"]),  # required, like every field in LiveChat's docs
    ],
)
async def test_failures(
    client: aiohttp.ClientSession, overrides: dict[str, str], code: str, fields: list[str]
) -> None:
    body = await card_token(client, **overrides)
    assert "id" not in body
    assert body["error"]["code"] == code and body["error"]["fields"] == fields and body["error"]["message"]
    if code == "declined" and not fields:
        assert body["error"]["message"] == "Your card was declined"


async def test_card_number_never_recorded(sandbox: RunningSandbox, client: aiohttp.ClientSession) -> None:
    await card_token(client)
    recorded = sandbox.state.calls[-1]
    assert recorded.path == "/js/v1/token"
    assert recorded.query["number"] == "****1111" and recorded.query["verification_value"] == "***"
    assert "4111111111111111" not in repr(sandbox.state)


async def test_recurly_needs_no_bearer(sandbox: RunningSandbox) -> None:
    async with aiohttp.ClientSession(sandbox.url) as session:
        body = await card_token(session)
    assert "id" in body
