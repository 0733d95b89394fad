"""Who acted and where: Bolt's `context.user_id` / `context.channel_id`, else the payload itself.

Bolt extracts both from every kind of request (commands, actions, views, events). The payload
fallback, written once here, covers code that only has the body (the global error handler, or a
middleware running before Bolt filled the context).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def user_id_of(body: Mapping[str, Any]) -> str | None:
    """The acting user of a command (`user_id`) or an interactive payload (`user.id`)."""
    user = body.get("user")
    return _str(body.get("user_id")) or (_str(user.get("id")) if isinstance(user, Mapping) else None)


def channel_id_of(body: Mapping[str, Any]) -> str | None:
    """The channel of a command (`channel_id`), an action (`channel.id`) or its message's container."""
    channel = body.get("channel")
    container = body.get("container")
    return (
        _str(body.get("channel_id"))
        or (_str(channel.get("id")) if isinstance(channel, Mapping) else None)
        or (_str(container.get("channel_id")) if isinstance(container, Mapping) else None)
    )


def acting_user(context: Mapping[str, Any] | None, body: Mapping[str, Any]) -> str | None:
    """Bolt's `context.user_id`, else the payload's user."""
    return _str((context or {}).get("user_id")) or user_id_of(body)


def acting_channel(context: Mapping[str, Any] | None, body: Mapping[str, Any]) -> str | None:
    """Bolt's `context.channel_id`, else the payload's channel."""
    return _str((context or {}).get("channel_id")) or channel_id_of(body)
