"""Global middleware: users outside `ALLOWED_USER_IDS` are refused at every entry point."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.response import BoltResponse

from bot.access import NOT_ALLOWED, Access
from bot.deps import Deps

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


def register(app: AsyncApp, deps: Deps) -> None:
    access: Access = deps.access

    @app.middleware
    async def allowed_users_only(
        body: dict[str, Any], ack: AsyncAck, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        user_id = user_id_of(body)
        if body.get("type") in ("event_callback", "url_verification") or access.is_allowed(user_id):
            return await next()  # type: ignore[func-returns-value]
        log.info("refused user %s (not in ALLOWED_USER_IDS)", user_id)
        await refuse(body, ack, NOT_ALLOWED)
        # Not calling next() ends the request here: Bolt sends back what we acked.
        return ack.response
