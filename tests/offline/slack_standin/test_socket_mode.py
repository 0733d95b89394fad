"""The stand-in's Socket Mode, driven by slack_sdk's real aiohttp `SocketModeClient`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.offline.slack_standin import RunningStandin

APP_TOKEN = "xapp-standin"


@pytest.fixture
async def socket_client(standin: RunningStandin) -> AsyncIterator[SocketModeClient]:
    """A real client whose listener acks with ``{"echo": <payload text>}`` unless told to stay silent."""
    web = AsyncWebClient(token=standin.state.options.bot_token, base_url=standin.api_url)
    client = SocketModeClient(app_token=APP_TOKEN, web_client=web, ping_interval=0.2)
    client.seen = []  # type: ignore[attr-defined]

    async def on_message(c: Any, message: dict, raw: str | None) -> None:
        client.seen.append(message)  # type: ignore[attr-defined]

    async def on_request(c: SocketModeClient, request: SocketModeRequest) -> None:
        if request.payload.get("text") == "stay silent":
            return
        await c.send_socket_mode_response(
            SocketModeResponse(envelope_id=request.envelope_id, payload={"echo": request.payload.get("text")})
        )

    client.message_listeners.append(on_message)
    client.socket_mode_request_listeners.append(on_request)
    yield client
    await client.close()


async def test_connections_open_takes_only_the_app_token(standin: RunningStandin):
    web = AsyncWebClient(base_url=standin.api_url)
    opened = await web.apps_connections_open(app_token=APP_TOKEN)
    assert opened["url"].startswith(standin.url.replace("http://", "ws://") + "/socket-mode/")
    for token, error in (
        (standin.state.options.bot_token, "not_allowed_token_type"),
        ("xapp-someone-else", "invalid_auth"),
    ):
        with pytest.raises(SlackApiError) as refused:
            await web.apps_connections_open(app_token=token)
        assert refused.value.response["error"] == error
    # ...and the app token is good for nothing else.
    with pytest.raises(SlackApiError) as refused:
        await AsyncWebClient(token=APP_TOKEN, base_url=standin.api_url).chat_postMessage(
            channel="C_GENERAL", text="hi"
        )
    assert refused.value.response["error"] == "not_allowed_token_type"
    assert standin.state.messages("C_GENERAL") == []


async def test_real_client_gets_hello_and_envelopes_are_acked(
    standin: RunningStandin, socket_client: SocketModeClient
):
    with pytest.raises(RuntimeError, match="no Socket Mode connection"):
        await standin.state.socket_send("slash_commands", {"text": "nobody there"})
    await socket_client.connect()
    assert await standin.state.wait_for_socket() == 1
    await asyncio.wait_for(_until(lambda: socket_client.seen), 2)  # type: ignore[attr-defined]
    hello = socket_client.seen[0]  # type: ignore[attr-defined]
    assert hello["type"] == "hello" and hello["connection_info"]["app_id"] == "A_STANDIN"

    ack = await standin.state.socket_send("slash_commands", {"command": "/earnings", "text": "hi"})
    [envelope] = standin.state.socket.envelopes
    assert ack == {"envelope_id": envelope.envelope_id, "payload": {"echo": "hi"}}
    assert envelope.ack == ack and envelope.acked is not None
    frame = socket_client.seen[-1]  # type: ignore[attr-defined]
    assert frame["type"] == "slash_commands" and frame["accepts_response_payload"] is True

    with pytest.raises(TimeoutError, match="not acked"):
        await standin.state.socket_send("events_api", {"text": "stay silent"}, timeout=0.2)
    assert socket_client.seen[-1]["accepts_response_payload"] is False  # type: ignore[attr-defined]

    # The SDK's `sdk-ping-pong:<t>` ping is answered, or it would call the session stale.
    await asyncio.wait_for(_until(lambda: socket_client.last_ping_pong_time is not None), 2)


async def test_disconnect_makes_the_client_reconnect_with_a_new_url(
    standin: RunningStandin, socket_client: SocketModeClient
):
    await socket_client.connect()
    await standin.state.wait_for_socket()
    used_url = socket_client.wss_uri
    assert await standin.state.socket.disconnect("refresh_requested") == 1
    await standin.state.wait_for_socket(count=2)
    assert len(standin.state.calls("apps.connections.open")) == 2
    assert socket_client.wss_uri != used_url
    ack = await standin.state.socket_send("interactive", {"type": "block_actions", "text": "after"})
    assert ack["payload"] == {"echo": "after"}

    # URLs are single use, as Slack's tickets are.
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(used_url)
    assert refused.value.status == 401


async def test_closing_the_standin_closes_live_sockets_promptly(standin: RunningStandin):
    web = AsyncWebClient(base_url=standin.api_url)
    url = (await web.apps_connections_open(app_token=APP_TOKEN))["url"]
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(url)
        assert (await ws.receive_json())["type"] == "hello"
        await asyncio.wait_for(standin.close(), 3)  # an open socket must not hold shutdown
        message = await asyncio.wait_for(ws.receive(), 1)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)


async def _until(predicate: Any) -> None:
    # Polls: the client's ping-pong time and received frames come with no event to wait on.
    while not predicate():  # noqa: ASYNC110
        await asyncio.sleep(0.02)
