"""The Slack client's 429 handling against a real local HTTP server sending Retry-After values
slack-sdk's own handler could not take (a float) or should not take (a day)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import load_settings
from bot.slack_client import MAX_RETRY_AFTER, RateLimitRetryHandler, build_slack_client, retry_after_seconds

GUARD = 20.0  # seconds before an uncapped wait fails the test instead of hanging it


class RateLimitedSlack:
    """`chat.postMessage` answers 429 with the queued Retry-After values, then ok."""

    def __init__(self) -> None:
        self.retry_afters: list[str] = []
        self.calls = 0
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.calls += 1
        if self.retry_afters:
            value = self.retry_afters.pop(0)
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": value}
            )
        return web.json_response({"ok": True, "channel": "C1", "ts": "1700000000.000100"})


@pytest.fixture
async def slack() -> AsyncIterator[RateLimitedSlack]:
    fake = RateLimitedSlack()
    app = web.Application()
    app.router.add_post("/api/chat.postMessage", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"http://127.0.0.1:{port}/api/"
    try:
        yield fake
    finally:
        await runner.cleanup()


def _client(url: str) -> AsyncWebClient:
    return build_slack_client(load_settings(_env_file=None, slack_bot_token="xoxb-test", slack_api_url=url))


async def test_a_fractional_retry_after_is_waited_then_the_post_goes_through(slack):
    slack.retry_afters = ["1.5"]
    response = await asyncio.wait_for(_client(slack.url).chat_postMessage(channel="C1", text="hi"), GUARD)
    assert response["ok"] and slack.calls == 2


async def test_slack_sdks_own_handler_crashes_on_the_same_header(slack):
    # Why bot/slack_client.py exists: the stock handler int()s the header.
    slack.retry_afters = ["1.5"]
    client = AsyncWebClient(
        token="xoxb-test", base_url=slack.url, retry_handlers=[AsyncRateLimitErrorRetryHandler()]
    )
    with pytest.raises(ValueError, match="invalid literal for int"):
        await client.chat_postMessage(channel="C1", text="hi")


async def test_a_day_long_retry_after_is_capped(slack):
    slack.retry_afters = ["86400"]
    client = AsyncWebClient(
        token="xoxb-test", base_url=slack.url, retry_handlers=[RateLimitRetryHandler(max_wait=0.1)]
    )
    response = await asyncio.wait_for(client.chat_postMessage(channel="C1", text="hi"), GUARD)
    assert response["ok"] and slack.calls == 2


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "1.5"}, 1.5),
        ({"retry-after": ["2"]}, 2.0),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": "-4"}, 0.0),
        ({"Retry-After": "86400"}, MAX_RETRY_AFTER),
        ({"Retry-After": "inf"}, 1.0),
        ({"Retry-After": "nan"}, 1.0),
        ({"Retry-After": "soon"}, 1.0),
        ({"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}, 1.0),
        ({"Retry-After": []}, 1.0),
        ({}, 1.0),
        (None, 1.0),
    ],
)
def test_retry_after_seconds(headers, seconds):
    assert retry_after_seconds(headers) == seconds
    assert MAX_RETRY_AFTER * 2 < 5 * 60  # below the digest's takeover, with room for a heartbeat
