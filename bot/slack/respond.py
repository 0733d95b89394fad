"""Posting to a slash command's or action's `response_url` over the process's shared session."""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


async def post_to_response_url(
    session: aiohttp.ClientSession, response_url: str, message: dict[str, Any]
) -> bool:
    """Send `message` (text, blocks, response_type, replace_original…); False when Slack refused.

    A plain POST on the shared session: building a webhook client per reply cost more CPU than
    the post itself under load (see bench/).
    """
    data = json.dumps(message)
    try:
        async with session.post(response_url, data=data, headers=JSON_HEADERS) as response:
            if response.status != 200:
                body = await response.text()
                log.warning("response_url answered HTTP %s: %s", response.status, body[:200])
                return False
            await response.read()
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        # Unreachable or malformed URL: the reply is lost, but the listener must not crash over it.
        log.warning("could not post to the response_url: %s", type(exc).__name__)
        return False
    return True
