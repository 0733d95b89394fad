"""`/earnings`: the partner's money as an ephemeral Block Kit summary, shareable to the channel."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.partners.errors import PartnersError
from bot.partners.models import Earnings
from bot.slack.blocks import notice_message
from bot.slack.context import acting_channel, acting_user
from bot.slack.errors import CHANNEL_ERRORS, error_code
from bot.slack.respond import ack_body, reply
from handlers.earnings_blocks import (
    SHARE_ACTION_ID,
    USAGE,
    earnings_message,
    shared_notice,
    unknown_subcommand,
)
from handlers.messages import SLACK_TIMEOUT, partners_error_text, slack_error_text

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

# A subcommand gets the deps, the command payload and its argument words, and has already been acked.
Subcommand = Callable[["Services", dict[str, Any], list[str]], Awaitable[None]]

NOT_IN_CHANNEL = (
    "I can't post in this channel yet. Invite me with `/invite @Partners Bot`, then press *Share* again."
)


EARNINGS_KEY = "earnings"  # the key `PartnersClient.earnings()` caches under


class Replies:
    """The built `/earnings` reply for the latest (earnings version, locale, minute).

    Under load most commands are answered from the same cached earnings within the same minute (the
    "as of" time shows minutes), so the reply is built once per version instead of once per command:
    building it was ~7 % of a request's CPU (docs/bench.md). The one place replies are reused.
    """

    def __init__(self) -> None:
        self._key: tuple[int, str, int] | None = None
        self._earnings: Earnings | None = None  # held so that its id() stays unique while keyed
        self._message: dict[str, Any] = {}

    def message(self, earnings: Earnings, locale: str, as_of: datetime) -> dict[str, Any]:
        key = (id(earnings), locale, int(as_of.timestamp()) // 60)
        if key != self._key or earnings is not self._earnings:
            self._message = earnings_message(earnings, locale=locale, as_of=as_of)
            self._key, self._earnings = key, earnings
        return self._message


def fresh_earnings(deps: Services) -> tuple[Earnings, datetime] | None:
    """The cached earnings and when they were fetched, if still within `PARTNERS_CACHE_SECONDS`."""
    cache = deps.partners.earnings_cache
    entry = cache.entry(EARNINGS_KEY)
    if entry is None:
        return None
    return entry.value, deps.clock.now() - timedelta(seconds=cache.age(entry))


async def answer_if_fresh(deps: Services, replies: Replies, ack: AsyncAck) -> bool:
    """Ack with the numbers when the cached earnings are fresh (one round trip); False otherwise."""
    fresh = fresh_earnings(deps)
    if fresh is None:
        return False
    message = replies.message(fresh[0], deps.settings.locale, fresh[1])
    await ack(**ack_body(message))
    return True


class FreshSummaryInAck(AsyncMiddleware):
    """Answers a bare `/earnings` from fresh cached earnings before Bolt runs any listener.

    Why a middleware: Bolt runs a listener as a task and polls every 10 ms for its `ack()`
    (`slack_bolt/listener/asyncio_runner.py`), so an answer from a listener never leaves in under
    ~10 ms; one from a middleware is returned at once, and skips listener matching and argument
    building too (docs/bench.md). It is installed after the retry and access middlewares, which
    still run first. Anything else, or stale earnings, goes on to the `/earnings` listener.
    """

    def __init__(self, deps: Services, replies: Replies):
        self.deps = deps
        self.replies = replies

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        body = req.body
        if body.get("command") == "/earnings" and not str(body.get("text") or "").strip():
            ack = req.context.ack
            if await answer_if_fresh(self.deps, self.replies, ack):
                return ack.response  # not calling next() ends the request: Bolt sends this ack
        return await next()


async def send_summary(deps: Services, command: dict[str, Any], replies: Replies) -> None:
    """The deferred answer: fetch (sharing any load in flight), then post to the response URL."""
    response_url = command["response_url"]
    try:
        earnings = await deps.partners.earnings()
    except PartnersError as exc:
        log.warning("/earnings failed: %r", exc, exc_info=True)
        await reply(deps.http, response_url, notice_message(partners_error_text(exc)))
        return
    fresh = fresh_earnings(deps)
    as_of = fresh[1] if fresh is not None and fresh[0] is earnings else deps.clock.now()
    await reply(deps.http, response_url, replies.message(earnings, deps.settings.locale, as_of))


SHARE_SCOPE = "earnings_share"  # one post per private summary, whoever clicks and however often


class ShareFailed(Exception):
    """The share did not happen (nothing was posted): the claim is released and the button kept."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


