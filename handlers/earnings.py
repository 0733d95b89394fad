"""`/earnings`: the partner's money as an ephemeral Block Kit summary, shareable to the channel."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError

from bot.partners.errors import PartnersError
from bot.partners.models import Earnings
from bot.slack.blocks import notice_message
from bot.slack.errors import CHANNEL_ERRORS, error_code
from bot.slack.respond import post_to_response_url, reply
from handlers.earnings_blocks import SHARE_ACTION_ID, USAGE, earnings_message
from handlers.messages import SLACK_TIMEOUT, partners_error_text, slack_error_text

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

# A subcommand gets the deps, the command payload and its argument words, and has already been acked.
Subcommand = Callable[["Services", dict[str, Any], list[str]], Awaitable[None]]

NOT_IN_CHANNEL = (
    "I can't post in this channel yet. Invite me with `/invite @Partners Bot`, then press *Share* again."
)


class SummaryMemo:
    """The latest `/earnings` reply, JSON-encoded, for the earnings object and second it shows.

    Commands answered in the same second from the same cached earnings get byte-identical replies
    (the "As of" date token has one-second resolution), so under load the reply is built and
    encoded once per second instead of once per command: that was ~10% of the bot's CPU at
    saturation (docs/bench.md).
    """

    def __init__(self) -> None:
        self._earnings: Earnings | None = None
        self._key: tuple[str, int] | None = None
        self._body = b""

    def encoded(self, earnings: Earnings, locale: str, as_of: datetime) -> bytes:
        key = (locale, int(as_of.timestamp()))
        if earnings is not self._earnings or key != self._key:
            message = earnings_message(earnings, locale=locale, as_of=as_of)
            self._body = json.dumps({"response_type": "ephemeral", **message}).encode()
            self._earnings, self._key = earnings, key
        return self._body


async def send_summary(deps: Services, command: dict[str, Any], memo: SummaryMemo | None = None) -> None:
    response_url = command["response_url"]
    try:
        earnings = await deps.partners.earnings()
    except PartnersError as exc:
        log.warning("/earnings failed: %r", exc, exc_info=True)
        await reply(deps.http, response_url, notice_message(partners_error_text(exc)))
        return
    body = (memo or SummaryMemo()).encoded(earnings, deps.settings.locale, deps.clock.now())
    await post_to_response_url(deps.http, response_url, body)


async def share_summary(deps: Services, body: dict[str, Any]) -> None:
    user_id = body["user"]["id"]
    channel_id = (body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id")
    response_url = body.get("response_url")
    try:
        earnings = await deps.partners.earnings()
        message = earnings_message(
            earnings, locale=deps.settings.locale, as_of=deps.clock.now(), shared_by=user_id
        )
        await deps.slack.chat_postMessage(channel=channel_id, **message)
    except PartnersError as exc:
        log.warning("earnings share failed: %r", exc, exc_info=True)
        text = partners_error_text(exc)
    except SlackApiError as exc:
        error = error_code(exc)
        log.warning("earnings share to %s failed: %s", channel_id, error, exc_info=True)
        text = NOT_IN_CHANNEL if error in CHANNEL_ERRORS else slack_error_text(error)
    except (TimeoutError, aiohttp.ClientError):
        # The post may have landed: say so rather than stay silent (the listener used to crash here).
        log.warning("earnings share to %s: Slack did not answer", channel_id, exc_info=True)
        text = SLACK_TIMEOUT
    else:
        text = "Shared in the channel."
    if response_url:
        await reply(deps.http, response_url, notice_message(text))


def register(app: AsyncApp, deps: Services, subcommands: dict[str, Subcommand] | None = None) -> None:
    """Bind `/earnings`, its subcommands (e.g. `digest`) and the Share button."""
    routes = dict(subcommands or {})
    memo = SummaryMemo()

    @app.command("/earnings")
    async def earnings_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        words = (command.get("text") or "").split()
        if not words:
            await ack()
            await send_summary(deps, command, memo)
            return
        handler = routes.get(words[0].lower())
        if handler is None:
            await ack(**notice_message(USAGE))
            return
        await ack()
        await handler(deps, command, words[1:])

    @app.action(SHARE_ACTION_ID)
    async def share_clicked(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        await share_summary(deps, body)
