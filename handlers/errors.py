"""The last line of defence: a listener that fails unexpectedly still tells the user something."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.slack.context import user_id_of
from bot.slack.respond import reply
from handlers.messages import UNEXPECTED

if TYPE_CHECKING:
    # Annotations only: bot.services (the composition root) imports the handlers' wording.
    from bot.services import Services

log = logging.getLogger(__name__)

ACK_POLL_MARGIN = 0.05


async def tell_user(services: Services, body: dict[str, Any]) -> None:
    """Say that something failed: on the response URL when there is one, else by DM."""
    response_url = body.get("response_url")
    if not isinstance(response_url, str):
        urls = body.get("response_urls")
        response_url = urls[0].get("response_url") if isinstance(urls, list) and urls else None
    if isinstance(response_url, str) and await reply(services.http, response_url, UNEXPECTED):
        return
    user_id = user_id_of(body)
    if user_id:
        try:
            await services.slack.chat_postMessage(channel=user_id, text=UNEXPECTED)
        except SlackApiError:
            log.warning("could not tell %s about the failure either", user_id)


def register(app: AsyncApp, services: Services) -> None:
    @app.error
    async def unexpected_failure(error: Exception, body: dict[str, Any]) -> None:
        log.error("a listener failed: %r", error, exc_info=error)
        # Bolt clears an ack that was already sent once this handler returns, and its runner looks
        # for the ack only every 10 ms: a listener failing right after ack(), with nothing awaited
        # in between, would turn a sent ack into a 3 s timeout. Returning later lets the ack out.
        await asyncio.sleep(ACK_POLL_MARGIN)
        try:
            await tell_user(services, body if isinstance(body, dict) else {})
        except Exception:
            log.exception("telling the user about a failure failed")
