"""Answering the user: on a command's or action's `response_url`, or in the ack's own body.

`reply` is the one way the bot posts a later answer (ephemeral unless the message says otherwise;
a new message unless `replace`). `ack_body` is the answer that rides on the HTTP ack itself (usage
texts, refusals): no extra request, and it arrives within Slack's 3 seconds by construction.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp

from bot.slack.blocks import Json, notice_message

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


def _as_message(message: Json | str) -> Json:
    return notice_message(message) if isinstance(message, str) else message


async def reply(
    session: aiohttp.ClientSession,
    response_url: str | None,
    message: Json | str,
    *,
    replace: bool = False,
) -> bool:
    """An ephemeral answer on a response URL (a text becomes a notice); False when it did not arrive."""
    body = _as_message(message)
    if not response_url:
        log.warning("no response_url to answer on; message dropped: %s", str(body.get("text", ""))[:80])
        return False
    payload = {"response_type": "ephemeral", "replace_original": replace, **body}
    return await post_to_response_url(session, response_url, payload)


def ack_body(message: Json | str) -> Json:
    """Keyword arguments for `ack(...)` answering a slash command in its ack: ephemeral, with blocks."""
    return {"response_type": "ephemeral", **_as_message(message)}
