"""Posting to a slash command's or action's `response_url` over the process's shared session."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.webhook.async_client import AsyncWebhookClient

log = logging.getLogger(__name__)


async def post_to_response_url(
    session: aiohttp.ClientSession, response_url: str, message: dict[str, Any]
) -> bool:
    """Send `message` (text, blocks, response_type, replace_original…); False when Slack refused."""
    client = AsyncWebhookClient(response_url, session=session)
    try:
        response = await client.send_dict(message)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        # Unreachable or malformed URL: the reply is lost, but the listener must not crash over it.
        log.warning("could not post to the response_url: %s", type(exc).__name__)
        return False
    if response.status_code != 200:
        log.warning("response_url answered HTTP %s: %s", response.status_code, response.body[:200])
        return False
    return True
