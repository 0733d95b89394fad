"""`users.info` zones: whatever goes wrong asking Slack, the answer is UTC, never an exception."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.users import user_zone
from tests.e2e.support.processes import free_port


async def test_a_slack_that_cannot_be_reached_gives_utc_not_an_error() -> None:
    # Nothing listens on this port: the request fails with a connection error, not an API error.
    slack = AsyncWebClient(token="xoxb-test", base_url=f"http://127.0.0.1:{free_port()}/api/", timeout=2)
    assert await user_zone(slack, "U_ADMIN") == (ZoneInfo("UTC"), False)
