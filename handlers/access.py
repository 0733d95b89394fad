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
from bot.slack.respond import post_to_response_url

if TYPE_CHECKING:
    # Annotations only: bot.services (the composition root) imports the handlers' wording.
    from bot.services import Services

log = logging.getLogger(__name__)


def user_id_of(body: dict[str, Any]) -> str | None:
    """The acting user of a command (`user_id`) or an interactive payload (`user.id`)."""
    if isinstance(body.get("user_id"), str):
        return body["user_id"]
    user = body.get("user")
    if isinstance(user, dict) and isinstance(user.get("id"), str):
        return user["id"]
    return None


def refusal_view(text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Partners Bot"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


async def refuse(body: dict[str, Any], ack: AsyncAck, text: str) -> None:
    """Acknowledge without running the listener, telling the user why where Slack lets us."""
    kind = body.get("type")
    if kind == "view_submission":
        await ack(response_action="update", view=refusal_view(text))
    elif "command" in body:
        await ack(response_type="ephemeral", text=text)
    else:
        await ack()


class AllowedUsersOnly(AsyncMiddleware):
    """Runs the rest of the chain only for allowed users (and for events, which have no acting user).

    A `AsyncMiddleware` subclass rather than a decorated function: Bolt calls it directly instead of
    building its full keyword-argument set (~35 entries) for it on every request (docs/bench.md).
    """

    def __init__(self, services: Services):
        self.services = services
        self.access = services.access
        self._notices: set[asyncio.Task[bool]] = set()

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        body = req.body
        user_id = user_id_of(body)
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
        notice = {"response_type": "ephemeral", "replace_original": False, "text": NOT_ALLOWED}
        task = asyncio.create_task(post_to_response_url(self.services.http, response_url, notice))
        self._notices.add(task)
        task.add_done_callback(self._notices.discard)


def register(app: AsyncApp, services: Services) -> None:
    app.middleware(AllowedUsersOnly(services))