def share_key(body: dict[str, Any]) -> str:
    """The private message the button sits on: its channel and ts, else its response URL.

    Slack gives every click its own response URL, so the message itself is the stable key; the URL
    is the fallback for payloads without a container.
    """
    container = body.get("container") or {}
    channel_id = container.get("channel_id") or (body.get("channel") or {}).get("id")
    message_ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    if channel_id and message_ts:
        return f"{channel_id}/{message_ts}"
    return str(body.get("response_url") or "")


async def _post_share(deps: Services, channel_id: str, user_id: str) -> dict[str, Any]:
    """Post the summary to the channel once; the recorded result says who shared it and when."""
    try:
        earnings = await deps.partners.earnings()
        shared_at = deps.clock.now()
        message = earnings_message(earnings, locale=deps.settings.locale, as_of=shared_at, shared_by=user_id)
        await deps.slack.chat_postMessage(channel=channel_id, **message)
    except PartnersError as exc:
        log.warning("earnings share failed: %r", exc, exc_info=True)
        raise ShareFailed(partners_error_text(exc)) from exc
    except SlackApiError as exc:
        error = error_code(exc)
        log.warning("earnings share to %s failed: %s", channel_id, error, exc_info=True)
        raise ShareFailed(NOT_IN_CHANNEL if error in CHANNEL_ERRORS else slack_error_text(error)) from exc
    except (TimeoutError, aiohttp.ClientError):
        # The post may have landed: record the share as done (a second click must not post it
        # twice) and say what is known.
        log.warning("earnings share to %s: Slack did not answer", channel_id, exc_info=True)
        return {"outcome": "unknown"}
    return {"outcome": "shared", "by": user_id, "at": shared_at.isoformat()}


async def share_summary(deps: Services, body: dict[str, Any], user_id: str, channel_id: str | None) -> None:
    """Share the summary once per private message; later clicks only show that it was shared."""
    response_url = body.get("response_url")
    try:
        result = await deps.claims.run_once(
            SHARE_SCOPE, share_key(body), lambda: _post_share(deps, channel_id, user_id)
        )
    except ShareFailed as failed:
        await reply(deps.http, response_url, notice_message(failed.text))
        return
    if result is None:
        return  # another click still has the share in hand and will update the message itself
    if result.get("outcome") == "shared":
        notice = shared_notice(result["by"], datetime.fromisoformat(result["at"]))
        await reply(deps.http, response_url, notice, replace=True)
        return
    await reply(deps.http, response_url, notice_message(SLACK_TIMEOUT))


def register(app: AsyncApp, deps: Services, subcommands: dict[str, Subcommand] | None = None) -> None:
    """Bind `/earnings`, its subcommands (e.g. `digest`) and the Share button."""
    routes = dict(subcommands or {})
    replies = Replies()
    app.middleware(FreshSummaryInAck(deps, replies))

    @app.command("/earnings")
    async def earnings_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        words = (command.get("text") or "").split()
        if not words:
            # Fresh earnings were usually answered by the middleware already; they may have just
            # arrived since, so look once more before deferring.
            if await answer_if_fresh(deps, replies, ack):
                return
            await ack()
            await send_summary(deps, command, replies)
            return
        sub = words[0].lower()
        handler = routes.get(sub)
        if handler is None:
            await ack(**notice_message(USAGE if sub == "help" else unknown_subcommand(words[0])))
            return
        await ack()
        await handler(deps, command, words[1:])

    @app.action(SHARE_ACTION_ID)
    async def share_clicked(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        await share_summary(deps, body, acting_user(context, body) or "", acting_channel(context, body))
