"""Pure Block Kit builders of the trial alerts as posted in a channel (used by bot/alerts/runner.py).

An alert names the client, the license, the plan when known and when the trial ends in the
channel's zone ("in 2 days, Friday 09:00"), with a Create subscription button that opens the
`/subscribe` flow for that license. Once the trial is settled the same message is edited to say how,
without the button. (They live under bot/ like the digest's, so the runner and the cron command can
import them without loading every listener.)
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.alerts.store import Alert
from bot.partners.models import PRODUCT_NAMES
from bot.slack.blocks import Json, button, context, section
from bot.slack.mrkdwn import escape

ALERT_TIME = "09:00"
# The action id prefix handlers/subscribe.py listens to (its OPEN_ACTION_PREFIX; a test keeps them equal).
SUBSCRIBE_ACTION_PREFIX = "subscribe_open:"
# Block ids that mark a message as a trial alert (or its lapsed notice), whatever its wording: the
# runner's tests find alerts by them, and the offline console labels such posts "(alert)".
ALERT_BLOCK_PREFIX = "trial_alert_"
LAPSED_BLOCK_PREFIX = "trial_lapsed_"
ALERT_BLOCK_PREFIXES = (ALERT_BLOCK_PREFIX, LAPSED_BLOCK_PREFIX)
OUTCOME_TEXT = {
    "subscribed": ":white_check_mark: Subscribed",
    "lapsed": ":hourglass: The trial ended without a subscription",
    "gone": ":grey_question: This license is no longer among your clients' licenses",
    "client_paid": ":information_source: The client pays for this license now",
}


def ends_phrase(ends_at: datetime, now: datetime, zone: ZoneInfo) -> str:
    """When a trial ends as the channel reads it: "in 2 days, Friday 09:00", "tomorrow, …", "today, …"."""
    local = ends_at.astimezone(zone)
    days = (local.date() - now.astimezone(zone).date()).days
    clock = local.strftime("%A %H:%M")
    if ends_at <= now:
        return f"ended {local.strftime('%A %d %B, %H:%M')}"
    if days <= 0:
        return f"today, {local.strftime('%H:%M')}"
    if days == 1:
        return f"tomorrow, {clock}"
    if days < 7:
        return f"in {days} days, {clock}"
    return f"in {days} days, {local.strftime('%A %d %B %H:%M')}"


def _facts(alert: Alert) -> str:
    product = PRODUCT_NAMES.get(alert.product, alert.product)
    plan = f" · {alert.plan.title()} plan" if alert.plan else ""
    return f"License `{escape(alert.license_id)}` · {escape(product)} trial{plan}"


def subscribe_button(license_id: str, *, suffix: str = "") -> Json:
    """The button the `/subscribe` listener already handles (admin check included)."""
    return button(
        "Create subscription",
        action_id=SUBSCRIBE_ACTION_PREFIX + license_id + suffix,
        value=license_id,
        style="primary",
    )


def alert_message(alert: Alert, now: datetime, zone: ZoneInfo) -> Json:
    """The alert as first posted: facts, when the trial ends, and the Create subscription button
    (LiveChat licenses only: the bot's subscription flow is LiveChat's)."""
    client = escape(alert.client_name or "Unnamed client")
    when = ends_phrase(alert.ends_at, now, zone)
    text = f"Trial ending {when}: {alert.client_name or 'Unnamed client'} (license {alert.license_id})"
    body = f":alarm_clock: *{client}*'s trial ends *{when}* ({zone.key})\n{_facts(alert)}"
    if alert.product == "livechat":
        accessory: Json | None = subscribe_button(alert.license_id)
        note = "Only admins can subscribe; you confirm plan, seats and price before anything is charged."
    else:
        accessory = None
        note = "Subscribe this one in LiveChat's partner app: the bot subscribes LiveChat licenses only."
    facts = section(body, block_id=f"{ALERT_BLOCK_PREFIX}{alert.license_id}", accessory=accessory)
    return {
        "text": text,
        "blocks": [facts, context(note)],
    }


def settled_message(alert: Alert, outcome: str, zone: ZoneInfo, by: str | None = None) -> Json:
    """The alert edited once the trial is settled: how, and no button any more."""
    client = escape(alert.client_name or "Unnamed client")
    status = OUTCOME_TEXT.get(outcome, outcome)
    if outcome == "subscribed" and by:
        status += f" by <@{by}>"
    ends = alert.ends_at.astimezone(zone).strftime("%A %d %B %H:%M")
    body = f"*{client}* · trial until {ends} ({zone.key})\n{_facts(alert)}\n{status}"
    text = f"{alert.client_name or 'Unnamed client'} (license {alert.license_id}): {status.split(' ', 1)[1]}"
    return {"text": text, "blocks": [section(body, block_id=f"{ALERT_BLOCK_PREFIX}{alert.license_id}")]}


def lapsed_notice(alert: Alert, zone: ZoneInfo) -> Json:
    """The one notice posted when a trial the channel was alerted about ended unsubscribed."""
    client = escape(alert.client_name or "Unnamed client")
    ends = alert.ends_at.astimezone(zone).strftime("%A %d %B %H:%M")
    text = f"{alert.client_name or 'Unnamed client'}'s trial (license {alert.license_id}) ended without a subscription."
    body = (
        f":hourglass: *{client}*'s trial ended {ends} ({zone.key}) without a subscription.\n"
        f"{_facts(alert)} · ask LiveChat support if the client still wants it."
    )
    return {"text": text, "blocks": [section(body, block_id=f"{LAPSED_BLOCK_PREFIX}{alert.license_id}")]}


def admin_dm(channel_id: str, error: str, days: int) -> str:
    return (
        f"I turned off trial alerts in <#{channel_id}>: Slack answered `{error}` when I tried to post "
        f"there. Fix that (invite me with `/invite @Partners Bot`, or unarchive the channel) and run "
        f"`/subscribe alerts on {days}` in the channel to turn them back on."
    )
