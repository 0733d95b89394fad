"""`/earnings digest on|off|status`; the scheduler that sends the digests starts with the services.

The subcommand runs after `/earnings` acked (handlers/earnings.py), so DB and Slack calls here are
outside Slack's 3-second window. Every reply is ephemeral to whoever typed the command.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.digest.schedule import (
    DEFAULT_TIME,
    ScheduleError,
    format_time,
    local_date,
    looks_like_time,
    next_digest,
    parse_time,
    parse_zone,
)
from bot.digest.store import ChannelDigest, DigestStore
from bot.slack.respond import reply
from bot.slack.users import user_zone_name
from bot.storage.digest_tables import DeliveryState
from handlers.digest_blocks import (
    ADMINS_ONLY,
    NO_TZ,
    TOO_MANY,
    USAGE,
    disabled_text,
    enabled_text,
    status_text,
)
from handlers.messages import UNEXPECTED

if TYPE_CHECKING:
    # Annotations only: bot.services (the composition root) imports the handlers' wording.
    from bot.services import Services

log = logging.getLogger(__name__)


async def next_for(store: DigestStore, setting: ChannelDigest, now: datetime) -> datetime:
    """When the channel's next digest goes out, skipping days already delivered (or being sent)."""
    schedule = setting.schedule
    today = local_date(now, schedule.zone)
    days = [today + timedelta(days=offset) for offset in (-1, 0, 1)]
    rows = await store.deliveries([(setting.channel_id, day) for day in days])
    done: set[date] = {
        day
        for (_, day), row in rows.items()
        if row.state != DeliveryState.FAILED or row.next_attempt_at is None
    }
    return next_digest(schedule, now, done)


async def turn_on(services: Services, command: dict[str, Any], args: list[str]) -> str:
    if len(args) > 2:
        return TOO_MANY
    at, zone_name = DEFAULT_TIME, None
    for word in args:
        if looks_like_time(word):
            at = parse_time(word)
        elif zone_name is None:
            zone_name = word
        else:
            return TOO_MANY
    if zone_name is None:
        zone_name = await user_zone_name(services.slack, command["user_id"])
        if zone_name is None:
            return NO_TZ
    zone = parse_zone(zone_name)
    store = services.digest_store
    setting = await store.enable(command["channel_id"], format_time(at), zone.key, command["user_id"])
    now = services.clock.now()
    return enabled_text(setting, await next_for(store, setting, now), now)


async def turn_off(services: Services, command: dict[str, Any]) -> str:
    setting = await services.digest_store.disable(
        command["channel_id"], f"turned off by <@{command['user_id']}>"
    )
    return disabled_text(setting)


async def show_status(services: Services, command: dict[str, Any]) -> str:
    store = services.digest_store
    setting = await store.channel(command["channel_id"])
    now = services.clock.now()
    if setting is None:
        return status_text(None, None, None, now)
    last = await store.latest_delivery(setting.channel_id)
    next_at = await next_for(store, setting, now) if setting.enabled else None
    return status_text(setting, last, next_at, now)


async def subcommand(services: Services, command: dict[str, Any], words: list[str]) -> None:
    """`/earnings digest …` (already acked): change or show this channel's digest."""
    action = words[0].lower() if words else "status"
    user_id = command.get("user_id")
    try:
        if action in ("on", "off") and not services.access.is_admin(user_id):
            text = ADMINS_ONLY
        elif action == "on":
            text = await turn_on(services, command, words[1:])
        elif action == "off":
            text = await turn_off(services, command)
        elif action == "status":
            text = await show_status(services, command)
        else:
            text = USAGE
    except ScheduleError as exc:
        text = str(exc)
    except Exception:
        log.exception("/earnings digest %s failed", action)
        text = UNEXPECTED
    await reply(services.http, command["response_url"], text)
