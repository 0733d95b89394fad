"""`/subscribe alerts on [N] | off | status`, and the in-process scheduler of the trial alerts.

The subcommand runs after `/subscribe` acked (handlers/subscribe.py), so its DB and Slack calls are
outside Slack's 3-second window. Replies are ephemeral to whoever typed the command.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from bot.alerts.store import DEFAULT_DAYS, MAX_DAYS, MIN_DAYS
from bot.slack.blocks import notice_message
from bot.slack.respond import reply
from bot.slack.users import user_zone_name
from handlers.alerts_blocks import ADMINS_ONLY, BAD_DAYS, USAGE, disabled_text, enabled_text, status_text
from handlers.messages import UNEXPECTED

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


def parse_days(args: list[str]) -> int | None:
    """`[]` → the default; one whole number from 1 to 30 → it; anything else → None."""
    if not args:
        return DEFAULT_DAYS
    if len(args) != 1 or not args[0].isdigit():
        return None
    days = int(args[0])
    return days if MIN_DAYS <= days <= MAX_DAYS else None


async def turn_on(deps: Services, command: dict[str, Any], args: list[str]) -> str:
    days = parse_days(args)
    if days is None:
        return BAD_DAYS
    zone = await user_zone_name(deps.slack, command["user_id"]) or "UTC"
    setting = await deps.alert_store.enable(command["channel_id"], days, zone, command["user_id"])
    return enabled_text(setting)


async def show_status(deps: Services, channel_id: str) -> str:
    store = deps.alert_store
    setting = await store.channel(channel_id)
    last = await store.latest_run(channel_id) if setting else None
    waiting = [
        a
        for a in await store.channel_alerts(channel_id)
        if a.message_ts is not None and a.outcome is None and a.threshold > 0
    ]
    return status_text(setting, last, len({a.license_id for a in waiting}), deps.clock.now())


async def subcommand(deps: Services, command: dict[str, Any], words: list[str]) -> None:
    """`/subscribe alerts …` (already acked): change or show this channel's trial alerts."""
    action = words[0].lower() if words else "status"
    user_id = command.get("user_id")
    try:
        if action in ("on", "off") and not deps.access.is_admin(user_id):
            text = ADMINS_ONLY
        elif action == "on":
            text = await turn_on(deps, command, words[1:])
        elif action == "off" and len(words) == 1:
            setting = await deps.alert_store.disable(command["channel_id"], f"turned off by <@{user_id}>")
            text = disabled_text(setting)
        elif action == "status" and len(words) <= 1:
            text = await show_status(deps, command["channel_id"])
        else:
            text = USAGE
    except Exception:
        log.exception("/subscribe alerts %s failed", action)
        text = UNEXPECTED
    await reply(deps.http, command["response_url"], notice_message(text))
