"""`/earnings digest on weekly [Mon] [HH:MM] [zone]` and `… on monthly [1] [HH:MM] [zone]`.

Wraps the daily digest's subcommand (handlers/digest.py): the schedule (time, zone, on/off) is
stored exactly as for the daily digest, and the cadence beside it (bot/digest/period_store.py).
`on` without a period word sets the channel back to daily; `status` of a weekly or monthly
channel names its cadence; everything else is the daily subcommand's.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot.digest.periods import DAILY, PERIODS, Cadence, latest_on_or_before, next_digest, parse_cadence, shift
from bot.digest.schedule import ScheduleError, local_date
from bot.digest.store import ChannelDigest, DigestStore
from bot.slack.blocks import notice_message
from bot.slack.respond import reply
from bot.storage.digest_tables import DeliveryState
from handlers import digest
from handlers.digest_blocks import ADMINS_ONLY, NO_TZ, TOO_MANY, USAGE, delivery_line, next_line
from handlers.messages import UNEXPECTED

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

PERIOD_USAGE = (
    "• `/earnings digest on weekly [Mon] [HH:MM] [Area/City]` — once a week instead (default Monday)\n"
    "• `/earnings digest on monthly [1] [HH:MM] [Area/City]` — once a month (default the 1st); admins only"
)


async def next_for(store: DigestStore, setting: ChannelDigest, cadence: Cadence, now: datetime) -> datetime:
    """The next digest's instant, skipping occurrences already delivered (or being sent)."""
    schedule = setting.schedule
    latest = latest_on_or_before(cadence, local_date(now, schedule.zone))
    days = [shift(cadence, latest, offset) for offset in (-1, 0, 1)]
    rows = await store.deliveries([(setting.channel_id, day) for day in days])
    done: set[date] = {
        day
        for (_, day), row in rows.items()
        if row.state != DeliveryState.FAILED or row.next_attempt_at is None
    }
    return next_digest(cadence, schedule, now, done)


def enabled_text(setting: ChannelDigest, cadence: Cadence, next_at: datetime, now: datetime) -> str:
    title = "Weekly" if cadence.period == "weekly" else "Monthly"
    return (
        f"{title} earnings digest is *on* for <#{setting.channel_id}>: {cadence.describe()} at "
        f"{setting.time_of_day} {setting.tz}, with the {cadence.noun}'s commission compared with the "
        f"{cadence.noun} before.\n{next_line(next_at, setting.schedule.zone, now)}\n"
        "In a private channel, invite me first (`/invite @Partners Bot`) or the digest cannot be posted."
    )


async def turn_on(deps: Services, command: dict[str, Any], words: list[str]) -> str:
    """`on [weekly|monthly …] [HH:MM] [zone]`: the daily digest's own parsing for time and zone."""
    cadence, rest = parse_cadence(words)
    text = await digest.turn_on(deps, command, rest)
    if text in (TOO_MANY, NO_TZ):
        return text  # nothing was changed
    await deps.period_store.set(command["channel_id"], cadence)
    if cadence.period == "daily":
        return text
    store = deps.digest_store
    setting = await store.channel(command["channel_id"])
    assert setting is not None
    now = deps.clock.now()
    return enabled_text(setting, cadence, await next_for(store, setting, cadence, now), now)


async def status(deps: Services, command: dict[str, Any]) -> str | None:
    """The status of a weekly/monthly channel; None for a daily one (the daily status applies)."""
    cadence = await deps.period_store.get(command["channel_id"])
    if cadence == DAILY:
        return None
    store = deps.digest_store
    setting = await store.channel(command["channel_id"])
    if setting is None:
        return None
    now = deps.clock.now()
    zone = setting.schedule.zone
    title = "Weekly" if cadence.period == "weekly" else "Monthly"
    schedule = f"{cadence.describe()} at {setting.time_of_day} {setting.tz}"
    if setting.enabled:
        lines = [f"{title} earnings digest: {schedule}, set up by <@{setting.set_by}>."]
    else:
        # A bare `/earnings digest on` would make it daily, so the hint names the cadence.
        lines = [
            f"{title} earnings digest is *off*. It was set for {schedule} by <@{setting.set_by}>; an admin "
            f"can turn it back on with `/earnings digest on {cadence.period}`."
        ]
    last = await store.latest_delivery(setting.channel_id)
    lines.append(delivery_line(last, zone, now) if last else "No digest has been sent here yet.")
    if setting.enabled:
        lines.append(next_line(await next_for(store, setting, cadence, now), zone, now))
    return "\n".join(lines)


async def subcommand(deps: Services, command: dict[str, Any], words: list[str]) -> None:
    """`/earnings digest …` (already acked)."""
    action = words[0].lower() if words else "status"
    periodic_on = action == "on" and len(words) > 1 and words[1].lower() in PERIODS
    if action == "off":
        await digest.subcommand(deps, command, words)
        return
    if action not in ("on", "status"):
        usage = f"{USAGE}\n{PERIOD_USAGE}"
        if action != "help":
            usage = f"`{words[0]}` is not a digest subcommand — use `on`, `off` or `status`.\n\n{usage}"
        await reply(deps.http, command["response_url"], notice_message(usage))
        return
    try:
        if action == "on" and not deps.access.is_admin(command.get("user_id")):
            text = ADMINS_ONLY
        elif action == "on":
            text = await turn_on(deps, command, words[1:])
        else:
            found = await status(deps, command)
            if found is None:
                await digest.subcommand(deps, command, words)
                return
            text = found
    except ScheduleError as exc:
        text = str(exc)
    except Exception:
        log.exception("/earnings digest %s failed (periodic=%s)", action, periodic_on)
        text = UNEXPECTED
    await reply(deps.http, command["response_url"], notice_message(text))
