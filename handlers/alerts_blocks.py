"""Pure builders of the `/subscribe alerts on|off|status` replies (the alerts themselves: bot/alerts/blocks.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.alerts.blocks import ALERT_TIME
from bot.alerts.store import MAX_DAYS, MIN_DAYS, ChannelAlerts, Run
from bot.alerts.tables import RunState
from bot.slack.mrkdwn import escape

USAGE = (
    "*/subscribe alerts* — a message in this channel when a client's partner-paid trial is about to end.\n"
    f"• `/subscribe alerts on [days]` — alert {MIN_DAYS}–{MAX_DAYS} days ahead (default 3) and again the "
    "day before (admins)\n"
    "• `/subscribe alerts off` — stop them here (admins)\n"
    "• `/subscribe alerts status` — what is set up here and how the last check went"
)
ADMINS_ONLY = "Only Partners Bot admins can turn trial alerts on or off. Ask an admin to add your user id to ADMIN_USER_IDS."
BAD_DAYS = f"Give the number of days ahead as a whole number from {MIN_DAYS} to {MAX_DAYS}, for example `/subscribe alerts on 3`."


def enabled_text(setting: ChannelAlerts) -> str:
    also = " and again the day before" if setting.days > 1 else ""
    return (
        f":white_check_mark: Trial alerts are on in <#{setting.channel_id}>: a message {setting.days} "
        f"day{'s' if setting.days != 1 else ''} before a partner-paid trial ends{also}, checked daily at "
        f"{ALERT_TIME} {setting.tz} (the first check runs within a minute)."
    )


def disabled_text(setting: ChannelAlerts | None) -> str:
    if setting is None:
        return "Trial alerts were not on in this channel; nothing changed."
    return f"Trial alerts are off in <#{setting.channel_id}>. `/subscribe alerts on` turns them back on."


def status_text(setting: ChannelAlerts | None, last: Run | None, open_alerts: int, now: datetime) -> str:
    """`/subscribe alerts status`: the setting, the last check (and its retry), open alerts."""
    if setting is None:
        return "Trial alerts are not set up in this channel. An admin can run `/subscribe alerts on [days]`."
    zone = ZoneInfo(setting.tz)
    if not setting.enabled:
        why = f" ({setting.disabled_reason})" if setting.disabled_reason else ""
        return f"Trial alerts are *off* in <#{setting.channel_id}>{why}."
    lines = [
        f"Trial alerts are *on* in <#{setting.channel_id}>: {setting.days} day{'s' if setting.days != 1 else ''} "
        f"ahead and the day before, checked daily at {ALERT_TIME} {setting.tz}. Set by <@{setting.set_by}>."
    ]
    if last is None:
        lines.append("The first check has not run yet.")
    else:
        day = last.local_date.strftime("%A %d %B")
        if last.state == RunState.DONE and last.finished_at:
            lines.append(f"Last check: {day}, done at {last.finished_at.astimezone(zone).strftime('%H:%M')}.")
        elif last.state == RunState.FAILED:
            retry = (
                f" Retrying at {last.next_attempt_at.astimezone(zone).strftime('%H:%M')}."
                if last.next_attempt_at
                and last.next_attempt_at.astimezone(zone).date() == now.astimezone(zone).date()
                else ""
            )
            lines.append(
                f":warning: Last check ({day}) failed: {escape(last.error or 'unknown error')}.{retry}"
            )
        elif last.state == RunState.CLAIMED:
            lines.append(f"The check of {day} is running now.")
    lines.append(f"{open_alerts} alert{'s' if open_alerts != 1 else ''} waiting for a subscription.")
    return "\n".join(lines)
