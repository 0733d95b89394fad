"""The Slack Web API client: base URL from the settings, retries on 429s and connection errors.

slack-sdk's own rate-limit handler parses Retry-After with `int()`, so `Retry-After: 1.5` raised
ValueError out of every call, and it sleeps for whatever the header says. Ours parses seconds as
a float, treats garbage as one second, and caps the wait at `MAX_RETRY_AFTER`: well below the
digest's five-minute takeover, so a sender waiting out a 429 is never mistaken for a dead one.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Mapping, Sequence

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings

MAX_RETRY_AFTER = 30.0  # seconds; Slack's usual answers are 1 to 30
DEFAULT_RETRY_AFTER = 1.0  # no header, or one that is not a number of seconds


def retry_after_seconds(headers: Mapping[str, object] | None, cap: float = MAX_RETRY_AFTER) -> float:
    """Retry-After as seconds (float), between 0 and `cap`; a missing or malformed value is 1 s."""
    for name, value in dict(headers or {}).items():
        if name.lower() != "retry-after":
            continue
        if isinstance(value, Sequence) and not isinstance(value, str | bytes):
            value = value[0] if value else None
        try:
            seconds = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            break
        if not math.isfinite(seconds):
            break
        return min(max(seconds, 0.0), cap)
    return min(DEFAULT_RETRY_AFTER, cap)


class RateLimitRetryHandler(AsyncRetryHandler):
    """Retries 429s after Retry-After (a float, capped), plus up to half a second of jitter."""

    def __init__(self, max_retry_count: int = 3, max_wait: float = MAX_RETRY_AFTER):
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        state.next_attempt_requested = True
        await asyncio.sleep(retry_after_seconds(response.headers, self.max_wait) + random.uniform(0, 0.5))
        state.increment_current_attempt()


def build_slack_client(settings: Settings) -> AsyncWebClient:
    """Slack Web API client at `SLACK_API_URL`, retrying 429s (after Retry-After) and connection errors."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            RateLimitRetryHandler(max_retry_count=3),
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )
