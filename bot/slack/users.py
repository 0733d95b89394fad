"""What the bot reads about a Slack user: their time zone (`users.info`)."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

import aiohttp
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.timezones import find_zone

log = logging.getLogger(__name__)


async def user_zone_name(slack: AsyncWebClient, user_id: str) -> str | None:
    """The user's Slack time zone name, or None when Slack does not say (or cannot be asked)."""
    try:
        response = await slack.users_info(user=user_id)
    except (TimeoutError, SlackClientError, aiohttp.ClientError):
        # A zone only labels times: an error answer or a dropped connection means UTC, never a
        # lost reply (the /subscribe list, the withdrawals, the Home).
        log.warning("users.info failed for %s", user_id, exc_info=True)
        return None
    tz = (response.get("user") or {}).get("tz")
    return tz if isinstance(tz, str) and tz else None


async def user_zone(slack: AsyncWebClient, user_id: str) -> tuple[ZoneInfo, bool]:
    """The user's zone and True, or UTC and False when Slack does not say (or says nonsense)."""
    name = await user_zone_name(slack, user_id)
    zone = find_zone(name) if name else None
    if zone is not None:
        return zone, True
    if name:
        log.warning("users.info gave an unknown zone for %s", user_id)
    return ZoneInfo("UTC"), False
