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
    response = await client.send_dict(message)
    if response.status_code != 200:
        log.warning("response_url answered HTTP %s: %s", response.status_code, response.body[:200])
        return False
    return True
