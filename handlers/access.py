"""Global middleware: users outside `ALLOWED_USER_IDS` are refused at every entry point."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.access import NOT_ALLOWED
from bot.slack.blocks import Json, modal, section
from bot.slack.context import acting_user
from bot.slack.respond import ack_body, reply

if TYPE_CHECKING:
    # Annotations only: bot.services (the composition root) imports the handlers' wording.
    from bot.services import Services

log = logging.getLogger(__name__)


def refusal_view(text: str) -> Json:
    return modal("Partners Bot", [section(text)], close="Close")


async def refuse(body: dict[str, Any], ack: AsyncAck, text: str) -> None:
    """Acknowledge without running the listener, telling the user why where Slack lets us."""
    kind = body.get("type")
    if kind == "view_submission":
        await ack(response_action="update", view=refusal_view(text))
    elif "command" in body:
        await ack(**ack_body(text))
    else:
        await ack()


class AllowedUsersOnly(AsyncMiddleware):
    """Runs the rest of the chain only for allowed users (and for events, which have no acting user).

    A `AsyncMiddleware` subclass rather than a decorated function: Bolt calls it directly instead of
    building its full keyword-argument set (~35 entries) for it on every request (docs/bench.md).
    """

    def __init__(self, services: Services):
        self.services = services  # its http session is read per request (tests swap it)
        self.access = services.access

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        body = req.body
        user_id = acting_user(req.context, body)
        if body.get("type") in ("event_callback", "url_verification") or self.access.is_allowed(user_id):
            return await next()
        log.info("refused user %s (not in ALLOWED_USER_IDS)", user_id)
        ack = req.context.ack
        await refuse(body, ack, NOT_ALLOWED)
        self._tell_clicker(body)
        # Not calling next() ends the request here: Bolt sends back what we acked.
        return ack.response

    def _tell_clicker(self, body: dict[str, Any]) -> None:
        """A button can't carry the refusal in its ack; say it on the response URL, after the ack."""
        response_url = body.get("response_url")
        if body.get("type") != "block_actions" or not isinstance(response_url, str):
            return
        task = asyncio.create_task(reply(self.services.http, response_url, NOT_ALLOWED))
        self.services.listener_work.track(task)  # holds it until done, and shutdown waits for it


def register(app: AsyncApp, services: Services) -> None:
    app.middleware(AllowedUsersOnly(services))
