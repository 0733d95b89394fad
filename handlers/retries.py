"""Global middleware: a Slack retry of a request this process already received is acked, not re-run.

Slack re-sends a request (header `X-Slack-Retry-Num`) when the first attempt was not acknowledged
in time. Running the listener again would post a second reply, or try a second campaign or
subscription. This in-process memory catches the common case (the retry lands on the same replica
while the first attempt is still working); the money- and campaign-creating features also keep a
database idempotency claim, which covers retries that land on another replica.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.slack.seen import SeenRequests

if TYPE_CHECKING:
    # Annotations only: bot.services (the composition root) imports the handlers' wording.
    from bot.services import Services

log = logging.getLogger(__name__)

RETRY_HEADER = "x-slack-retry-num"


def request_key(body: dict[str, Any]) -> str | None:
    """What identifies one user action across Slack's retries, or None if nothing does.

    Commands and button clicks carry a fresh `trigger_id` per action; a view submission is
    identified by its view id and hash (the hash changes whenever the view does).
    """
    if body.get("type") == "view_submission":
        view = body.get("view")
        if isinstance(view, dict) and isinstance(view.get("id"), str):
            return f"view:{view['id']}:{view.get('hash')}"
    if isinstance(body.get("event_id"), str):
        return f"event:{body['event_id']}"
    if isinstance(body.get("trigger_id"), str) and body["trigger_id"]:
        return f"trigger:{body['trigger_id']}"
    if isinstance(body.get("response_url"), str) and body["response_url"]:
        return f"response_url:{body['response_url']}"
    return None


class AckKnownRetries(AsyncMiddleware):
    """Acks, without running anything, a Slack retry of a request this process already received.

    A `AsyncMiddleware` subclass rather than a decorated function: Bolt calls it directly instead of
    building its full keyword-argument set (~35 entries) for it on every request (docs/bench.md).
    """

    def __init__(self, seen: SeenRequests):
        self.seen = seen

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        key = request_key(req.body)
        if key is None:
            return await next()
        is_retry = bool(req.headers.get(RETRY_HEADER))
        if self.seen.seen_before(key) and is_retry:
            # Only the kind of key: a response_url is a capability and does not belong in logs.
            log.info("acked a Slack retry of a %s already received; not running it again", key.split(":")[0])
            ack = req.context.ack
            await ack()
            return ack.response
        return await next()


def register(app: AsyncApp, services: Services) -> None:
    """Install the middleware; it must run before every other one (see `handlers.register_all`)."""
    app.middleware(AckKnownRetries(services.seen_requests))
