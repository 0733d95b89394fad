"""Replies of `/earnings digest on|off|status`: pure functions from stored state to message text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.digest.schedule import TIME_EXAMPLE
from bot.digest.store import ChannelDigest, Delivery
from bot.storage.digest_tables import DeliveryState

USAGE = (
    "*/earnings digest* — a daily earnings digest in this channel, with what changed since yesterday.\n"
    "• `/earnings digest on [HH:MM] [Area/City]` — every day at that local time "
    "(default 09:00 in your Slack time zone); admins only\n"
    "• `/earnings digest off` — stop it; admins only\n"
    "• `/earnings digest status` — the schedule, the last delivery and the next one\n"
    f"Example: {TIME_EXAMPLE}"
)
ADMINS_ONLY = (
    "Only Partners Bot admins (ADMIN_USER_IDS) can change the digest schedule. "
    "Anyone can see it with `/earnings digest status`."
)
NO_TZ = (
    "I couldn't read your Slack time zone, so please name one: "
    f"an IANA Area/City zone, for example {TIME_EXAMPLE}."
)
TOO_MANY = f"`/earnings digest on` takes at most a time and a time zone, for example {TIME_EXAMPLE}."


def when(instant: datetime, zone: ZoneInfo) -> str:
    """`Thursday 26 November 2026 at 09:00 CET (08:00 UTC)`: the channel's zone first, then UTC.

    A channel on UTC gets the time once: `… at 06:57 UTC`, not `06:57 UTC (06:57 UTC)`.
    """
    local = instant.astimezone(zone)
    utc = instant.astimezone(UTC)
    text = f"{local.strftime('%A')} {local.day} {local.strftime('%B %Y at %H:%M %Z')}"
    if local.utcoffset() == utc.utcoffset() and local.tzname() in ("UTC", "GMT", "Z"):
        return text
    utc_text = utc.strftime("%H:%M UTC")
    if utc.date() != local.date():
        utc_text = f"{utc.strftime('%a')} {utc_text}"
    return f"{text} ({utc_text})"


def next_line(next_at: datetime, zone: ZoneInfo, now: datetime) -> str:
    if next_at <= now:
        return f"Next digest: any minute now (it was due {when(next_at, zone)})."
    return f"Next digest: {when(next_at, zone)}."


def enabled_text(setting: ChannelDigest, next_at: datetime, now: datetime) -> str:
    zone = setting.schedule.zone
    return (
        f"Daily earnings digest is *on* for <#{setting.channel_id}>: every day at "
        f"{setting.time_of_day} {setting.tz}.\n{next_line(next_at, zone, now)}\n"
        "In a private channel, invite me first (`/invite @Partners Bot`) or the digest cannot be posted."
    )


def disabled_text(setting: ChannelDigest | None) -> str:
    if setting is None:
        return "No digest was set up for this channel, so there is nothing to turn off."
    return f"The earnings digest is *off* for <#{setting.channel_id}>. Turn it back on with `/earnings digest on`."


def _day(day: date) -> str:
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


def delivery_line(delivery: Delivery, zone: ZoneInfo, now: datetime) -> str:
    """The last delivery in words; the digest's own day is named only when it is not the day it was sent."""
    day = delivery.local_date
    if delivery.state == DeliveryState.SENT and delivery.sent_at is not None:
        for_day = "" if delivery.sent_at.astimezone(zone).date() == day else f" (the one for {_day(day)})"
        return f"Last digest{for_day}: sent {when(delivery.sent_at, zone)}."
    if delivery.state == DeliveryState.FAILED:
        line = f"The digest for {_day(day)} *failed* after {_attempts(delivery.attempts)}: {delivery.error}."
        retry = delivery.next_attempt_at
        if retry is not None and retry.astimezone(zone).date() == delivery.local_date:
            line += f" Retrying {when(retry, zone)}." if retry > now else " Retrying any minute now."
        return line
    if delivery.state == DeliveryState.DISABLED:
        return f"The digest for {_day(day)} was *not sent*: {delivery.error}."
    return f"The digest for {_day(day)} is being sent now."


def status_text(
    setting: ChannelDigest | None, last: Delivery | None, next_at: datetime | None, now: datetime
) -> str:
    """What `/earnings digest status` shows for the current channel."""
    if setting is None:
        return (
            "No daily digest is set up for this channel. "
            f"An admin can turn one on, for example {TIME_EXAMPLE}."
        )
    zone = setting.schedule.zone
    if setting.enabled:
        lines = [
            f"Daily earnings digest: every day at {setting.time_of_day} {setting.tz}, "
            f"set up by <@{setting.set_by}>."
        ]
    else:
        reason = f" — {setting.disabled_reason}" if setting.disabled_reason else ""
        lines = [
            f"Daily earnings digest is *off*{reason}. It was set for {setting.time_of_day} {setting.tz} "
            f"by <@{setting.set_by}>; an admin can turn it back on with `/earnings digest on`."
        ]
    lines.append(delivery_line(last, zone, now) if last else "No digest has been sent here yet.")
    if setting.enabled and next_at is not None:
        lines.append(next_line(next_at, zone, now))
    return "\n".join(lines)
